#include "core/citus/citus.hpp"

#include <gtest/gtest.h>

using ms::core::citus_finding_note;
using ms::core::is_citus_internal_application;
using ms::core::pretty_size;
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
    EXPECT_TRUE(shard_id_candidates("public.\"t_1\"\"2\"").empty());
}

TEST(Citus, SizesPrintAsPgSizePretty) {
    EXPECT_EQ(pretty_size(0), "0 bytes");
    EXPECT_EQ(pretty_size(10239), "10239 bytes");
    EXPECT_EQ(pretty_size(10240), "10 kB");
    EXPECT_EQ(pretty_size(10239 * 1024), "10239 kB");
    EXPECT_EQ(pretty_size(10 * 1024 * 1024 - 1), "10 MB");
    EXPECT_EQ(pretty_size(10 * 1024 * 1024), "10 MB");
    EXPECT_EQ(pretty_size(3LL * 1024 * 1024 * 1024 * 1024 * 1024), "3072 TB");
}

TEST(Citus, FindingsOnDistributedTablesNameShardsAndSize) {
    EXPECT_EQ(citus_finding_note("hash", 32, 1LL << 30),
              "Citus: a hash-distributed table of 32 shards, 1024 MB over the workers; each "
              "shard takes the lock and does the work");
    EXPECT_EQ(citus_finding_note("range", 1, std::nullopt),
              "Citus: a range-distributed table of 1 shard; each shard takes the lock and does "
              "the work");
    EXPECT_EQ(citus_finding_note("reference", 1, 16384),
              "Citus: a reference table, copied to every node, 16 kB over the workers; each "
              "copy takes the lock and does the work");
    EXPECT_EQ(citus_finding_note("citus local", 1, 16384), "");
}
