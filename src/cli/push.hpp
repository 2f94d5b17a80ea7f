// Pushing a local migrations folder: read once with the server's own layout rules
// (core::read_folder), registered on each database in one transaction.
#pragma once

#include "cli/connection.hpp"
#include "cli/table.hpp"
#include "core/folder/folder.hpp"

#include <string>
#include <vector>

namespace ms::cli {

// Throws core::Failure (naming the file and line) when text is not UTF-8, the encoding
// scripts are sent in.
void require_utf8(const std::string& file, const std::string& text);

// Throws UsageError when dir is not a folder, core::Failure when its content is refused.
std::vector<core::FolderMigration> load_folder(const std::string& dir);

// Registers every migration through migrate_register(), inside the transaction the caller
// opened (committed for push and the commands that write, rolled back for the read-only
// ones). Returns (version, name, result) per migration, result being what the server
// answered: registered, updated or unchanged.
Table register_folder(Connection& conn, const std::string& schema,
                      const std::vector<core::FolderMigration>& migrations,
                      const std::string& project);

// What a rolled-back push would have changed, for the read-only commands: "" when the
// folder and the registry agree.
std::string folder_differences(const Table& pushed);

// "3 migrations: 1 registered, 0 updated, 2 unchanged"
std::string push_summary(const Table& pushed);

}  // namespace ms::cli
