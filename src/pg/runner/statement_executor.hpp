// Runs the statements of one migration script as the caller, each through SPI, with an
// error context naming the migration, the statement and its line. Settings and the role a
// script changes (SET, SET ROLE, session_replication_role) end with it.
#pragma once

#include "pg/base/migration_label.hpp"
#include "pg/parse/statements.hpp"

#include <string>
#include <vector>

namespace ms::pg {

// Returns the number of statements run; with `durations`, appends each one's milliseconds.
// With timeout_ms > 0 each statement is cancelled after that long: the statement_timeout
// setting alone does nothing inside a call, whose timer was armed when the call began.
int execute_statements(const std::string& script, const std::vector<Statement>& statements,
                       const MigrationLabel& label, std::vector<double>* durations = nullptr,
                       int timeout_ms = 0);

}  // namespace ms::pg
