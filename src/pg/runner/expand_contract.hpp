// CALL migrate_start(), migrate_complete() and migrate_abort(): the next pending migration,
// marked "-- migrate:expand-contract", run in two phases while an old and a new version of
// an application use the database (core/plan/expand_contract.hpp decides what each does).
//
// Each holds the project's runner lease for its whole call, commits its work in short
// transactions under migrations_schema.lock_timeout (lock timeouts are retried), runs
// CONCURRENTLY statements and the backfill's batches at top level in the background worker,
// and records a schema snapshot at the end: the version schemas, their views and the sync
// triggers are the runner's work, not drift.
#pragma once

#include <string>

namespace ms::pg {

struct StartRequest {
    std::string project;
    int batch_size = 1000;  // rows per backfill batch
    int pause_ms = 0;       // between batches: the throttle
    bool atomic = true;     // called inside a transaction block: refused
};

// Expands, then backfills; called again after an interruption, it resumes the backfill
// where the last committed batch ended.
void start_expansion(const StartRequest& request);

// Checks the backfill whole, refuses while a session's application_name is the old
// version's schema, then contracts and records the migration applied.
void complete_expansion(const std::string& project, bool atomic);

// Removes what start added; the migration is pending again.
void abort_expansion(const std::string& project, bool atomic);

}  // namespace ms::pg
