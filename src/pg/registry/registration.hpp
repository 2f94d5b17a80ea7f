// Checks shared by migrate_register and migrate_load_dir before anything is stored.
#pragma once

#include "core/base/version.hpp"
#include "pg/registry/registry.hpp"

namespace ms::pg {

// Refuses an empty or over-long name. An empty up script is allowed: real projects keep
// placeholders for versions that only concern another database engine.
void validate_content(const core::Version& version, const MigrationContent& content);

// "registered", "updated" or "unchanged", as migrate_register returns it.
const char* outcome_name(RegisterOutcome outcome) noexcept;

}  // namespace ms::pg
