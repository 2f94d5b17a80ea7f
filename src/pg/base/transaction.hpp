// Commit and rollback for the procedure's nonatomic SPI connection (migrate_run).
//
// Both refuse while an InternalScope is open: the transaction that follows would start
// with the owner as the identity its abort restores, and the scope's settings level would
// be gone. A rollback is what ends a transaction in which a PostgreSQL error was caught:
// nothing may query, write or commit in it afterwards (CONTRIBUTING.md, "Errors").
#pragma once

namespace ms::pg {

void commit_work();
void rollback_work();

// A commit that does not wait for its WAL to reach disk (synchronous_commit off for this
// transaction alone). Only for bookkeeping whose loss in a crash is harmless or that a later
// ordinary commit makes durable anyway (WAL is flushed in order): taking the runner's lease
// before the migrations' own commits, giving it back after the last record.
void commit_work_without_flush();

}  // namespace ms::pg
