// Citus, seen from a node: whether its catalog is in this database, whether this backend is
// one of the connections Citus opens to do work on this node on another node's behalf, which
// objects are shards, and whether this node is a worker. Everything is looked up by name at
// run time (to_regclass('pg_catalog.pg_dist_partition')), so the extension neither needs nor
// links Citus. Call inside an SpiConnection.
#pragma once

#include <optional>
#include <string>

namespace ms::pg {

// CREATE EXTENSION citus ran in this database: its catalog tables are there.
bool citus_catalog_present();

// This backend is one of Citus's own connections between nodes (DDL propagation, shard
// creation, metadata sync, shard moves), by the application_name Citus gives them and by
// which Citus itself tells them apart; false where Citus is not installed.
bool citus_internal_backend();

// The object identity names a shard of a Citus table, or an index, constraint or trigger of
// one ("public.events_102008"): a shard id of pg_dist_shard at the end of one of its names.
bool citus_shard_object(const std::string& identity);

// On a Citus worker: the coordinator as "host:port" when this node's metadata knows it,
// or "unknown"; nullopt on the coordinator and where Citus is not installed.
std::optional<std::string> citus_worker_of();

// Refuses, naming the coordinator, when this node is a Citus worker: migrations run on the
// coordinator, which propagates their DDL to the workers.
void refuse_on_citus_worker(const char* function);

}  // namespace ms::pg
