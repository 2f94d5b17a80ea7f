#include "core/schema/ddl_scope.hpp"

#include <gtest/gtest.h>

using ms::core::classify_ddl;
using ms::core::DdlObject;
using ms::core::DdlVerdict;

namespace {

DdlObject in_schema(const std::string& schema, const std::string& type = "index") {
    return {"CREATE INDEX", type, schema, schema + ".x", false, false};
}

}  // namespace

TEST(DdlScope, EveryUserSchemaIsGuardedWhenNoneAreNamed) {
    EXPECT_EQ(classify_ddl(in_schema("public"), {}), DdlVerdict::Guard);
    EXPECT_EQ(classify_ddl(in_schema("app"), {}), DdlVerdict::Guard);
}

TEST(DdlScope, SystemTemporaryAndTrackingSchemasAreIgnored) {
    for (const char* schema : {"pg_catalog", "information_schema", "pg_toast", "pg_temp",
                               "pg_temp_3", "pg_toast_temp_3", "migrations_schema"})
        EXPECT_EQ(classify_ddl(in_schema(schema), {}), DdlVerdict::Ignore) << schema;
}

TEST(DdlScope, TemporaryObjectsAndExtensionMembersAreIgnored) {
    auto temp = in_schema("public");
    temp.temporary = true;
    EXPECT_EQ(classify_ddl(temp, {}), DdlVerdict::Ignore);
    auto member = in_schema("public");
    member.in_extension = true;
    EXPECT_EQ(classify_ddl(member, {}), DdlVerdict::Ignore);
}

TEST(DdlScope, NamedSchemasLimitWhatIsWatched) {
    const std::vector<std::string> managed = {"app"};
    EXPECT_EQ(classify_ddl(in_schema("app"), managed), DdlVerdict::Guard);
    EXPECT_EQ(classify_ddl(in_schema("scratch"), managed), DdlVerdict::Ignore);
    EXPECT_EQ(classify_ddl({"CREATE SCHEMA", "schema", std::nullopt, "app"}, managed),
              DdlVerdict::Guard);
    EXPECT_EQ(classify_ddl({"CREATE SCHEMA", "schema", std::nullopt, "scratch"}, managed),
              DdlVerdict::Ignore);
    // Naming a system schema does not make it watched.
    EXPECT_EQ(classify_ddl(in_schema("pg_catalog"), {"pg_catalog"}), DdlVerdict::Ignore);
}

TEST(DdlScope, ExtensionsAreLoggedButNeverGuarded) {
    EXPECT_EQ(classify_ddl({"CREATE EXTENSION", "extension", std::nullopt, "pgcrypto"}, {}),
              DdlVerdict::Log);
    EXPECT_EQ(classify_ddl({"CREATE EXTENSION", "extension", std::nullopt, "migrations_schema"}, {}),
              DdlVerdict::Ignore);
}

TEST(DdlScope, GrantsWithoutASchemaAreGuardedOnlyWhenEverySchemaIs) {
    const DdlObject grant{"GRANT", "table", std::nullopt, "", false, false};
    EXPECT_EQ(classify_ddl(grant, {}), DdlVerdict::Guard);
    EXPECT_EQ(classify_ddl(grant, {"app"}), DdlVerdict::Log);
    const DdlObject server{"CREATE SERVER", "server", std::nullopt, "remote", false, false};
    EXPECT_EQ(classify_ddl(server, {}), DdlVerdict::Log);
}
