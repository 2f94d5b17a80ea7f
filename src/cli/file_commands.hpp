// The commands that only touch local files: new (the next migration of a folder) and
// convert (SQL migrations from another tool's).
#pragma once

#include "cli/options.hpp"

namespace ms::cli {

// Each returns the exit status; messages go to stderr, the paths written to stdout.
int new_migration(const Options& o);
int convert_migrations(const Options& o);

}  // namespace ms::cli
