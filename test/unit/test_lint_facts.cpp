#include "core/lint/facts.hpp"

#include <gtest/gtest.h>

using namespace ms::core;

TEST(LintFacts, LargeTableThreshold) {
    EXPECT_FALSE(is_large_table(std::nullopt, std::nullopt));
    EXPECT_FALSE(is_large_table(large_table_rows, large_table_bytes));
    EXPECT_TRUE(is_large_table(large_table_rows + 1, 0LL));
    EXPECT_TRUE(is_large_table(0.0, large_table_bytes + 1));
    EXPECT_TRUE(is_large_table(std::nullopt, large_table_bytes + 1));
}

TEST(LintFacts, RowEstimateScalesTheMeasuredDensity) {
    // 1000 rows in 10 pages when analyzed, 20 pages now.
    EXPECT_DOUBLE_EQ(estimate_rows({1000, 10, 20, 8}, 8192), 2000);
    EXPECT_DOUBLE_EQ(estimate_rows({1000, 10, 0, 8}, 8192), 0);
}

TEST(LintFacts, RowEstimateWithoutStatisticsUsesTheRowWidth) {
    // Never analyzed: (8192 - 24) / (8 + 24 + 4) = 226 rows per page.
    EXPECT_DOUBLE_EQ(estimate_rows({-1, 0, 1, 8}, 8192), 226);
    EXPECT_DOUBLE_EQ(estimate_rows({-1, 0, 3, 8}, 8192), 678);
    // Analyzed while empty, filled since.
    EXPECT_DOUBLE_EQ(estimate_rows({0, 0, 1, 8}, 8192), 226);
    EXPECT_DOUBLE_EQ(estimate_rows({-1, 0, 0, 8}, 8192), 0);
}

TEST(LintFacts, LockTimeoutValues) {
    EXPECT_FALSE(timeout_is_enabled("0"));
    EXPECT_FALSE(timeout_is_enabled("0ms"));
    EXPECT_FALSE(timeout_is_enabled(" 0s"));
    EXPECT_FALSE(timeout_is_enabled("0.0"));
    EXPECT_FALSE(timeout_is_enabled(""));
    EXPECT_TRUE(timeout_is_enabled("5s"));
    EXPECT_TRUE(timeout_is_enabled("2000"));
    EXPECT_TRUE(timeout_is_enabled("10ms"));
    EXPECT_TRUE(timeout_is_enabled("0.5s"));
    EXPECT_TRUE(timeout_is_enabled("1min"));
}

TEST(LintFacts, EnumValueMentions) {
    EXPECT_TRUE(literal_mentions_value("sad", "sad"));
    EXPECT_FALSE(literal_mentions_value("saddle", "sad"));
    EXPECT_TRUE(literal_mentions_value(" UPDATE t SET m = 'sad'; ", "sad"));
    EXPECT_FALSE(literal_mentions_value(" UPDATE t SET m = 'happy'; ", "sad"));
    EXPECT_TRUE(literal_mentions_value("x = 'it''s'", "it's"));
}

TEST(LintFacts, LockModeWords) {
    EXPECT_EQ(lock_mode_words("AccessExclusiveLock"), "ACCESS EXCLUSIVE");
    EXPECT_EQ(lock_mode_words("ShareRowExclusiveLock"), "SHARE ROW EXCLUSIVE");
    EXPECT_EQ(lock_mode_words("ShareLock"), "SHARE");
}

TEST(LintFacts, ScriptRelations) {
    ScriptRelations created;
    created.add("", "orders");
    created.add("app", "users");
    EXPECT_TRUE(created.contains("", "orders"));
    EXPECT_TRUE(created.contains("app", "orders"));  // unqualified matches any schema
    EXPECT_TRUE(created.contains("app", "users"));
    EXPECT_TRUE(created.contains("", "users"));
    EXPECT_FALSE(created.contains("other", "users"));
    EXPECT_FALSE(created.contains("", "Users"));
}
