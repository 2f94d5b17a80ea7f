#include "core/schema/ddl_statement_text.hpp"

#include <gtest/gtest.h>

using ms::core::DdlObject;
using ms::core::DdlStatementFacts;
using ms::core::may_keep_statement_text;

namespace {

DdlObject object(const std::string& tag, const std::string& type = "table") {
    return {tag, type, std::string("app"), "app.t", false, false};
}

DdlStatementFacts top(const std::string& tag) {
    DdlStatementFacts f;
    f.top_level = true;
    f.top_level_tag = tag;
    return f;
}

}  // namespace

TEST(DdlStatementText, KeepsPlainTopLevelDdl) {
    for (const char* tag : {"CREATE TABLE", "ALTER TABLE", "CREATE INDEX", "DROP TABLE",
                            "COMMENT", "GRANT", "CREATE TABLE AS", "SELECT INTO"})
        EXPECT_TRUE(may_keep_statement_text(top(tag), object(tag))) << tag;
}

TEST(DdlStatementText, NothingRunInsideAnotherStatement) {
    // A DO block, a function called by SELECT or CALL, EXECUTE of a prepared statement: the
    // query string is not the statement, and holds whatever its author wrote.
    for (const char* outer : {"DO", "SELECT", "CALL", "EXECUTE", ""}) {
        DdlStatementFacts f = top(outer);
        EXPECT_FALSE(may_keep_statement_text(f, object("CREATE TABLE"))) << outer;
    }
    DdlStatementFacts nested = top("CREATE TABLE");
    nested.top_level = false;
    EXPECT_FALSE(may_keep_statement_text(nested, object("CREATE TABLE")));
}

TEST(DdlStatementText, NothingThatCarriesConnectionsOrOptions) {
    for (const char* tag : {"CREATE SUBSCRIPTION", "ALTER SUBSCRIPTION", "CREATE SERVER",
                            "ALTER SERVER", "CREATE USER MAPPING", "ALTER USER MAPPING",
                            "CREATE FOREIGN DATA WRAPPER", "ALTER FOREIGN DATA WRAPPER",
                            "CREATE FOREIGN TABLE", "ALTER FOREIGN TABLE",
                            "IMPORT FOREIGN SCHEMA"})
        EXPECT_FALSE(may_keep_statement_text(top(tag), object(tag))) << tag;
    // ALTER TABLE on a foreign table may set OPTIONS too.
    DdlStatementFacts options = top("ALTER TABLE");
    options.options_or_connection = true;
    EXPECT_FALSE(may_keep_statement_text(options, object("ALTER TABLE")));
    // Whatever the command, the objects that hold secrets keep no text.
    for (const char* type : {"server", "user mapping", "subscription", "foreign-data wrapper",
                             "foreign table"})
        EXPECT_FALSE(may_keep_statement_text(top("COMMENT"), object("COMMENT", type))) << type;
}

TEST(DdlStatementText, NoProceduralBodies) {
    DdlStatementFacts f = top("CREATE FUNCTION");
    EXPECT_TRUE(may_keep_statement_text(f, object("CREATE FUNCTION", "function")));
    f.procedural_body = true;
    EXPECT_FALSE(may_keep_statement_text(f, object("CREATE FUNCTION", "function")));
}

TEST(DdlStatementText, UnknownCommandsKeepNoText) {
    EXPECT_FALSE(may_keep_statement_text(top("CREATE PROPERTY GRAPH"),
                                         object("CREATE PROPERTY GRAPH")));
    EXPECT_FALSE(may_keep_statement_text(top("ALTER ROLE"), object("ALTER ROLE", "role")));
    EXPECT_FALSE(may_keep_statement_text(top("create table"), object("create table")));
}
