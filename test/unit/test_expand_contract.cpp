#include "core/base/failure.hpp"
#include "core/plan/expand_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace ms::core;

namespace {

EcNames names() { return {"app", "2", "app_1", "app_2"}; }

std::vector<EcTable> users() {
    return {{"public",
             "users",
             {{"id", "bigint", true, true, true},
              {"email", "text", true, false, false},
              {"age", "integer", false, false, false},
              {"nick", "text", true, false, false}},
             "id"}};
}

EcStatement stmt(EcKind kind, const std::string& column = {}, int number = 1) {
    EcStatement s;
    s.kind = kind;
    s.number = number;
    s.line = number + 1;
    s.schema = "public";
    s.table = "users";
    s.column = column;
    return s;
}

std::vector<std::string> sqls(const std::vector<EcStep>& steps) {
    std::vector<std::string> out;
    for (const auto& s : steps)
        out.push_back(s.sql);
    return out;
}

bool has(const std::vector<EcStep>& steps, const std::string& sql) {
    const auto all = sqls(steps);
    return std::find(all.begin(), all.end(), sql) != all.end();
}

std::size_t index_of(const std::vector<EcStep>& steps, const std::string& sql) {
    const auto all = sqls(steps);
    return static_cast<std::size_t>(std::find(all.begin(), all.end(), sql) - all.begin());
}

Failure refusal(const std::vector<EcStatement>& statements,
                const std::vector<EcTable>& tables = users()) {
    try {
        plan_expand_contract(statements, tables, {}, names());
    } catch (const Failure& f) {
        return f;
    }
    ADD_FAILURE() << "not refused";
    return Failure(FailureKind::InvalidValue, "");
}

}  // namespace

TEST(ExpandContract, MarkerIsALeadingComment) {
    EXPECT_TRUE(has_expand_contract_marker("-- migrate:expand-contract\nALTER TABLE t ADD c int;"));
    EXPECT_TRUE(has_expand_contract_marker("-- add a column\n\n--  migrate:Expand-Contract \nSELECT 1;"));
    EXPECT_FALSE(has_expand_contract_marker("SELECT 1;\n-- migrate:expand-contract\n"));
    EXPECT_FALSE(has_expand_contract_marker("-- migrate:no-transaction\nSELECT 1;"));
}

TEST(ExpandContract, DownExpressionsAreReadWithTheirTargets) {
    const auto d = down_expressions("-- migrate:expand-contract\n"
                                    "-- migrate:down-expression age = age::text || ''\n"
                                    "--migrate:down-expression Users.\"Nick\" = upper(\"Nick\")\n"
                                    "ALTER TABLE users ALTER age TYPE text;\n");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d.at("age"), "age::text || ''");
    EXPECT_EQ(d.at("users.Nick"), "upper(\"Nick\")");
    try {
        down_expressions("SELECT 1;\n-- migrate:down-expression = 1\n");
        FAIL() << "accepted";
    } catch (const Failure& f) {
        EXPECT_EQ(f.kind(), FailureKind::Syntax);
        EXPECT_NE(std::string(f.what()).find("line 2"), std::string::npos);
    }
}

TEST(ExpandContract, VersionSchemaNamesAreBounded) {
    EXPECT_EQ(version_schema_name("default", "008"), "default_008");
    EXPECT_THROW(version_schema_name(std::string(60, 'p'), "0008"), Failure);
}

TEST(ExpandContract, AddColumnWithDefaultAndNotNull) {
    auto s = stmt(EcKind::AddColumn, "active");
    s.type = "boolean";
    s.default_expr = "true";
    s.not_null = true;
    const auto p = plan_expand_contract({s}, users(), {}, names());
    EXPECT_TRUE(has(p.start.main,
                    "ALTER TABLE \"public\".\"users\" ADD COLUMN \"active\" boolean DEFAULT true"));
    EXPECT_TRUE(has(p.start.main, "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT "
                                  "\"ms_nn_users_active\" CHECK (\"active\" IS NOT NULL) NOT VALID"));
    EXPECT_TRUE(has(p.complete.before, "ALTER TABLE \"public\".\"users\" VALIDATE CONSTRAINT "
                                       "\"ms_nn_users_active\""));
    const auto set = index_of(p.complete.main,
                              "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"active\" SET NOT NULL");
    const auto drop = index_of(p.complete.main, "ALTER TABLE \"public\".\"users\" DROP CONSTRAINT "
                                                "\"ms_nn_users_active\"");
    EXPECT_LT(set, drop);
    EXPECT_LT(drop, p.complete.main.size());
    EXPECT_TRUE(has(p.abort.main, "ALTER TABLE \"public\".\"users\" DROP COLUMN IF EXISTS \"active\""));
    EXPECT_TRUE(p.backfill.empty());
    // The old version does not see it, the new one does.
    EXPECT_EQ(p.old_views.at(0).sql, "CREATE VIEW \"app_1\".\"users\" AS SELECT \"id\", \"email\", "
                                 "\"age\", \"nick\" FROM \"public\".\"users\"");
    EXPECT_TRUE(has(p.start.main, "CREATE VIEW \"app_2\".\"users\" AS SELECT \"id\", \"email\", "
                                  "\"age\", \"nick\", \"active\" FROM \"public\".\"users\""));
}

TEST(ExpandContract, AddNotNullColumnWithoutDefaultIsRefused) {
    auto s = stmt(EcKind::AddColumn, "active", 3);
    s.type = "boolean";
    s.not_null = true;
    const auto f = refusal({s});
    EXPECT_EQ(f.kind(), FailureKind::Unsupported);
    EXPECT_NE(std::string(f.what()).find("statement 3 (line 4)"), std::string::npos);
    EXPECT_EQ(f.context(), "statement 3, line 4");
}

TEST(ExpandContract, RenameColumnIsAViewUntilCompletion) {
    auto s = stmt(EcKind::RenameColumn, "nick");
    s.new_name = "handle";
    const auto p = plan_expand_contract({s}, users(), {}, names());
    EXPECT_TRUE(has(p.start.main, "CREATE VIEW \"app_2\".\"users\" AS SELECT \"id\", \"email\", "
                                  "\"age\", \"nick\" AS \"handle\" FROM \"public\".\"users\""));
    EXPECT_TRUE(has(p.complete.main,
                    "ALTER TABLE \"public\".\"users\" RENAME COLUMN \"nick\" TO \"handle\""));
    // Nothing physical to undo.
    for (const auto& step : p.abort.main)
        EXPECT_EQ(step.sql.find("ALTER TABLE"), std::string::npos) << step.sql;
}

TEST(ExpandContract, TypeChangeGetsAShadowColumnTriggersAndABackfill) {
    auto s = stmt(EcKind::AlterColumnType, "age");
    s.type = "text";
    s.using_expr = "age::text || ' years'";
    const auto p = plan_expand_contract(
        {s}, users(), {{"age", "split_part(age, ' ', 1)::integer"}}, names());
    EXPECT_TRUE(has(p.start.main, "ALTER TABLE \"public\".\"users\" ADD COLUMN \"ms_new_age\" text"));
    std::string function;
    for (const auto& step : p.start.main)
        if (step.sql.rfind("CREATE FUNCTION", 0) == 0)
            function = step.sql;
    EXPECT_NE(function.find("'app_2' OPERATOR(pg_catalog.=) ANY (pg_catalog.current_schemas(false))"),
              std::string::npos);
    EXPECT_NE(function.find("NEW.\"age\" := (SELECT split_part(age, ' ', 1)::integer FROM (SELECT "
                            "NEW.\"id\" AS \"id\", NEW.\"email\" AS \"email\", NEW.\"ms_new_age\" AS "
                            "\"age\", NEW.\"nick\" AS \"nick\") AS ms_row)"),
              std::string::npos)
        << function;
    EXPECT_NE(function.find("NEW.\"ms_new_age\" := (SELECT age::text || ' years' FROM (SELECT "
                            "NEW.\"id\" AS \"id\", NEW.\"email\" AS \"email\", NEW.\"age\" AS "
                            "\"age\", NEW.\"nick\" AS \"nick\") AS ms_row)"),
              std::string::npos)
        << function;
    ASSERT_EQ(p.backfill.size(), 1u);
    EXPECT_EQ(p.backfill[0].key, "id");
    EXPECT_EQ(p.backfill[0].check,
              "((\"ms_new_age\" IS NULL) OPERATOR(pg_catalog.<>) (CAST((age::text || ' years') AS "
              "text) IS NULL) OR \"ms_new_age\" OPERATOR(pg_catalog.<>) CAST((age::text || ' years') "
              "AS text))");
    // Completion drops the version schemas, then the trigger before the columns it names,
    // then swaps the columns.
    const auto trigger = index_of(p.complete.main,
                                  "DROP TRIGGER IF EXISTS \"ms_sync_age\" ON \"public\".\"users\"");
    const auto schema = index_of(p.complete.main, "DROP SCHEMA IF EXISTS \"app_1\" CASCADE");
    const auto drop = index_of(p.complete.main, "ALTER TABLE \"public\".\"users\" DROP COLUMN \"age\"");
    const auto rename = index_of(p.complete.main,
                                 "ALTER TABLE \"public\".\"users\" RENAME COLUMN \"ms_new_age\" TO \"age\"");
    const auto live = index_of(p.complete.main, "DROP SCHEMA IF EXISTS \"app_2\" CASCADE");
    // The views before the table: clients lock them in that order.
    EXPECT_LT(schema, trigger);
    EXPECT_LT(live, trigger);
    EXPECT_LT(schema, drop);
    // Neither version's views outlive completion: they would hold the columns against a
    // later migration.
    EXPECT_LT(live, drop);
    EXPECT_LT(drop, rename);
    EXPECT_LT(rename, p.complete.main.size());
    EXPECT_TRUE(has(p.abort.main,
                    "ALTER TABLE \"public\".\"users\" DROP COLUMN IF EXISTS \"ms_new_age\""));
    EXPECT_TRUE(has(p.abort.main, "DROP SCHEMA IF EXISTS \"app_2\" CASCADE"));
    EXPECT_TRUE(has(p.abort.main, "DROP SCHEMA IF EXISTS \"app_1\" CASCADE"));
}

TEST(ExpandContract, TypeChangeOfANotNullColumnSetsItAfterTheSwap) {
    auto s = stmt(EcKind::AlterColumnType, "email");
    s.type = "varchar(200)";
    const auto p = plan_expand_contract({s}, users(), {}, names());
    const auto rename = index_of(
        p.complete.main, "ALTER TABLE \"public\".\"users\" RENAME COLUMN \"ms_new_email\" TO \"email\"");
    const auto set = index_of(p.complete.main,
                              "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"email\" SET NOT NULL");
    EXPECT_LT(rename, set);
    EXPECT_LT(set, p.complete.main.size());
    EXPECT_TRUE(has(p.complete.before, "ALTER TABLE \"public\".\"users\" VALIDATE CONSTRAINT "
                                       "\"ms_nn_users_ms_new_email\""));
    // Without a directive the way back is a cast to the old type.
    bool cast = false;
    for (const auto& step : p.start.main)
        cast = cast || step.sql.find("CAST(\"email\" AS text)") != std::string::npos;
    EXPECT_TRUE(cast);
}

TEST(ExpandContract, TypeChangeNeedsAKeyAndAnUnconstrainedColumn) {
    auto s = stmt(EcKind::AlterColumnType, "age");
    s.type = "text";
    auto keyless = users();
    keyless[0].key.clear();
    EXPECT_NE(std::string(refusal({s}, keyless).what()).find("primary key"), std::string::npos);
    auto t = stmt(EcKind::AlterColumnType, "id");
    t.type = "text";
    EXPECT_NE(std::string(refusal({t}).what()).find("index or a constraint"), std::string::npos);
}

TEST(ExpandContract, SetAndDropNotNull) {
    const auto set = plan_expand_contract({stmt(EcKind::SetNotNull, "age")}, users(), {}, names());
    EXPECT_TRUE(has(set.start.main, "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT "
                                    "\"ms_nn_users_age\" CHECK (\"age\" IS NOT NULL) NOT VALID"));
    EXPECT_TRUE(has(set.complete.main,
                    "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"age\" SET NOT NULL"));
    EXPECT_TRUE(has(set.abort.main, "ALTER TABLE \"public\".\"users\" DROP CONSTRAINT IF EXISTS "
                                    "\"ms_nn_users_age\""));

    const auto drop = plan_expand_contract({stmt(EcKind::DropNotNull, "nick")}, users(), {}, names());
    EXPECT_TRUE(has(drop.start.main,
                    "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"nick\" DROP NOT NULL"));
    // Abort restores it: CHECK added and validated on their own, then SET NOT NULL.
    ASSERT_EQ(drop.abort.before.size(), 2u);
    EXPECT_NE(drop.abort.before[0].sql.find("NOT VALID"), std::string::npos);
    EXPECT_NE(drop.abort.before[1].sql.find("VALIDATE CONSTRAINT"), std::string::npos);
    const auto set_again = index_of(
        drop.abort.main, "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"nick\" SET NOT NULL");
    const auto check_gone = index_of(drop.abort.main, "ALTER TABLE \"public\".\"users\" DROP "
                                                      "CONSTRAINT \"ms_nn_users_nick\"");
    EXPECT_LT(set_again, check_gone);
    EXPECT_LT(check_gone, drop.abort.main.size());
}

TEST(ExpandContract, ConstraintsAreAddedNotValidAndValidatedAtCompletion) {
    auto c = stmt(EcKind::AddCheck);
    c.constraint = "adult";
    c.constraint_text = "CONSTRAINT adult CHECK (age >= 18)";
    auto u = stmt(EcKind::AddUnique, {}, 2);
    u.constraint = "users_email_key";
    u.columns = {"email"};
    const auto p = plan_expand_contract({c, u}, users(), {}, names());
    EXPECT_TRUE(has(p.start.main, "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT adult CHECK "
                                  "(age >= 18) NOT VALID"));
    EXPECT_TRUE(has(p.complete.before,
                    "ALTER TABLE \"public\".\"users\" VALIDATE CONSTRAINT \"adult\""));
    ASSERT_TRUE(has(p.complete.before, "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
                                       "\"users_email_key\" ON \"public\".\"users\" (\"email\")"));
    EXPECT_TRUE(p.complete.before[index_of(p.complete.before,
                                           "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
                                           "\"users_email_key\" ON \"public\".\"users\" (\"email\")")]
                    .top_level);
    EXPECT_TRUE(has(p.complete.main, "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT "
                                     "\"users_email_key\" UNIQUE USING INDEX \"users_email_key\""));
    EXPECT_TRUE(has(p.abort.after,
                    "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"users_email_key\""));
    auto unnamed = stmt(EcKind::AddForeignKey);
    unnamed.constraint_text = "FOREIGN KEY (age) REFERENCES ages";
    EXPECT_NE(std::string(refusal({unnamed}).what()).find("no name"), std::string::npos);
}

TEST(ExpandContract, DropColumnLeavesTheOldVersionItsColumn) {
    const auto p = plan_expand_contract({stmt(EcKind::DropColumn, "nick")}, users(), {}, names());
    EXPECT_EQ(p.old_views.at(0).sql, "CREATE VIEW \"app_1\".\"users\" AS SELECT \"id\", \"email\", "
                                 "\"age\", \"nick\" FROM \"public\".\"users\"");
    EXPECT_TRUE(has(p.start.main, "CREATE VIEW \"app_2\".\"users\" AS SELECT \"id\", \"email\", "
                                  "\"age\" FROM \"public\".\"users\""));
    // The new version's inserts do not write it: its NOT NULL goes at start.
    EXPECT_TRUE(has(p.start.main,
                    "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"nick\" DROP NOT NULL"));
    EXPECT_TRUE(has(p.complete.main, "ALTER TABLE \"public\".\"users\" DROP COLUMN \"nick\""));
}

TEST(ExpandContract, RenameTableAndIndexesAndTables) {
    auto r = stmt(EcKind::RenameTable);
    r.new_name = "members";
    auto i = stmt(EcKind::CreateIndex, {}, 2);
    i.table = "orders";
    i.index = "orders_total";
    i.text = "create  index orders_total on orders (total)";
    auto ct = stmt(EcKind::CreateTable, {}, 3);
    ct.table = "orders";
    ct.text = "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)";
    auto di = stmt(EcKind::DropIndex, {}, 4);
    di.index = "users_age";
    auto dt = stmt(EcKind::DropTable, {}, 5);
    dt.table = "old_stuff";
    auto tables = users();
    tables.push_back({"public", "old_stuff", {{"x", "int", false, false, false}}, ""});
    const auto p = plan_expand_contract({r, ct, i, di, dt}, tables, {}, names());
    EXPECT_TRUE(has(p.start.main, "CREATE VIEW \"app_2\".\"members\" AS SELECT \"id\", \"email\", "
                                  "\"age\", \"nick\" FROM \"public\".\"users\""));
    EXPECT_TRUE(has(p.complete.main, "ALTER TABLE \"public\".\"users\" RENAME TO \"members\""));
    EXPECT_TRUE(has(p.start.main, ct.text));
    EXPECT_TRUE(has(p.start.main, "CREATE VIEW \"app_2\".\"orders\" AS SELECT * FROM \"public\".\"orders\""));
    // An index on a table this migration creates is built with it.
    EXPECT_TRUE(has(p.start.main, i.text));
    EXPECT_TRUE(has(p.abort.main, "DROP TABLE IF EXISTS \"public\".\"orders\""));
    EXPECT_TRUE(has(p.complete.before, "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"users_age\""));
    EXPECT_TRUE(has(p.complete.main, "DROP TABLE \"public\".\"old_stuff\""));
    bool old_stuff_new = false;
    for (const auto& step : p.start.main)
        old_stuff_new = old_stuff_new || step.sql.find("\"app_2\".\"old_stuff\"") != std::string::npos;
    EXPECT_FALSE(old_stuff_new);
    EXPECT_EQ(p.old_views.size(), 2u);
}

TEST(ExpandContract, IndexOnAnExistingTableIsBuiltConcurrentlyAndDroppedOnAbort) {
    auto i = stmt(EcKind::CreateIndex);
    i.index = "users_age";
    i.text = "CREATE UNIQUE INDEX users_age ON users (age)";
    const auto p = plan_expand_contract({i}, users(), {}, names());
    ASSERT_EQ(p.start.after.size(), 1u);
    EXPECT_EQ(p.start.after[0].sql, "CREATE UNIQUE INDEX CONCURRENTLY users_age ON users (age)");
    EXPECT_TRUE(p.start.after[0].top_level);
    ASSERT_EQ(p.abort.before.size(), 1u);
    EXPECT_EQ(p.abort.before[0].sql, "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"users_age\"");
}

TEST(ExpandContract, EverythingElseIsRefusedNamingTheStatement) {
    auto s = stmt(EcKind::Unsupported, {}, 7);
    s.what = "ALTER TABLE ... SET DEFAULT";
    const auto f = refusal({stmt(EcKind::SetNotNull, "age", 1), s});
    EXPECT_EQ(f.kind(), FailureKind::Unsupported);
    EXPECT_NE(std::string(f.what()).find("statement 7 (line 8)"), std::string::npos);
    EXPECT_NE(std::string(f.what()).find("SET DEFAULT"), std::string::npos);
}

TEST(ExpandContract, AColumnChangedTwiceOrReadAfterARenameIsRefused) {
    auto a = stmt(EcKind::SetNotNull, "age", 1);
    auto b = stmt(EcKind::DropColumn, "age", 2);
    EXPECT_NE(std::string(refusal({a, b}).what()).find("earlier statement"), std::string::npos);
    auto r = stmt(EcKind::RenameColumn, "nick", 1);
    r.new_name = "handle";
    auto c = stmt(EcKind::AddCheck, {}, 2);
    c.constraint = "x";
    c.constraint_text = "CONSTRAINT x CHECK (handle <> '')";
    EXPECT_NE(std::string(refusal({r, c}).what()).find("renamed or retyped"), std::string::npos);
    auto missing = stmt(EcKind::DropColumn, "nope");
    EXPECT_NE(std::string(refusal({missing}).what()).find("does not exist"), std::string::npos);
}
