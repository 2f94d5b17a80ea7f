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

}  // namespace ms::pg
