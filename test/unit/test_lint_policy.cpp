#include "core/lint/policy.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using ms::core::effective_severity;
using ms::core::FailureKind;
using ms::core::LintRule;
using ms::core::LintSeverity;
using ms::core::parse_lint_policy;
using ms::test::failure_of;
using ms::test::kind_of;

TEST(LintPolicy, EmptyKeepsEveryRuleAtItsOwnSeverityAndStyleOff) {
    const auto policy = parse_lint_policy("");
    EXPECT_EQ(effective_severity(policy, LintRule::Destructive), LintSeverity::Warning);
    EXPECT_EQ(effective_severity(policy, LintRule::NoLockTimeout), LintSeverity::Info);
    EXPECT_EQ(effective_severity(policy, LintRule::PreferBigint), std::nullopt);
}

TEST(LintPolicy, PresetsAndItemsLaterOnesWin) {
    const auto policy = parse_lint_policy(" additive-only , style, destructive=warning,prefer-text=off");
    EXPECT_EQ(effective_severity(policy, LintRule::Rename), LintSeverity::Error);
    EXPECT_EQ(effective_severity(policy, LintRule::Destructive), LintSeverity::Warning);
    EXPECT_EQ(effective_severity(policy, LintRule::PreferBigint), LintSeverity::Warning);
    EXPECT_EQ(effective_severity(policy, LintRule::PreferText), std::nullopt);
    const auto later = parse_lint_policy("destructive=off, additive-only");
    EXPECT_EQ(effective_severity(later, LintRule::Destructive), LintSeverity::Error);
}

TEST(LintPolicy, OnlineSafeMakesBlockingLocksErrors) {
    const auto policy = parse_lint_policy("online-safe");
    EXPECT_EQ(effective_severity(policy, LintRule::IndexNotConcurrent), LintSeverity::Error);
    EXPECT_EQ(effective_severity(policy, LintRule::NoLockTimeout), LintSeverity::Warning);
    EXPECT_EQ(effective_severity(policy, LintRule::Destructive), LintSeverity::Warning);
}

TEST(LintPolicy, UnreadableItemsAreNamed) {
    for (const char* bad : {"nosuch-preset", "destructive=fatal", "no-such-rule=error",
                            "syntax-error=off", "=error"}) {
        const auto failure = failure_of([&] { parse_lint_policy(bad); });
        ASSERT_TRUE(failure) << bad;
        EXPECT_EQ(failure->kind(), FailureKind::InvalidValue);
        EXPECT_NE(std::string(failure->what()).find("invalid item"), std::string::npos);
        EXPECT_NE(failure->hint().find("online-safe, additive-only, style"), std::string::npos);
    }
}

TEST(LintPolicy, EveryRuleIdIsKnownAndUnique) {
    std::set<std::string> ids;
    for (const auto& r : ms::core::lint_rules()) {
        EXPECT_TRUE(ids.insert(r.id).second) << r.id;
        EXPECT_EQ(ms::core::lint_rule_by_id(r.id), r.rule);
        EXPECT_EQ(&ms::core::lint_rule_info(r.rule), &r) << r.id << " is out of enum order";
    }
}
