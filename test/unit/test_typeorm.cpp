#include "core/client/typeorm.hpp"

#include <gtest/gtest.h>

using ms::core::convert_typeorm;

namespace {

// As `typeorm migration:generate` writes them.
const char* const generated = R"(import { MigrationInterface, QueryRunner } from "typeorm";

export class AddUserEmail1700000000000 implements MigrationInterface {
    name = 'AddUserEmail1700000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "user" ADD "email" character varying NOT NULL`);
        await queryRunner.query(`CREATE INDEX "IDX_e12875dfb3b1d92d7d7c5377e2" ON "user" ("email") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_e12875dfb3b1d92d7d7c5377e2"`);
        await queryRunner.query(`ALTER TABLE "user" DROP COLUMN "email"`);
    }

}
)";

}  // namespace

TEST(Typeorm, GeneratedMigrationsConvertWithTheirVersionAndName) {
    const auto c = convert_typeorm(generated, "1700000000000-AddUserEmail.ts");
    ASSERT_TRUE(c.migration);
    EXPECT_TRUE(c.problems.empty());
    EXPECT_EQ(c.migration->version, "1700000000000");
    EXPECT_EQ(c.migration->name, "add_user_email");
    EXPECT_EQ(c.migration->up_sql,
              "ALTER TABLE \"user\" ADD \"email\" character varying NOT NULL;\n"
              "CREATE INDEX \"IDX_e12875dfb3b1d92d7d7c5377e2\" ON \"user\" (\"email\");\n");
    EXPECT_EQ(c.migration->down_sql,
              "DROP INDEX \"public\".\"IDX_e12875dfb3b1d92d7d7c5377e2\";\n"
              "ALTER TABLE \"user\" DROP COLUMN \"email\";\n");
}

TEST(Typeorm, HandWrittenStringsConcatenationsAndLiteralParameters) {
    const char* source = R"(
module.exports = class Seed1690000000001 {
  // a comment with queryRunner.createTable( in it
  async up(qr) {
    await qr.query("INSERT INTO settings (key, value) " + 'VALUES ($1, $2)', ["it's", 42]);
    /* block comment */
    await qr.query(("UPDATE settings SET value = $1 ") + "WHERE key = 'x'", [null]);
    return qr.query('SELECT 1')
  }
  async down(qr) { await qr.query(`DELETE FROM settings WHERE key IN ('it''s')`) }
};
)";
    const auto c = convert_typeorm(source, "seed.js");
    ASSERT_TRUE(c.migration);
    EXPECT_TRUE(c.problems.empty()) << c.problems.front().what;
    EXPECT_EQ(c.migration->version, "1690000000001");
    EXPECT_EQ(c.migration->name, "seed");
    EXPECT_EQ(c.migration->up_sql,
              "INSERT INTO settings (key, value) VALUES ('it''s', 42);\n"
              "UPDATE settings SET value = NULL WHERE key = 'x';\n"
              "SELECT 1;\n");
    EXPECT_EQ(c.migration->down_sql, "DELETE FROM settings WHERE key IN ('it''s');\n");
}

TEST(Typeorm, WhatCannotBeConvertedIsNamedWithItsLine) {
    const char* source = R"(export class Builder1700000000002 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({ name: "t", columns: [] }), true);
        for (const t of tables) {
            await queryRunner.query(`DROP TABLE ${t}`);
        }
        if (process.env.X) { await queryRunner.query("SELECT 1"); } else { }
        const name = "t";
        await queryRunner.query("SELECT " + name);
        await queryRunner.query(`SELECT ${name}`);
        await queryRunner.query("SELECT $1", [name]);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
)";
    const auto c = convert_typeorm(source, "x.ts");
    ASSERT_TRUE(c.migration);
    ASSERT_EQ(c.problems.size(), 7u);
    EXPECT_EQ(c.problems[0].line, 3);
    EXPECT_EQ(c.problems[0].what, "query builder call queryRunner.createTable()");
    EXPECT_EQ(c.problems[1].line, 4);
    EXPECT_EQ(c.problems[1].what, "loop (for)");
    EXPECT_EQ(c.problems[2].line, 7);
    EXPECT_EQ(c.problems[2].what, "conditional (if)");
    EXPECT_EQ(c.problems[3].line, 8);
    EXPECT_EQ(c.problems[4].line, 9);
    EXPECT_EQ(c.problems[5].line, 10);
    EXPECT_EQ(c.problems[6].line, 11);
    EXPECT_NE(c.problems[6].what.find("parameters"), std::string::npos);
}

TEST(Typeorm, FilesWithoutAMigrationClass) {
    EXPECT_FALSE(convert_typeorm("export const x = 1;", "index.ts").migration);
    const auto c = convert_typeorm("class NoStamp { async up(q) {} }", "helpers.ts");
    ASSERT_TRUE(c.migration);
    ASSERT_EQ(c.problems.size(), 1u);
    EXPECT_NE(c.problems[0].what.find("no timestamp"), std::string::npos);
}
