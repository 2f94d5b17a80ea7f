#include "core/lint/ignore.hpp"
#include "core/lint/rules.hpp"
#include "core/lint/volatility.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace ms::core;

TEST(LintRules, IdsAreUniqueAndFindable) {
    std::set<std::string> ids;
    for (const auto& r : lint_rules()) {
        EXPECT_TRUE(ids.insert(r.id).second) << r.id;
        EXPECT_EQ(lint_rule_by_id(r.id), r.rule);
        EXPECT_EQ(lint_rule_info(r.rule).id, std::string(r.id));
        EXPECT_NE(std::string(r.hint), "");
    }
    EXPECT_EQ(ids.size(), 37u);
    EXPECT_EQ(lint_rule_by_id("no-such-rule"), std::nullopt);
    EXPECT_EQ(lint_rule_by_id("INDEX-NOT-CONCURRENT"), std::nullopt);
}

TEST(LintRules, SeveritiesAsIssueFiveSetsThem) {
    auto severity = [](LintRule r) {
        return std::string(lint_severity_name(lint_rule_info(r).severity));
    };
    EXPECT_EQ(severity(LintRule::SyntaxError), "error");
    EXPECT_EQ(severity(LintRule::ConcurrentlyInTransaction), "error");
    EXPECT_EQ(severity(LintRule::AddColumnNotNullNoDefault), "error");
    EXPECT_EQ(severity(LintRule::EnumValueUsedSameTransaction), "error");
    EXPECT_EQ(severity(LintRule::InvalidIndexExists), "error");
    EXPECT_EQ(severity(LintRule::IndexNotConcurrent), "warning");
    EXPECT_EQ(severity(LintRule::UnboundedDml), "warning");
    EXPECT_EQ(severity(LintRule::NoLockTimeout), "info");
    EXPECT_EQ(std::string(lint_rule_info(LintRule::IndexNotConcurrent).id), "index-not-concurrent");
}

TEST(LintIgnore, ParsesTheDirective) {
    auto d = parse_lint_ignore("-- migrate:lint-ignore index-not-concurrent  table is tiny ");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule, "index-not-concurrent");
    EXPECT_EQ(d->reason, "table is tiny");
    d = parse_lint_ignore("  --MIGRATE:LINT-IGNORE\tdestructive");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->rule, "destructive");
    EXPECT_EQ(d->reason, "");
}

TEST(LintIgnore, RejectsEverythingElse) {
    EXPECT_FALSE(parse_lint_ignore(""));
    EXPECT_FALSE(parse_lint_ignore("-- migrate:lint-ignore"));
    EXPECT_FALSE(parse_lint_ignore("-- migrate:lint-ignore   "));
    EXPECT_FALSE(parse_lint_ignore("-- migrate:lint-ignored destructive"));
    EXPECT_FALSE(parse_lint_ignore("-- lint-ignore destructive"));
    EXPECT_FALSE(parse_lint_ignore("SELECT 1; -- migrate:lint-ignore destructive"));
    EXPECT_FALSE(parse_lint_ignore("/* migrate:lint-ignore destructive */"));
}

TEST(LintIgnore, OnlyTheLinesDirectlyAbove) {
    const std::string script =
        "-- migrate:lint-ignore rename far away\n"
        "SELECT 1;\n"
        "-- migrate:lint-ignore destructive old table\n"
        "-- migrate:lint-ignore no-lock-timeout\n"
        "DROP TABLE t;\n"
        "-- migrate:lint-ignore rename\n"
        "\n"
        "ALTER TABLE a RENAME TO b;\n";
    EXPECT_TRUE(lint_ignores_before(script, script.find("SELECT")).size() == 1);
    const auto drop = lint_ignores_before(script, script.find("DROP"));
    ASSERT_EQ(drop.size(), 2u);
    EXPECT_EQ(drop[0].rule, "no-lock-timeout");
    EXPECT_EQ(drop[1].rule, "destructive");
    EXPECT_EQ(drop[1].reason, "old table");
    // A blank line separates the directive from the statement.
    EXPECT_TRUE(lint_ignores_before(script, script.find("ALTER")).empty());
    EXPECT_TRUE(lint_ignores_before(script, 0).empty());
}

TEST(LintIgnore, CrLfAndMidLineStatements) {
    const std::string script = "-- migrate:lint-ignore destructive\r\nSELECT 1; DROP TABLE t;\r\n";
    EXPECT_EQ(lint_ignores_before(script, script.find("DROP")).size(), 1u);
    const std::string cr = "-- migrate:lint-ignore destructive\rDROP TABLE t;";
    EXPECT_EQ(lint_ignores_before(cr, cr.find("DROP")).size(), 1u);
}

TEST(LintVolatility, FromTheCatalogCode) {
    EXPECT_EQ(volatility_from_code('i'), Volatility::Immutable);
    EXPECT_EQ(volatility_from_code('s'), Volatility::Stable);
    EXPECT_EQ(volatility_from_code('v'), Volatility::Volatile);
    EXPECT_EQ(volatility_from_code('x'), Volatility::Unknown);
    EXPECT_EQ(most_volatile(Volatility::Stable, Volatility::Volatile), Volatility::Volatile);
    EXPECT_EQ(most_volatile(Volatility::Unknown, Volatility::Immutable), Volatility::Unknown);
    EXPECT_EQ(std::string(volatility_name(Volatility::Stable)), "stable");
}

TEST(LintVolatility, KnownVolatileNamesAndSerials) {
    EXPECT_TRUE(is_known_volatile_function("clock_timestamp"));
    EXPECT_TRUE(is_known_volatile_function("gen_random_uuid"));
    EXPECT_TRUE(is_known_volatile_function("random"));
    EXPECT_FALSE(is_known_volatile_function("now"));  // stable: evaluated once, no rewrite
    EXPECT_FALSE(is_known_volatile_function("lower"));
    EXPECT_TRUE(is_serial_type("bigserial"));
    EXPECT_TRUE(is_serial_type("serial4"));
    EXPECT_FALSE(is_serial_type("int8"));
}
