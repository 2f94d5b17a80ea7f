// The tracking tables: migrations_schema.migration (what is registered), .applied (what
// ran), .failure (failed attempts still pending) and .history (the append-only log).
// Every call must run inside an InternalScope.
#pragma once

#include "core/base/version.hpp"
#include "core/plan/planner.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

std::vector<core::Registered> load_registered(const std::string& project);
std::vector<core::Applied> load_applied(const std::string& project);
// The applied migration that comes last in version order, if any.
std::optional<std::string> newest_applied_version(const std::string& project);
// Each registered version's checksum, by version as registered.
std::map<std::string, std::string> checksums_by_version(
    const std::vector<core::Registered>& registered);
// Versions with a failed attempt on record.
std::vector<std::string> load_failed(const std::string& project);

// Every project with anything registered, applied or failed.
std::vector<std::string> load_projects();

// Whether every registered migration of the project is applied with the checksum it has now:
// then there is nothing to apply and nothing to refuse, and the planner need not load the
// registry (the call with nothing to do is paid at every application start).
bool everything_applied(const std::string& project);

struct MigrationContent {
    std::string name;
    std::string up_sql;
    std::optional<std::string> down_sql;
    std::optional<std::string> verify_sql;
};

enum class RegisterOutcome { New, Changed, Unchanged };

// Inserts or updates one migration, logging new content to history; refuses another
// spelling of a registered version. `caller` is the calling role's name, taken before
// entering the InternalScope. The scripts of `content` are released as they are handed to
// the server, so that a large script is not held twice: do not read them afterwards.
// `checksum`, when the caller has it already, is migration_checksum of the content.
RegisterOutcome register_migration(const std::string& project, const core::Version& version,
                                   MigrationContent& content, const std::string& caller,
                                   std::optional<std::string> checksum = std::nullopt);

// Deletes a registered migration (as spelled in the registry) and its failed attempt, if
// any; returns its checksum. The caller has checked it is not applied.
std::string unregister_migration(const std::string& project, const std::string& version);

enum class Script { Up, Down, Verify };

// One script of a registered migration (nullopt: it has none).
std::optional<std::string> load_script(const std::string& project, const std::string& version,
                                       Script which);

// Every script of a migration and the checksum over them, read together: a registration
// committed in between cannot pair one version's script with another's checksum.
struct LoadedScripts {
    std::string up;
    std::optional<std::string> down;
    std::optional<std::string> verify;
    std::string checksum;
};
std::optional<LoadedScripts> load_scripts(const std::string& project, const std::string& version);

// The registered checksum over every script of the migration: what recording it as applied
// (or rolled back) names.
std::string load_checksum(const std::string& project, const std::string& version);

void record_applied(const std::string& project, const std::string& version,
                    const std::string& checksum, const std::string& caller, double duration_ms,
                    int statements, core::AppliedKind kind = core::AppliedKind::Run);
void remove_applied(const std::string& project, const std::string& version);
void update_applied_checksum(const std::string& project, const std::string& version,
                             const std::string& checksum);
// Records (or replaces) the failed attempt of a pending migration.
void record_failure(const std::string& project, const std::string& version,
                    const std::string& caller, const std::string& error);
// Returns the error text of the failure it removed, if there was one.
std::optional<std::string> clear_failure(const std::string& project, const std::string& version);

struct HistoryEntry {
    std::string project;
    std::optional<std::string> version;
    const char* action;
    std::optional<double> duration_ms = std::nullopt;
    std::optional<std::string> checksum = std::nullopt;
    std::optional<std::string> old_checksum = std::nullopt;
    std::optional<std::string> detail = std::nullopt;
};

void append_history(const HistoryEntry& entry, const std::string& caller);

}  // namespace ms::pg
