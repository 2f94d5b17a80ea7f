// pg_migrate generate NAME --desired PATH|DSN [DIR]: the migration from the target database's
// schema to a desired one, written as the next migration of the folder (up and down).
#pragma once

#include "cli/options.hpp"

namespace ms::cli {

// Returns the exit status: 0 written (or nothing to do), 1 failed, 130 interrupted. The
// paths written go to stdout; hazards, what was not generated, and errors to stderr.
int generate_migration_files(const Options& o);

}  // namespace ms::cli
