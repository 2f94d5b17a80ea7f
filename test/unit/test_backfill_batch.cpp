#include "core/plan/backfill_batch.hpp"

#include <gtest/gtest.h>

using namespace ms::core;

TEST(BackfillBatch, WithoutABoundEveryBatchIsTheLargest) {
    EXPECT_EQ(next_batch_size({10, 5000.0, true}, 1000, 0), 1000);
    EXPECT_EQ(next_batch_size({10, 5000.0, false}, 1000, -1), 1000);
}

TEST(BackfillBatch, ACancelledBatchIsTakenAgainAtHalfItsSize) {
    EXPECT_EQ(next_batch_size({1000, 300.0, true}, 1000, 300), 500);
    EXPECT_EQ(next_batch_size({1, 300.0, true}, 1000, 300), 1);
}

TEST(BackfillBatch, TheSizeFollowsTheTimeTaken) {
    EXPECT_EQ(next_batch_size({800, 151.0, false}, 1000, 300), 400);  // over half the bound
    EXPECT_EQ(next_batch_size({800, 150.0, false}, 1000, 300), 800);  // between a quarter and a half
    EXPECT_EQ(next_batch_size({800, 75.0, false}, 1000, 300), 800);
    EXPECT_EQ(next_batch_size({300, 74.0, false}, 1000, 300), 600);   // under a quarter
    EXPECT_EQ(next_batch_size({800, 10.0, false}, 1000, 300), 1000);  // never above the largest
}

TEST(BackfillBatch, SizesStayWithinOneAndTheLargest) {
    for (long rows : {-5L, 0L, 1L, 7L, 1000L, 5000L})
        for (double ms : {0.0, 74.0, 100.0, 200.0, 1000.0})
            for (bool cancelled : {false, true}) {
                const long n = next_batch_size({rows, ms, cancelled}, 1000, 300);
                EXPECT_GE(n, 1);
                EXPECT_LE(n, 1000);
            }
    EXPECT_EQ(next_batch_size({5, 10.0, false}, 0, 300), 1);
}
