#include "pg/schema/generation.hpp"

#include "core/schema/identity_shape.hpp"
#include "pg/base/compat.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/schema_description.hpp"

namespace ms::pg {

core::GeneratedMigration generate_to(const std::string& desired_json,
                                     const std::optional<std::vector<std::string>>& schemas,
                                     core::GenerateOptions options) {
    core::SchemaModel desired = description_model(desired_json, "desired");
    // Identities become SQL in the scripts: parsed here, never pasted.
    core::check_identities(desired, "desired");
    // Compared within the same schemas on both sides: a description of a whole database
    // must not turn the other schemas into creates.
    if (schemas)
        desired = core::restrict_to_schemas(desired, *schemas);
    const core::SchemaModel live = description_model(schema_description(schemas), "the live schema");
    spi_query("SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(("
              "CASE WHEN $1::pg_catalog.jsonb OPERATOR(pg_catalog.?) 'fingerprint' "
              "THEN $1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'fingerprint' "
              "ELSE $1::pg_catalog.jsonb END)::pg_catalog.text, 'UTF8')), 'hex')",
              {text_arg(desired_json)});
    options.source_hash = spi_required_text(0, 1);
    options.table_owner_privileges = compat::table_owner_privileges;
    return core::generate_migration(live, desired, options);
}

}  // namespace ms::pg
