// File-naming layouts of migration folders, as real projects spell them:
//   NNN_name.sql with down scripts in rollback/NNN_*.sql
//   golang-migrate      NNN_name.up.sql / NNN_name.down.sql
//   V-prefixed pairs    V0001.Name.up.sql / V0001.Name.down.sql
//   Flyway              V1_2__name.sql / U1_2__name.sql
#pragma once

#include "core/version.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

enum class Direction { Up, Down };

struct MigrationFile {
    std::string path;     // relative to the folder, '/' separated
    std::string version;  // as spelled in the file name (Flyway's '_' turned into '.')
    std::string name;
    Direction direction;
};

// What a relative path means. nullopt: not a migration script at all (README.md,
// hidden files, subfolders other than rollback/); a *.sql file that matches no
// layout throws Failure(Layout), because a misspelt name must not be skipped silently.
std::optional<MigrationFile> classify_path(std::string_view relative_path);

struct MigrationPair {
    Version version;
    std::string name;
    std::string up_path;
    std::optional<std::string> down_path;
};

// Pairs up and down scripts by version, sorted in version order. Two up (or two down)
// scripts for one version, or a down script with no up, throw Failure.
std::vector<MigrationPair> pair_files(const std::vector<MigrationFile>& files);

}  // namespace ms::core
