#include "core/plan/dry_run.hpp"

#include <gtest/gtest.h>

using ms::core::compare_states;
using ms::core::RelationState;

TEST(DryRun, ReportsOnlyLocksTakenDuringTheMigration) {
    RelationState before{{}, {"app.a AccessShareLock"}, {}};
    RelationState after{{}, {"app.a AccessShareLock", "app.b ShareLock", "app.a AccessExclusiveLock"}, {}};
    const auto effects = compare_states(before, after);
    EXPECT_EQ(effects.locks,
              (std::vector<std::string>{"app.a AccessExclusiveLock", "app.b ShareLock"}));
}

TEST(DryRun, ARewriteIsNewStorageForARelationThatExistedBefore) {
    RelationState before{{{"app.a", "100"}, {"app.b", "200"}}, {}, {}};
    RelationState after{{{"app.a", "300"}, {"app.b", "200"}, {"app.new", "400"}}, {}, {}};
    const auto effects = compare_states(before, after);
    EXPECT_EQ(effects.rewritten, (std::vector<std::string>{"app.a"}));
}

TEST(DryRun, NothingChangedReportsNothing) {
    RelationState same{{{"app.a", "1"}}, {"app.a AccessShareLock"}, {}};
    const auto effects = compare_states(same, same);
    EXPECT_TRUE(effects.locks.empty());
    EXPECT_TRUE(effects.rewritten.empty());
}

TEST(DryRun, ALockAnEarlierMigrationTookIsStillReportedWhenThisOneNeedsIt) {
    // 001 took ACCESS EXCLUSIVE on app.a; 003 alters app.a too.
    RelationState before{{}, {"app.a AccessExclusiveLock"}, {{"app.a", 8192}}};
    RelationState after{{}, {"app.a AccessExclusiveLock", "app.b ShareLock"},
                        {{"app.a", 8192}, {"app.b", 16384}}};
    const auto effects = compare_states(before, after, {"app.a AccessExclusiveLock"});
    EXPECT_EQ(effects.locks,
              (std::vector<std::string>{"app.a AccessExclusiveLock", "app.b ShareLock"}));
    EXPECT_EQ(effects.bytes, (std::map<std::string, long long>{{"app.a", 8192}, {"app.b", 16384}}));
}

TEST(DryRun, ANeededLockThatIsNotHeldIsNotInvented) {
    RelationState state{{}, {"app.a AccessShareLock"}, {}};
    const auto effects = compare_states(state, state, {"app.zz AccessExclusiveLock"});
    EXPECT_TRUE(effects.locks.empty());
}

TEST(DryRun, AValueAddedByAnEarlierMigrationNamesThatMigration) {
    const std::vector<ms::core::AddedEnumValue> earlier{{"active", "migration 010"},
                                                       {"revoked", "migration 011"}};
    EXPECT_EQ(ms::core::commit_needed_from(
                  earlier, "unsafe use of new value \"revoked\" of enum type status"),
              std::optional<std::string>("migration 011"));
}

TEST(DryRun, AValueNotAddedEarlierIsAnErrorOfTheRunToo) {
    const std::vector<ms::core::AddedEnumValue> earlier{{"revoked", "migration 011"}};
    EXPECT_EQ(ms::core::commit_needed_from(
                  earlier, "unsafe use of new value \"paused\" of enum type status"),
              std::nullopt);
    EXPECT_EQ(ms::core::commit_needed_from({}, "unsafe use of new value \"revoked\""),
              std::nullopt);
}

TEST(DryRun, AQuotedMatchWinsOverALabelInsideAnother) {
    const std::vector<ms::core::AddedEnumValue> earlier{{"a", "migration 1"},
                                                       {"paused", "migration 2"}};
    EXPECT_EQ(ms::core::commit_needed_from(
                  earlier, "unsafe use of new value \"paused\" of enum type status"),
              std::optional<std::string>("migration 2"));
    // A translation that quotes otherwise still finds it.
    EXPECT_EQ(ms::core::commit_needed_from({{"revoked", "migration 011"}},
                                           "unsichere Verwendung des neuen Werts »revoked«"),
              std::optional<std::string>("migration 011"));
}
