// Creating the next migration of a folder in the folder's own layout (pg_migrate new): which
// layout the existing files follow, the next version, and the files to write.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

enum class FolderLayout {
    Numbered,  // 001_name.sql, rollback/001_name.sql
    Golang,    // 001_name.up.sql, 001_name.down.sql
    Flyway,    // V1__name.sql, U1__name.sql
    Diesel,    // 2019-02-26-002946_name/up.sql, down.sql
};

const char* layout_name(FolderLayout layout) noexcept;
// "numbered", "golang-migrate" (or "golang"), "flyway", "diesel"; nullopt otherwise.
std::optional<FolderLayout> layout_by_name(std::string_view name);
// Every layout name, for messages.
std::string layout_names();

// The layout the folder's migration files follow (relative paths, '/' separated); nullopt
// for a folder without any. Throws Failure(Layout) when its files follow several layouts.
std::optional<FolderLayout> detect_layout(const std::vector<std::string>& paths);

struct NewMigration {
    std::string version;
    std::string up_path;    // relative to the folder
    std::string down_path;  // empty for a forward-only folder: no down script is written
    std::vector<std::string> folders;  // to create first (rollback/, the migration's own)
};

// `now` is the UTC time as YYYYMMDDHHMMSS, `now_ms` the same instant in milliseconds since
// the epoch. Versions continue the folder's scheme: timestamps (12 digits or more, and
// Diesel's) take `now`, or `now_ms` where the newest is 13 digits (TypeORM's epoch
// milliseconds, as pg_migrate convert keeps them); numbers take the next integer after the
// newest, padded to the width the folder uses. The name is reduced to lowercase letters,
// digits and underscores. A folder whose migrations have no down script at all is
// forward-only: the new one gets none either (Diesel needs one, and always gets it). Throws
// Failure(InvalidValue) for a name with nothing left, Failure(Conflict) when the new version
// is not after the newest.
NewMigration plan_new_migration(FolderLayout layout, const std::vector<std::string>& paths,
                                std::string_view name, std::string_view now,
                                std::string_view now_ms = {});

// The header of a new up or down script.
std::string new_script_header(std::string_view version, std::string_view name, bool up);

}  // namespace ms::core
