#include "core/dry_run.hpp"

#include <gtest/gtest.h>

using ms::core::compare_states;
using ms::core::RelationState;

TEST(DryRun, ReportsOnlyLocksTakenDuringTheMigration) {
    RelationState before{{}, {"app.a AccessShareLock"}};
    RelationState after{{}, {"app.a AccessShareLock", "app.b ShareLock", "app.a AccessExclusiveLock"}};
    const auto effects = compare_states(before, after);
    EXPECT_EQ(effects.locks,
              (std::vector<std::string>{"app.a AccessExclusiveLock", "app.b ShareLock"}));
}

TEST(DryRun, ARewriteIsNewStorageForARelationThatExistedBefore) {
    RelationState before{{{"app.a", "100"}, {"app.b", "200"}}, {}};
    RelationState after{{{"app.a", "300"}, {"app.b", "200"}, {"app.new", "400"}}, {}};
    const auto effects = compare_states(before, after);
    EXPECT_EQ(effects.rewritten, (std::vector<std::string>{"app.a"}));
}

TEST(DryRun, NothingChangedReportsNothing) {
    RelationState same{{{"app.a", "1"}}, {"app.a AccessShareLock"}};
    const auto effects = compare_states(same, same);
    EXPECT_TRUE(effects.locks.empty());
    EXPECT_TRUE(effects.rewritten.empty());
}
