// The commands that only touch local files: new (the next migration of a folder) and
// convert (SQL migrations from another tool's).
#pragma once

#include "cli/options.hpp"
#include "core/folder/new_migration.hpp"

#include <string>

namespace ms::cli {

// Each returns the exit status; messages go to stderr, the paths written to stdout.
int new_migration(const Options& o);
int convert_migrations(const Options& o);

// The next migration's files in `dir`, in the folder's layout (or `layout` when the folder
// holds none yet), with its folders created. Throws core::Failure.
core::NewMigration plan_next_files(const std::string& dir, const std::optional<std::string>& layout,
                                   const std::string& name);
// Writes a file that must not exist yet. Throws core::Failure.
void write_new_file(const std::string& path, const std::string& text);

}  // namespace ms::cli
