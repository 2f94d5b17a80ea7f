// migrate_generate(desired, schemas, online, renames, source) -> (up, down, hazards,
// not_generated): the migration that turns the live schema into the desired one, and back.
// migrate_schema_description(schemas) -> jsonb: the fingerprint with what generation needs
// besides (dependencies from pg_depend, column positions, implied objects). Both change
// nothing.
#include "core/base/control_characters.hpp"
#include "core/base/failure.hpp"
#include "core/schema/migration_writer.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/generation.hpp"
#include "pg/schema/schema_description.hpp"

extern "C" {
#include "utils/fmgrprotos.h"
}

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

namespace {

std::string jsonb_argument(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n))
        throw core::Failure(core::FailureKind::NullValue, std::string(name) + " must not be NULL",
                            {}, "Pass migrate_schema_description() or migrate_schema_fingerprint() "
                                "of the database with the desired schema.");
    const Datum value = PG_GETARG_DATUM(n);
    const char* text = pg_call([&] { return DatumGetCString(DirectFunctionCall1(jsonb_out, value)); });
    return text;
}

// "old=new" pairs of qualified names.
std::vector<std::pair<std::string, std::string>> renames_argument(FunctionCallInfo fcinfo, int n) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto list = optional_text_array(fcinfo, n, "renames", "Write each rename as old=new.");
    if (!list)
        return out;
    for (const auto& item : *list) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw core::Failure(core::FailureKind::InvalidValue,
                                "rename \"" + item + "\" is not old=new",
                                "A rename names a table (schema.table) or a column "
                                "(schema.table.column) before and after.",
                                "Write each rename as old=new, e.g. app.users.name=app.users.full_name.");
        out.push_back({item.substr(0, eq), item.substr(eq + 1)});
    }
    return out;
}

struct Generated {
    core::GeneratedMigration migration;
};

Generated generate(FunctionCallInfo fcinfo) {
    const std::string desired_json = jsonb_argument(fcinfo, 0, "desired");
    const auto schemas = schemas_argument(fcinfo, 1);
    core::GenerateOptions options;
    options.online = required_bool(fcinfo, 2, "online", true);
    options.renames = renames_argument(fcinfo, 3);
    options.source = optional_text(fcinfo, 4).value_or("a desired schema description");
    // The label goes into a comment line of each script: a newline would end the comment.
    core::refuse_control_characters("source", options.source);
    SpiConnection spi;
    InternalScope internal;
    return {generate_to(desired_json, schemas, options)};
}

Datum generate_body(FunctionCallInfo fcinfo) {
    const Generated g = generate(fcinfo);
    ResultSet rows(fcinfo);
    rows.add_row({Cell::text(g.migration.up), Cell::text(g.migration.down),
                  Cell::text_array(&g.migration.hazards), Cell::text_array(&g.migration.not_generated)});
    return Datum(0);
}

std::string description_of(FunctionCallInfo fcinfo) {
    const auto schemas = schemas_argument(fcinfo, 0);
    SpiConnection spi;
    InternalScope internal;
    return schema_description(schemas);
}

Datum description_body(FunctionCallInfo fcinfo) {
    const std::string json = description_of(fcinfo);
    return pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_generate, ms::pg::generate_body)
MS_SQL_FUNCTION(migrate_schema_description, ms::pg::description_body)
