// Reading a migration folder from disk. Shared by the server (migrate_load_dir) and the
// client, so that a folder means the same thing on both sides.
#pragma once

#include "core/folder/layout.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ms::core {

struct FolderMigration {
    MigrationPair files;
    std::string up_sql;
    std::optional<std::string> down_sql;
    std::optional<std::string> verify_sql;
};

// Largest script a text value can hold.
constexpr std::size_t max_script_bytes = (std::size_t{1} << 30) - 1024;

// Reads every migration of the folder, or throws Failure and returns nothing: a path that
// is not an absolute directory, a link that resolves outside the folder, a script that
// is not a regular file or cannot be read, and every layout error of pair_files().
std::vector<FolderMigration> read_folder(const std::string& path);

// The .sql files of a folder of schema files, at any depth, as (path relative to the
// folder, text) in path order. Refuses as read_folder does a link that resolves outside the
// folder (a file or a folder), a file that is not regular, too large, or holds a NUL byte.
std::vector<std::pair<std::string, std::string>> read_schema_folder(const std::string& path);

}  // namespace ms::core
