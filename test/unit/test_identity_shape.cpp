#include "core/schema/identity_shape.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using ms::core::build_model;
using ms::core::check_identities;
using ms::core::FailureKind;
using ms::core::identity_problem;
using ms::core::SchemaAttribute;
using ms::test::failure_of;

TEST(IdentityShape, WhatTheFingerprintPrintsIsAccepted) {
    const std::vector<std::pair<std::string, std::string>> good = {
        {"schema", "app"},
        {"schema", "\"My App\""},
        {"extension", "pg_trgm"},
        {"table", "app.t"},
        {"table", "\"a.b\".\"t \"\"quoted\"\"\""},
        {"column", "app.t.c_1"},
        {"constraint", "app.t.t_pkey"},
        {"index", "app.\"T_idx\""},
        {"function", "app.f()"},
        {"function", "app.f(integer, character varying, app.mood, \"My Type\"[], timestamp with time zone)"},
        {"aggregate", "\"x y\".agg(\"char\", double precision)"},
        {"type", "app.\"weird;type\""},
        {"unknown kind", "a.b.c.d"},
    };
    for (const auto& [kind, identity] : good)
        EXPECT_FALSE(identity_problem(kind, identity)) << kind << " " << identity << ": "
                                                       << *identity_problem(kind, identity);
}

TEST(IdentityShape, AnythingThatWouldBeMoreThanANameIsRefused) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"table", "gen.x; DROP TABLE app.t"},
        {"table", "gen.x (id int); DROP TABLE app.t; CREATE TABLE gen.y"},
        {"table", "app.T"},                       // quote_ident() would quote it
        {"table", "app.\"t"},                     // unclosed quote
        {"table", "app.\"\""},                    // empty name
        {"table", "app..t"},
        {"table", "app.t."},
        {"table", "app"},                         // one name short
        {"column", "app.t"},
        {"schema", "app.t"},
        {"table", "app.t --"},
        {"table", "app.t\n"},
        {"function", "app.f"},
        {"function", "app.f(integer); DROP TABLE app.t; --)"},
        {"function", "app.f(integer; DROP TABLE app.t)"},
        {"function", "app.f(integer /* x */)"},
        {"function", "app.f(integer -- x\n)"},
        {"function", "app.f(integer) x"},
        {"function", "app.f(integer"},
        {"function", "app.f('x')"},
        {"sequence", "1app.s"},
        {"table", ""},
    };
    for (const auto& [kind, identity] : bad)
        EXPECT_TRUE(identity_problem(kind, identity)) << kind << " " << identity;
}

TEST(IdentityShape, ModelCheckNamesTheArgumentAndEveryPlaceIdentitiesAppear) {
    const std::vector<SchemaAttribute> good = {{"table", "app.t", "kind", "table"}};
    EXPECT_FALSE(failure_of([&] { check_identities(build_model(good), "desired"); }));

    const std::vector<SchemaAttribute> bad = {{"table", "gen.x; DROP TABLE app.t", "kind", "table"}};
    const auto f = failure_of([&] { check_identities(build_model(bad), "desired"); });
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind(), FailureKind::InvalidValue);
    EXPECT_NE(std::string(f->what()).find("desired is not a schema fingerprint"), std::string::npos);
    EXPECT_NE(std::string(f->what()).find("gen.x; DROP TABLE app.t"), std::string::npos);

    // In a dependency, a position or an implied object only.
    const auto dep = failure_of([&] {
        check_identities(build_model(good, {{{"table", "app.t"}, {"schema", "app; DROP"}}}), "desired");
    });
    ASSERT_TRUE(dep);
    const auto position = failure_of([&] {
        check_identities(build_model(good, {}, {{"app.t.c; DROP", 1}}), "desired");
    });
    ASSERT_TRUE(position);
    const auto implied = failure_of([&] {
        check_identities(build_model(good, {}, {}, {{{"column", "app.t.c"}, {"table", "x y"}}}),
                         "desired");
    });
    ASSERT_TRUE(implied);
}
