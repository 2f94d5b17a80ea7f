// Forgetting registered migrations: one by version (migrate_unregister), or every pending
// one a folder no longer has (prune, in migrate_load_dir and migrate_prune). Applied
// migrations are never forgotten; each one forgotten is a history row.
#pragma once

#include "core/plan/planner.hpp"
#include "pg/registry/project_operation.hpp"

#include <string>
#include <vector>

namespace ms::pg {

// Inside op.tracked(). Throws Failure when the version is applied or unknown.
core::Migration unregister_version(ProjectOperation& op, const std::string& version);

// Inside op.tracked(). Returns what was unregistered, in version order, and says so in a
// NOTICE naming each one.
std::vector<core::Migration> prune_to(ProjectOperation& op,
                                      const std::vector<std::string>& folder_versions);

}  // namespace ms::pg
