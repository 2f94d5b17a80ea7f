// Statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY,
// VACUUM, ...) cannot run through SPI. Each runs as a top-level statement in a dynamic
// background worker, connected to the same database as the calling role with the caller's
// settings; errors and notices travel back over a shared-memory queue and are raised here.
#pragma once

#include <string>

namespace ms::pg {

// Runs one statement in a worker and waits for it. The caller must hold no snapshot (commit
// first): CREATE INDEX CONCURRENTLY waits for every older snapshot, the caller's included.
// A cancel or termination of the caller terminates the worker. Throws PgError.
void run_at_top_level(const std::string& sql, const std::string& context);

// The same with the statement bounded: false if it ran past bound_ms and was cancelled
// there (rolled back; nothing of it stays). The caller's statement_timeout does not apply.
bool run_at_top_level_within(const std::string& sql, const std::string& context, int bound_ms);

}  // namespace ms::pg
