// Which DDL run outside the runner concerns the migrations: what the event triggers log as
// drift, and what migrations_schema.ddl_guard may refuse.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::core {

// One object a DDL command created, altered or dropped, as pg_event_trigger_ddl_commands()
// or pg_event_trigger_dropped_objects() reports it.
struct DdlObject {
    std::string command_tag;            // "CREATE INDEX", "GRANT", ...
    std::string object_type;            // "index", "table column", "schema", ...
    std::optional<std::string> schema;  // absent for objects outside schemas and for GRANT
    std::string identity;               // "public.t_a_idx"
    bool in_extension = false;          // created by an extension's script
    bool temporary = false;
};

enum class DdlVerdict {
    Ignore,  // temporary, an extension's own, a system schema, an unmanaged schema
    Log,     // logged as drift, never refused (CREATE EXTENSION, objects outside schemas)
    Guard,   // logged, and warned about or refused as migrations_schema.ddl_guard says
};

// managed: the schemas named by migrations_schema.managed_schemas; empty means every schema
// that is not a system schema or the tracking schema.
DdlVerdict classify_ddl(const DdlObject& object, const std::vector<std::string>& managed);

// pg_catalog, information_schema, pg_toast, temporary schemas, and the tracking schema.
bool is_excluded_schema(const std::string& schema);

}  // namespace ms::core
