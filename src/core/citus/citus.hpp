// What the extension needs to know about Citus without depending on it: how Citus names
// the connections it opens to run work on a node on another node's behalf, and how it names
// the shards of a distributed table. The server side looks the rest up in Citus's catalog
// (pg_dist_*) by name, only when it is there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ms::core {

// Citus's connections between nodes carry an application_name that starts with
// "citus_internal gpid=" (DDL propagation, metadata sync, shard creation) or
// "citus_rebalancer gpid=" (shard moves and splits); Citus itself decides by this name
// whether a backend is one of its own (IsCitusInternalBackend). Connections made for
// run_command_on_*() ("citus_run_command gpid=") carry a user's command and are not internal.
bool is_citus_internal_application(const std::string& application_name);

// The shard ids an object identity may name: Citus names a shard, and each index and
// constraint on it, after the object with '_' and the shard id appended ("public.t_102008",
// "t_pkey_102008 on public.t_102008"). Each dot- or space-separated part of the identity
// that ends in '_' and digits gives one candidate, in order, without repeats; whether it is
// a shard is for pg_dist_shard to say.
std::vector<std::uint64_t> shard_id_candidates(const std::string& identity);

// What a lint finding on a Citus table adds: a lock or rewrite of a distributed table
// happens on each of its shards, over the workers. distribution: hash, range, append,
// reference (bytes: over all the workers, as citus_total_relation_size tells); empty for a
// table whose data stays on the coordinator (a citus local table), which needs no note.
std::string citus_finding_note(const std::string& distribution, long long shards,
                               std::optional<long long> bytes);

// A size as pg_size_pretty() prints it: "9000 bytes", "10 kB", "12 MB", ...
std::string pretty_size(long long bytes);

}  // namespace ms::core
