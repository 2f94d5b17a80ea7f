#include "core/citus.hpp"

#include <gtest/gtest.h>

using ms::core::is_citus_internal_application;
using ms::core::shard_id_candidates;

TEST(Citus, InternalConnectionsAreKnownByTheirApplicationName) {
    EXPECT_TRUE(is_citus_internal_application("citus_internal gpid=10000001234"));
    EXPECT_TRUE(is_citus_internal_application("citus_rebalancer gpid=10000001234"));
    // A user's command sent by run_command_on_workers() is the user's.
    EXPECT_FALSE(is_citus_internal_application("citus_run_command gpid=10000001234"));
    EXPECT_FALSE(is_citus_internal_application("psql"));
    EXPECT_FALSE(is_citus_internal_application(""));
    EXPECT_FALSE(is_citus_internal_application("my citus_internal gpid=1"));
    EXPECT_FALSE(is_citus_internal_application("citus_internal"));
}

TEST(Citus, ShardIdsAreTheDigitsAfterTheLastUnderscoreOfAPart) {
    EXPECT_EQ(shard_id_candidates("public.events_102008"), std::vector<std::uint64_t>{102008});
    EXPECT_EQ(shard_id_candidates("events_pkey_102008 on public.events_102008"),
              std::vector<std::uint64_t>{102008});
    EXPECT_EQ(shard_id_candidates("app.\"Big Table_102010\""), std::vector<std::uint64_t>{102010});
    EXPECT_EQ(shard_id_candidates("idx_102011 on public.t_102009"),
              (std::vector<std::uint64_t>{102011, 102009}));
}

TEST(Citus, NamesWithoutAShardSuffixGiveNone) {
    EXPECT_TRUE(shard_id_candidates("public.events").empty());
    EXPECT_TRUE(shard_id_candidates("public.events_").empty());
    EXPECT_TRUE(shard_id_candidates("public._102008").empty());
    EXPECT_TRUE(shard_id_candidates("public.events_12a").empty());
    EXPECT_TRUE(shard_id_candidates("public.events_-1").empty());
    EXPECT_TRUE(shard_id_candidates("public.events_+1").empty());
    EXPECT_TRUE(shard_id_candidates("public.events_99999999999999999999999").empty());
    EXPECT_TRUE(shard_id_candidates("").empty());
}
