// File-naming layouts of migration folders, as real projects spell them:
//   NNN_name.sql with down scripts in rollback/NNN_*.sql
//   golang-migrate      NNN_name.up.sql / NNN_name.down.sql
//   V-prefixed pairs    V0001.Name.up.sql / V0001.Name.down.sql
//   Flyway              V1_2__name.sql / U1_2__name.sql
//   Diesel              2019-02-26-002946_name/up.sql, down.sql
// Verify scripts, run after the up script to check it: NNN_name.verify.sql, verify/NNN_*.sql,
// or verify.sql in a migration's folder.
#pragma once

#include "core/base/version.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

enum class Direction { Up, Down, Verify };

struct MigrationFile {
    std::string path;     // relative to the folder, '/' separated
    std::string version;  // as spelled in the file name (Flyway's '_' turned into '.')
    std::string name;
    Direction direction;
};

// What a relative path means. nullopt: not a migration script at all (README.md, hidden
// files, subfolders that are not rollback/, verify/ or a migration's own folder); a *.sql
// file that matches no layout throws Failure(Layout), because a misspelt name must not be
// skipped silently.
std::optional<MigrationFile> classify_path(std::string_view relative_path);

struct MigrationPair {
    Version version;
    std::string name;
    std::string up_path;
    std::optional<std::string> down_path;
    std::optional<std::string> verify_path;
};

// Pairs up, down and verify scripts by version, sorted in version order. Two up (or two down)
// scripts for one version, or a down or verify script with no up, throw Failure.
std::vector<MigrationPair> pair_files(const std::vector<MigrationFile>& files);

}  // namespace ms::core
