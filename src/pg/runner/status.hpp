// What migrate_status shows: every known migration of one project or all, in version
// order, with its state as the registry records it, `partial` when some of its parts
// committed (core/plan/progress.hpp), or `running` while a live migrate_run works on it.
// Needs a connected SPI.
#pragma once

#include "pg/registry/project_states.hpp"

#include <functional>
#include <optional>
#include <string>

namespace ms::pg {

struct MigrationStatus {
    const std::string& project;
    const std::string& version;
    const std::string* name;  // null: missing, applied but no longer registered
    const std::string& state;
    const AppliedDetail* applied;  // null: not applied
    bool reversible;
    const std::string& checksum;
    const std::string* progress;  // a partial one's committed parts; null otherwise
};

// Calls `row` once per migration; what it is handed lives only during the call.
void migration_status(const std::optional<std::string>& project,
                      const std::function<void(const MigrationStatus&)>& row);

}  // namespace ms::pg
