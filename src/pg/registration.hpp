// Checks shared by migrate_register and migrate_load_dir before anything is stored.
#pragma once

#include "core/version.hpp"
#include "pg/registry.hpp"

namespace ms::pg {

// Refuses an empty or over-long name and an up script with nothing in it.
void validate_content(const core::Version& version, const MigrationContent& content);

// "registered", "updated" or "unchanged", as migrate_register returns it.
const char* outcome_name(RegisterOutcome outcome) noexcept;

}  // namespace ms::pg
