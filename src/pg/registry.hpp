// The tracking tables: migrations_schema.migration (what is registered) and
// migrations_schema.applied (what ran). Every call must run inside an InternalScope.
#pragma once

#include "core/planner.hpp"
#include "core/version.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// Serialises runners of one project until the end of the transaction: a second caller
// waits, then sees what the first committed. Under REPEATABLE READ or SERIALIZABLE, where
// it could not see that, it fails with a serialization failure instead of waiting.
void lock_project(const std::string& project);

std::vector<core::Registered> load_registered(const std::string& project);
std::vector<core::Applied> load_applied(const std::string& project);

struct MigrationContent {
    std::string name;
    std::string up_sql;
    std::optional<std::string> down_sql;
};

enum class RegisterOutcome { New, Changed, Unchanged };

// Inserts or updates one migration; refuses another spelling of a registered version.
// `caller` is the calling role's name, taken before entering the InternalScope.
RegisterOutcome register_migration(const std::string& project, const core::Version& version,
                                   const MigrationContent& content, const std::string& caller);

// The up or down script of a registered migration (nullopt: no down script).
std::optional<std::string> load_script(const std::string& project, const std::string& version,
                                       bool down);

void record_applied(const std::string& project, const std::string& version,
                    const std::string& checksum, const std::string& caller, double duration_ms,
                    int statements);
void remove_applied(const std::string& project, const std::string& version);

}  // namespace ms::pg
