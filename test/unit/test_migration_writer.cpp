#include "core/schema/acl_grants.hpp"
#include "core/schema/migration_writer.hpp"
#include "core/schema/model.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ms::core;

namespace {

using Attributes = std::vector<SchemaAttribute>;

std::string up(const Attributes& live, const Attributes& desired, bool online = true,
               const std::vector<SchemaDependency>& deps = {}) {
    return generate_migration(build_model(live), build_model(desired, deps), {online, {}, "", "", ""}).up;
}

std::string down(const Attributes& live, const Attributes& desired) {
    return generate_migration(build_model(live), build_model(desired)).down;
}

// Position of `needle` in `text`, failing the test when it is absent.
std::size_t at(const std::string& text, const std::string& needle) {
    const auto p = text.find(needle);
    EXPECT_NE(p, std::string::npos) << "missing: " << needle << "\nin:\n" << text;
    return p;
}

const Attributes table_t = {
    {"schema", "app", "name", "app"},
    {"table", "app.t", "kind", "table"},
    {"table", "app.t", "persistence", "permanent"},
    {"column", "app.t.a", "type", "integer"},
    {"column", "app.t.a", "not_null", "false"},
};

Attributes with(Attributes base, const Attributes& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

}  // namespace

TEST(SchemaModel, IdentityPartsKeepQuotesAndArguments) {
    EXPECT_EQ(identity_parts("app.\"my.t\".c"), (std::vector<std::string>{"app", "\"my.t\"", "c"}));
    EXPECT_EQ(identity_parts("app.f(app.t,integer)"), (std::vector<std::string>{"app", "f(app.t,integer)"}));
    EXPECT_EQ(identity_parent("app.t.c"), "app.t");
    EXPECT_EQ(identity_name("app.\"a\"\"b\".c"), "c");
    EXPECT_EQ(identity_name("\"a\"\"b.c\""), "\"a\"\"b.c\"");
}

TEST(SchemaModel, LiteralsDoubleQuotes) {
    EXPECT_EQ(sql_literal("it's"), "'it''s'");
    EXPECT_EQ(sql_literal(""), "''");
    EXPECT_EQ(sql_literal("a\\b"), "'a\\b'");
}

TEST(SchemaModel, JsonStringArrays) {
    EXPECT_EQ(json_string_array("[\"a\", \"b\\\"c\", \"\\u00e9\"]"),
              (std::vector<std::string>{"a", "b\"c", "\xc3\xa9"}));
    EXPECT_TRUE(json_string_array("[]").empty());
    EXPECT_THROW(json_string_array("[1]"), std::invalid_argument);
    EXPECT_THROW(json_string_array("[\"a\""), std::invalid_argument);
}

TEST(SchemaModel, RestrictToSchemas) {
    const SchemaModel m = build_model({{"schema", "app", "name", "app"},
                                       {"schema", "\"Other\"", "name", "Other"},
                                       {"table", "app.t", "kind", "table"},
                                       {"table", "\"Other\".t", "kind", "table"},
                                       {"function", "app.f(\"Other\".t)", "kind", "function"},
                                       {"extension", "citext", "schema", "Other"}},
                                      {{{"table", "app.t"}, {"table", "\"Other\".t"}}});
    const SchemaModel app = restrict_to_schemas(m, {"app"});
    EXPECT_EQ(app.objects.size(), 3u);
    EXPECT_TRUE(app.find({"function", "app.f(\"Other\".t)"}));
    EXPECT_EQ(app.depends_on.size(), 1u);
    const SchemaModel other = restrict_to_schemas(m, {"Other"});
    EXPECT_EQ(other.objects.size(), 3u);
    EXPECT_TRUE(other.find({"extension", "citext"}));
    EXPECT_TRUE(restrict_to_schemas(m, {}).objects.empty());
}

TEST(SchemaModel, DependencyOrderFollowsEdgesThenRank) {
    const std::set<ObjectKey> nodes = {{"table", "b"}, {"table", "a"}, {"view", "v"}};
    std::map<ObjectKey, std::set<ObjectKey>> deps = {{{"table", "a"}, {{"table", "b"}}},
                                                    {{"view", "v"}, {{"table", "a"}}}};
    const auto order = dependency_order(nodes, deps, [](const ObjectKey&) { return 0; });
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(order[0].identity, "b");
    EXPECT_EQ(order[1].identity, "a");
    EXPECT_EQ(order[2].identity, "v");
}

TEST(SchemaModel, DependencyOrderSurvivesCycles) {
    const std::set<ObjectKey> nodes = {{"a", "1"}, {"b", "2"}};
    std::map<ObjectKey, std::set<ObjectKey>> deps = {{{"a", "1"}, {{"b", "2"}}}, {{"b", "2"}, {{"a", "1"}}}};
    EXPECT_EQ(dependency_order(nodes, deps, [](const ObjectKey& k) { return k.kind == "b" ? 0 : 1; })[0].kind, "b");
}

TEST(MigrationWriter, EqualSchemasGiveHeadersOnly) {
    const auto g = generate_migration(build_model(table_t), build_model(table_t));
    EXPECT_TRUE(g.empty);
    EXPECT_EQ(g.up.find("ALTER"), std::string::npos);
    EXPECT_EQ(g.up.find("SET lock_timeout"), std::string::npos);
}

TEST(MigrationWriter, HeaderNamesSourceHashAndLockTimeout) {
    GenerateOptions o;
    o.source = "schema.sql";
    o.source_hash = "abc";
    const auto g = generate_migration(build_model({}), build_model(table_t), o);
    at(g.up, "from schema.sql");
    at(g.up, "sha256: abc");
    at(g.up, "SET lock_timeout = '5s';");
    at(g.down, "from schema.sql");
}

TEST(MigrationWriter, NewTableWithColumnsInPositionOrder) {
    SchemaModel desired = build_model(with(table_t, {{"column", "app.t.b", "type", "text"},
                                                     {"column", "app.t.b", "not_null", "true"},
                                                     {"column", "app.t.b", "default", "'x'::text"}}));
    desired.positions = {{"app.t.b", 1}, {"app.t.a", 2}};
    const std::string u = generate_migration(build_model({}), desired).up;
    EXPECT_LT(at(u, "CREATE SCHEMA app;"), at(u, "CREATE TABLE app.t ("));
    EXPECT_LT(at(u, "b text DEFAULT 'x'::text NOT NULL"), at(u, "a integer"));
    const std::string d = generate_migration(build_model({}), desired).down;
    EXPECT_LT(at(d, "DROP TABLE app.t;"), at(d, "DROP SCHEMA app;"));
    at(d, "-- hazard: destructive: drops the table app.t");
}

TEST(MigrationWriter, ColumnsAddedDroppedAndChanged) {
    const Attributes desired = with(table_t, {{"column", "app.t.b", "type", "bigint"}});
    at(up(table_t, desired), "ALTER TABLE app.t ADD COLUMN b bigint;");
    const std::string d = down(table_t, desired);
    at(d, "--rename app.t.b=<new name>");
    at(d, "ALTER TABLE app.t DROP COLUMN b;");

    Attributes retyped = table_t;
    retyped[3].value = "bigint";
    const std::string u = up(table_t, retyped);
    at(u, "ALTER TABLE app.t ALTER COLUMN a TYPE bigint USING a::bigint;");
    at(u, "hazard: changing the type of app.t.a from integer to bigint rewrites app.t");
}

TEST(MigrationWriter, WideningVarcharIsNoRewrite) {
    Attributes a = table_t, b = table_t;
    a[3].value = "character varying(10)";
    b[3].value = "character varying(20)";
    const std::string u = up(a, b);
    at(u, "TYPE character varying(20)");
    EXPECT_EQ(u.find("rewrites"), std::string::npos);
}

TEST(MigrationWriter, SetNotNullGoesThroughAValidatedCheck) {
    Attributes b = table_t;
    b[4].value = "true";
    const std::string u = up(table_t, b);
    const auto add = at(u, "ADD CONSTRAINT \"t_a_not_null\" CHECK (a IS NOT NULL) NOT VALID;");
    const auto validate = at(u, "VALIDATE CONSTRAINT \"t_a_not_null\";");
    const auto set = at(u, "ALTER COLUMN a SET NOT NULL;");
    const auto drop = at(u, "DROP CONSTRAINT \"t_a_not_null\";");
    EXPECT_LT(add, validate);
    EXPECT_LT(validate, set);
    EXPECT_LT(set, drop);
    EXPECT_EQ(up(table_t, b, false).find("NOT VALID"), std::string::npos);
    at(down(table_t, b), "ALTER COLUMN a DROP NOT NULL;");
}

TEST(MigrationWriter, DefaultsAndIdentity) {
    Attributes b = with(table_t, {{"column", "app.t.a", "default", "42"}});
    at(up(table_t, b), "ALTER TABLE app.t ALTER COLUMN a SET DEFAULT 42;");
    at(down(table_t, b), "ALTER TABLE app.t ALTER COLUMN a DROP DEFAULT;");
    Attributes ident = with(table_t, {{"column", "app.t.a", "identity", "by default"},
                                      {"sequence", "app.t_a_seq", "owned_by", "app.t.a"},
                                      {"sequence", "app.t_a_seq", "increment", "1"}});
    ident[4].value = "true";
    const std::string u = up(table_t, ident);
    at(u, "ALTER TABLE app.t ALTER COLUMN a SET NOT NULL;");
    at(u, "ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME app.t_a_seq INCREMENT BY 1 NO CYCLE);");
    EXPECT_EQ(u.find("CREATE SEQUENCE"), std::string::npos);
    at(down(table_t, ident), "ALTER TABLE app.t ALTER COLUMN a DROP IDENTITY;");
}

TEST(MigrationWriter, ConstraintsOnExistingTablesAreAddedNotValidThenValidated) {
    const Attributes b = with(table_t, {{"constraint", "app.t.a_positive", "type", "check"},
                                        {"constraint", "app.t.a_positive", "definition", "CHECK ((a > 0))"},
                                        {"constraint", "app.t.a_positive", "validated", "true"}});
    const std::string u = up(table_t, b);
    EXPECT_LT(at(u, "ALTER TABLE app.t ADD CONSTRAINT a_positive CHECK ((a > 0)) NOT VALID;"),
              at(u, "ALTER TABLE app.t VALIDATE CONSTRAINT a_positive;"));
    at(up(table_t, b, false), "ADD CONSTRAINT a_positive CHECK ((a > 0));");
    at(down(table_t, b), "ALTER TABLE app.t DROP CONSTRAINT a_positive;");
    // On a table of the same script: no NOT VALID.
    const std::string fresh = up({}, b);
    EXPECT_EQ(fresh.find("NOT VALID"), std::string::npos);
    EXPECT_LT(at(fresh, "CREATE TABLE app.t"), at(fresh, "ADD CONSTRAINT a_positive"));
}

TEST(MigrationWriter, KeysOnExistingTablesUseAConcurrentIndex) {
    const Attributes b = with(table_t, {{"constraint", "app.t.t_pkey", "type", "primary key"},
                                        {"constraint", "app.t.t_pkey", "definition", "PRIMARY KEY (a)"},
                                        {"index", "app.t_pkey", "table", "app.t"},
                                        {"index", "app.t_pkey", "definition",
                                         "CREATE UNIQUE INDEX t_pkey ON app.t USING btree (a)"}});
    const std::string u = up(table_t, b);
    EXPECT_LT(at(u, "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON app.t USING btree (a);"),
              at(u, "ALTER TABLE app.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;"));
    const std::string d = down(table_t, b);
    at(d, "DROP CONSTRAINT t_pkey;");
    EXPECT_EQ(d.find("DROP INDEX"), std::string::npos);
}

TEST(MigrationWriter, ForeignKeysFollowTheirReferencedTables) {
    const Attributes b = with(table_t, {
        {"table", "app.u", "kind", "table"},
        {"column", "app.u.t_a", "type", "integer"},
        {"constraint", "app.u.u_fk", "type", "foreign key"},
        {"constraint", "app.u.u_fk", "definition", "FOREIGN KEY (t_a) REFERENCES app.t(a)"}});
    const std::vector<SchemaDependency> deps = {{{"constraint", "app.u.u_fk"}, {"column", "app.t.a"}}};
    const std::string u = up({}, b, true, deps);
    EXPECT_LT(at(u, "CREATE TABLE app.t"), at(u, "FOREIGN KEY (t_a) REFERENCES app.t(a)"));
    EXPECT_LT(at(u, "CREATE TABLE app.u"), at(u, "FOREIGN KEY (t_a) REFERENCES app.t(a)"));
    // Dropped: the referencing table first.
    const std::string d = generate_migration(build_model({}), build_model(b, deps)).down;
    EXPECT_LT(at(d, "DROP TABLE app.u;"), at(d, "DROP TABLE app.t;"));
}

TEST(MigrationWriter, IndexesConcurrentOnlyOnExistingPlainTables) {
    const Attributes b = with(table_t, {{"index", "app.t_a_idx", "table", "app.t"},
                                        {"index", "app.t_a_idx", "definition",
                                         "CREATE INDEX t_a_idx ON app.t USING btree (a)"}});
    at(up(table_t, b), "CREATE INDEX CONCURRENTLY t_a_idx ON app.t USING btree (a);");
    at(up({}, b), "CREATE INDEX t_a_idx ON app.t USING btree (a);");
    at(up(table_t, b, false), "CREATE INDEX t_a_idx ON app.t USING btree (a);");
    at(down(table_t, b), "DROP INDEX CONCURRENTLY app.t_a_idx;");
    Attributes changed = b;
    changed.back().value = "CREATE INDEX t_a_idx ON app.t USING hash (a)";
    const std::string u = up(b, changed);
    EXPECT_LT(at(u, "DROP INDEX CONCURRENTLY app.t_a_idx;"), at(u, "USING hash (a);"));
}

TEST(MigrationWriter, SequencesViewsFunctionsTriggersPolicies) {
    const Attributes b = with(table_t, {
        {"sequence", "app.s", "type", "bigint"},
        {"sequence", "app.s", "increment", "5"},
        {"view", "app.v", "kind", "view"},
        {"view", "app.v", "definition", " SELECT t.a\n   FROM app.t;"},
        {"view", "app.m", "kind", "materialized view"},
        {"view", "app.m", "definition", " SELECT 1 AS one;"},
        {"function", "app.f()", "kind", "function"},
        {"function", "app.f()", "definition",
         "CREATE OR REPLACE FUNCTION app.f()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$begin return new; end$function$\n"},
        {"trigger", "app.t.tg", "definition",
         "CREATE TRIGGER tg BEFORE UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION app.f()"},
        {"trigger", "app.t.tg", "enabled", "disabled"},
        {"policy", "app.t.p", "command", "SELECT"},
        {"policy", "app.t.p", "roles", "public"},
        {"policy", "app.t.p", "using", "(a > 0)"},
        {"policy", "app.t.p", "permissive", "true"}});
    const std::vector<SchemaDependency> deps = {{{"trigger", "app.t.tg"}, {"function", "app.f()"}},
                                                {{"view", "app.v"}, {"column", "app.t.a"}}};
    const std::string u = up(table_t, b, true, deps);
    at(u, "CREATE SEQUENCE app.s AS bigint INCREMENT BY 5 NO CYCLE;");
    at(u, "CREATE VIEW app.v AS\n SELECT t.a\n   FROM app.t;");
    at(u, "CREATE MATERIALIZED VIEW app.m AS\n SELECT 1 AS one;");
    EXPECT_LT(at(u, "$function$;"), at(u, "CREATE TRIGGER tg"));
    at(u, "ALTER TABLE app.t DISABLE TRIGGER tg;");
    at(u, "CREATE POLICY p ON app.t AS PERMISSIVE FOR SELECT TO PUBLIC USING ((a > 0));");
    const std::string d = generate_migration(build_model(table_t), build_model(b, deps)).down;
    at(d, "DROP MATERIALIZED VIEW app.m;");
    at(d, "DROP POLICY p ON app.t;");
    EXPECT_LT(at(d, "DROP TRIGGER tg ON app.t;"), at(d, "DROP FUNCTION app.f();"));
    at(d, "DROP SEQUENCE app.s;");
}

TEST(MigrationWriter, ChangedViewTakesItsDependentsAlong) {
    const Attributes a = {{"view", "app.v", "kind", "view"}, {"view", "app.v", "definition", " SELECT 1 AS x;"},
                          {"view", "app.w", "kind", "view"}, {"view", "app.w", "definition", " SELECT v.x FROM app.v;"}};
    Attributes b = a;
    b[1].value = " SELECT 2 AS x;";
    const std::vector<SchemaDependency> deps = {{{"view", "app.w"}, {"view", "app.v"}}};
    const std::string u = generate_migration(build_model(a, deps), build_model(b, deps)).up;
    EXPECT_LT(at(u, "DROP VIEW app.w;"), at(u, "DROP VIEW app.v;"));
    EXPECT_LT(at(u, "CREATE VIEW app.v AS"), at(u, "CREATE VIEW app.w AS"));
}

TEST(MigrationWriter, FunctionBodyChangeReplacesInPlaceReturnTypeChangeRecreates) {
    const Attributes a = {{"function", "app.f()", "definition",
                           "CREATE OR REPLACE FUNCTION app.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$select 1$function$\n"}};
    Attributes b = a;
    b[0].value = "CREATE OR REPLACE FUNCTION app.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$select 2$function$\n";
    const std::string u = up(a, b);
    at(u, "select 2$function$;");
    EXPECT_EQ(u.find("DROP FUNCTION"), std::string::npos);
    b[0].value = "CREATE OR REPLACE FUNCTION app.f()\n RETURNS bigint\n LANGUAGE sql\nAS $function$select 2$function$\n";
    EXPECT_LT(at(up(a, b), "DROP FUNCTION app.f();"), at(up(a, b), "RETURNS bigint"));
}

TEST(MigrationWriter, EnumsDomainsCompositeTypes) {
    const Attributes a = {{"type", "app.mood", "kind", "enum"}, {"type", "app.mood", "values", "[\"sad\", \"happy\"]"}};
    Attributes b = a;
    b[1].value = "[\"sad\", \"ok\", \"happy\", \"ecstatic\"]";
    const Attributes users = {{"table", "app.t", "kind", "table"},
                              {"column", "app.t.m", "type", "app.mood"},
                              {"column", "app.t.m", "default", "'sad'::app.mood"},
                              {"column", "app.t.ms", "type", "app.mood[]"}};
    const std::vector<SchemaDependency> deps = {{{"column", "app.t.m"}, {"type", "app.mood"}},
                                                {{"column", "app.t.ms"}, {"type", "app.mood"}}};
    const auto g = generate_migration(build_model(with(a, users), deps), build_model(with(b, users), deps));
    at(g.up, "ALTER TYPE app.mood ADD VALUE 'ok' BEFORE 'happy';");
    at(g.up, "ALTER TYPE app.mood ADD VALUE 'ecstatic';");
    // Coming down, values go: the type is built anew and its columns converted.
    EXPECT_TRUE(g.not_generated.empty());
    const auto rename = at(g.down, "ALTER TYPE app.mood RENAME TO mood__old;");
    const auto create = at(g.down, "CREATE TYPE app.mood AS ENUM ('sad', 'happy');");
    const auto drop_default = at(g.down, "ALTER TABLE app.t ALTER COLUMN m DROP DEFAULT;");
    const auto convert = at(g.down, "ALTER TABLE app.t ALTER COLUMN m TYPE app.mood USING m::text::app.mood;");
    at(g.down, "ALTER TABLE app.t ALTER COLUMN ms TYPE app.mood[] USING ms::text[]::app.mood[];");
    const auto set_default = at(g.down, "ALTER TABLE app.t ALTER COLUMN m SET DEFAULT 'sad'::app.mood;");
    const auto drop_old = at(g.down, "DROP TYPE app.mood__old;");
    EXPECT_LT(rename, create);
    EXPECT_LT(create, drop_default);
    EXPECT_LT(drop_default, convert);
    EXPECT_LT(convert, set_default);
    EXPECT_LT(set_default, drop_old);
    at(g.down, "hazard: the enum app.mood loses or reorders values");
    // A function taking the type would keep the old one alive: named, not generated.
    const Attributes fn = {{"function", "app.f(app.mood)", "definition", "CREATE OR REPLACE FUNCTION app.f(m app.mood)\n"}};
    const std::vector<SchemaDependency> fn_deps = {{{"function", "app.f(app.mood)"}, {"type", "app.mood"}}};
    const auto blocked = generate_migration(build_model(with(a, fn), fn_deps), build_model(with(b, fn), fn_deps));
    ASSERT_EQ(blocked.not_generated.size(), 1u);
    EXPECT_EQ(blocked.not_generated[0].rfind("down: type app.mood: an enum value is removed", 0), 0u);
    at(up({}, a), "CREATE TYPE app.mood AS ENUM ('sad', 'happy');");
    // A new value used in the same script cannot run: named.
    const Attributes used = with(b, {{"table", "app.t", "kind", "table"},
                                     {"column", "app.t.m", "type", "app.mood"},
                                     {"column", "app.t.m", "default", "'ok'::app.mood"}});
    const auto same = generate_migration(build_model(a), build_model(used));
    ASSERT_FALSE(same.not_generated.empty());
    EXPECT_NE(same.not_generated[0].find("the new value 'ok' is used in this same script"), std::string::npos);

    const Attributes domain = {{"type", "app.pos", "kind", "domain"},
                               {"type", "app.pos", "base_type", "integer"},
                               {"type", "app.pos", "not_null", "true"},
                               {"constraint", "app.pos.pos_check", "type", "check"},
                               {"constraint", "app.pos.pos_check", "definition", "CHECK ((VALUE > 0))"}};
    const std::string u = up({}, domain);
    EXPECT_LT(at(u, "CREATE DOMAIN app.pos AS integer NOT NULL;"),
              at(u, "ALTER DOMAIN app.pos ADD CONSTRAINT pos_check CHECK ((VALUE > 0));"));
    at(down({}, domain), "DROP DOMAIN app.pos;");

    const Attributes composite = {{"type", "app.pair", "kind", "composite"},
                                  {"column", "app.pair.x", "type", "integer"},
                                  {"column", "app.pair.y", "type", "text"}};
    at(up({}, composite), "CREATE TYPE app.pair AS (\n    x integer,\n    y text\n);");
    Attributes more = with(composite, {{"column", "app.pair.z", "type", "date"}});
    at(up(composite, more), "ALTER TYPE app.pair ADD ATTRIBUTE z date;");
    at(down(composite, more), "ALTER TYPE app.pair DROP ATTRIBUTE z;");
}

TEST(MigrationWriter, CommentsGrantsExtensionsSchemas) {
    const Attributes b = with(table_t, {{"table", "app.t", "comment", "it's a table"},
                                        {"column", "app.t.a", "acl", "reader=r/owner"},
                                        {"extension", "citext", "version", "1.6"},
                                        {"extension", "citext", "schema", "app"}});
    const std::string u = up(table_t, b);
    at(u, "COMMENT ON TABLE app.t IS 'it''s a table';");
    at(u, "GRANT SELECT (a) ON TABLE app.t TO reader;");
    at(u, "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA app VERSION '1.6';");
    const std::string d = down(table_t, b);
    at(d, "COMMENT ON TABLE app.t IS NULL;");
    at(d, "REVOKE ALL (a) ON TABLE app.t FROM reader;");
    at(d, "DROP EXTENSION citext;");
}

TEST(AclGrants, FromDefaultToCustomAndBack) {
    AclTarget fn{"ROUTINE app.f()", "", "X", "X"};
    // Revoked from PUBLIC, granted to a role with grant option.
    const auto s = acl_statements(fn, true, "", false, "owner=X/owner,app=X*/owner");
    EXPECT_EQ(s, (std::vector<std::string>{"REVOKE ALL ON ROUTINE app.f() FROM PUBLIC;",
                                           "GRANT EXECUTE ON ROUTINE app.f() TO app WITH GRANT OPTION;"}));
    const auto back = acl_statements(fn, false, "owner=X/owner,app=X*/owner", true, "");
    EXPECT_EQ(back, (std::vector<std::string>{"GRANT EXECUTE ON ROUTINE app.f() TO PUBLIC;",
                                              "REVOKE ALL ON ROUTINE app.f() FROM app;"}));
    EXPECT_TRUE(acl_statements(fn, true, "", true, "").empty());
    AclTarget table{"TABLE app.t", "", "arwdDxt", ""};
    EXPECT_EQ(acl_statements(table, false, "o=arwdDxt/o,\"a b\"=rw/o", false, "o=arwdDxt/o"),
              (std::vector<std::string>{"REVOKE ALL ON TABLE app.t FROM \"a b\";"}));
}

TEST(MigrationWriter, RenamesInsteadOfDropAndAdd) {
    const Attributes a = {{"table", "app.t", "kind", "table"}, {"column", "app.t.a", "type", "integer"}};
    const Attributes b = {{"table", "app.u", "kind", "table"}, {"column", "app.u.b", "type", "integer"}};
    GenerateOptions o;
    o.renames = {{"app.t", "app.u"}, {"app.u.a", "app.u.b"}};
    const auto g = generate_migration(build_model(a), build_model(b), o);
    EXPECT_LT(at(g.up, "ALTER TABLE app.t RENAME TO u;"), at(g.up, "ALTER TABLE app.u RENAME COLUMN a TO b;"));
    EXPECT_EQ(g.up.find("DROP"), std::string::npos);
    EXPECT_LT(at(g.down, "ALTER TABLE app.u RENAME COLUMN b TO a;"), at(g.down, "ALTER TABLE app.u RENAME TO t;"));
    EXPECT_TRUE(g.hazards.empty());
}

TEST(MigrationWriter, WhatCannotBeGeneratedIsNamed) {
    const Attributes a = {{"aggregate", "app.agg(integer)", "transition", "int4pl(integer,integer)"}};
    const auto g = generate_migration(build_model({}), build_model(a));
    ASSERT_EQ(g.not_generated.size(), 1u);
    at(g.up, "-- not generated: aggregate app.agg(integer)");
    at(g.down, "DROP AGGREGATE app.agg(integer);");
}

namespace {

// Views and materialized views over one another, as the server describes them: a view's
// dependencies name the columns it reads, not the relations.
struct ViewGraph {
    Attributes attributes;
    std::vector<SchemaDependency> deps;

    void view(const std::string& name, bool materialized, const std::string& definition,
              const std::vector<std::string>& reads) {
        const std::string id = "app." + name;
        attributes.push_back({"view", id, "kind", materialized ? "materialized view" : "view"});
        attributes.push_back({"view", id, "definition", definition});
        attributes.push_back({"column", id + ".x", "type", "integer"});
        for (const auto& r : reads)
            deps.push_back({{"view", id}, {"column", "app." + r + ".x"}});
    }
};

// Every view dropped before what it reads, created after it, each once.
void expect_dependency_order(const std::string& script, const ViewGraph& g) {
    const auto verb_at = [&](const std::string& verb, const std::string& id) {
        for (const char* kind : {"VIEW ", "MATERIALIZED VIEW "}) {
            const auto p = script.find(verb + kind + id + (verb == "DROP " ? ";" : " AS"));
            if (p != std::string::npos) {
                EXPECT_EQ(script.find(verb + kind + id + (verb == "DROP " ? ";" : " AS"), p + 1), std::string::npos)
                    << verb << id << " twice in:\n" << script;
                return p;
            }
        }
        ADD_FAILURE() << "no " << verb << id << " in:\n" << script;
        return std::string::npos;
    };
    for (const auto& d : g.deps) {
        const std::string dependent = d.dependent.identity;
        const std::string read = identity_parent(d.referenced.identity);
        EXPECT_LT(verb_at("DROP ", dependent), verb_at("DROP ", read)) << dependent << " reads " << read << ":\n" << script;
        EXPECT_LT(verb_at("CREATE ", read), verb_at("CREATE ", dependent)) << dependent << " reads " << read << ":\n" << script;
    }
}

}  // namespace

TEST(MigrationWriter, ChainOfViewsAndMaterializedViewsChangedTogether) {
    // t <- v1 <- m2 <- v3 <- m4, every definition changed at once
    const auto graph = [](const std::string& version) {
        ViewGraph g;
        g.attributes = table_t;
        g.view("v1", false, " SELECT t.a AS x FROM app.t" + version + ";", {});
        g.view("m2", true, " SELECT v1.x FROM app.v1" + version + ";", {"v1"});
        g.view("v3", false, " SELECT m2.x FROM app.m2" + version + ";", {"m2"});
        g.view("m4", true, " SELECT v3.x FROM app.v3" + version + ";", {"v3"});
        return g;
    };
    const ViewGraph a = graph(""), b = graph(" WHERE true");
    const auto g = generate_migration(build_model(a.attributes, a.deps), build_model(b.attributes, b.deps));
    expect_dependency_order(g.up, a);
    expect_dependency_order(g.down, a);
}

TEST(MigrationWriter, OnlyTheBottomOfAChainChangesTheRestIsRebuilt) {
    const auto graph = [](const std::string& base) {
        ViewGraph g;
        g.view("v1", false, base, {});
        g.view("v2", false, " SELECT v1.x FROM app.v1;", {"v1"});
        g.view("m3", true, " SELECT v2.x FROM app.v2;", {"v2"});
        return g;
    };
    const ViewGraph a = graph(" SELECT 1 AS x;"), b = graph(" SELECT 2 AS x;");
    const auto g = generate_migration(build_model(a.attributes, a.deps), build_model(b.attributes, b.deps));
    expect_dependency_order(g.up, a);
    expect_dependency_order(g.down, a);
}

TEST(MigrationWriter, DiamondsOfViewsAndMaterializedViews) {
    // v1 <- {v2, m3} <- m4 <- {v5, v6} <- v7, with some changed and some only rebuilt
    const auto graph = [](const std::string& changed) {
        ViewGraph g;
        g.view("v1", false, " SELECT 1 AS x" + changed + ";", {});
        g.view("v2", false, " SELECT v1.x FROM app.v1;", {"v1"});
        g.view("m3", true, " SELECT v1.x FROM app.v1" + changed + ";", {"v1"});
        g.view("m4", true, " SELECT v2.x FROM app.v2, app.m3;", {"v2", "m3"});
        g.view("v5", false, " SELECT m4.x FROM app.m4" + changed + ";", {"m4"});
        g.view("v6", false, " SELECT m4.x FROM app.m4;", {"m4"});
        g.view("v7", false, " SELECT v5.x FROM app.v5, app.v6;", {"v5", "v6"});
        return g;
    };
    const ViewGraph a = graph(""), b = graph(" WHERE true");
    const auto g = generate_migration(build_model(a.attributes, a.deps), build_model(b.attributes, b.deps));
    expect_dependency_order(g.up, a);
    expect_dependency_order(g.down, a);
}

TEST(MigrationWriter, DroppedViewsOverViewsGoTopFirst) {
    ViewGraph a;
    a.view("v1", false, " SELECT 1 AS x;", {});
    a.view("m2", true, " SELECT v1.x FROM app.v1;", {"v1"});
    a.view("v3", false, " SELECT m2.x FROM app.m2, app.v1;", {"m2", "v1"});
    const std::string u = generate_migration(build_model(a.attributes, a.deps), build_model({})).up;
    EXPECT_LT(at(u, "DROP VIEW app.v3;"), at(u, "DROP MATERIALIZED VIEW app.m2;"));
    EXPECT_LT(at(u, "DROP MATERIALIZED VIEW app.m2;"), at(u, "DROP VIEW app.v1;"));
}
