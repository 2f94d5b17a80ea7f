// The migration from the live schema to a desired one: the live description read here, the
// desired one given (a migrate_schema_description() or fingerprint, as jsonb text), the
// scripts written by core/schema/migration_writer.
#pragma once

#include "core/schema/migration_writer.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// Call inside an SpiConnection and an InternalScope. `options.source_hash` is set here (the
// SHA-256 of the desired fingerprint, as migrate_schema_hash() gives it). Throws
// Failure(InvalidValue) when `desired_json` is no fingerprint, Failure(UndefinedSchema) for
// a schema that does not exist.
core::GeneratedMigration generate_to(const std::string& desired_json,
                                     const std::optional<std::vector<std::string>>& schemas,
                                     core::GenerateOptions options);

}  // namespace ms::pg
