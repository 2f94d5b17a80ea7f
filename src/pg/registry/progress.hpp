// migrations_schema.progress: the committed parts of each partly applied migration
// (core/plan/progress.hpp). Written in the transaction that commits each part but the last,
// removed with the record that the migration is applied or rolled back. Every call must run
// inside an InternalScope.
#pragma once

#include "core/plan/progress.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

std::optional<core::PartProgress> load_progress(const std::string& project,
                                                const std::string& version);
// Every partly applied migration of the project (of every project: nullopt), by project.
std::vector<std::pair<std::string, core::PartProgress>> load_all_progress(
    const std::optional<std::string>& project);
// The partly applied migrations of one project.
std::vector<core::PartProgress> partial_migrations(const std::string& project);
void record_progress(const std::string& project, const core::PartProgress& p);
void clear_progress(const std::string& project, const std::string& version);

}  // namespace ms::pg
