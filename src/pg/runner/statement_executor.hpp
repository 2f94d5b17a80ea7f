// Runs the statements of one migration script as the caller, each through SPI, with an
// error context naming the migration, the statement and its line.
#pragma once

#include "pg/base/migration_label.hpp"
#include "pg/parse/statements.hpp"

#include <string>
#include <vector>

namespace ms::pg {

// Returns the number of statements run; with `durations`, appends each one's milliseconds.
int execute_statements(const std::string& script, const std::vector<Statement>& statements,
                       const MigrationLabel& label, std::vector<double>* durations = nullptr);

}  // namespace ms::pg
