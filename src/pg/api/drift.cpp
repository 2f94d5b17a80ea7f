// migrate_drift(project) -> SETOF (source, change, object_type, object, detail, at,
// role_name): what changed in the schema since the runner last recorded it, and the DDL
// logged outside the runner since then. Changes nothing.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace ms::pg {

namespace {

Datum drift_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    // Statement text is a role's own: a reader that is not a superuser sees the text of the
    // DDL its own role ran, and only the command and object of everyone else's.
    const std::string reader = caller_role();
    const bool reads_all = pg_call([] { return superuser(); });
    SpiConnection spi;
    InternalScope internal;
    const Drift drift = current_drift(project);
    static const std::string schema = "schema";
    static const std::string ddl = "ddl";
    for (const auto& c : drift.changes) {
        const std::string change = core::change_name(c.change);
        rows.add_row({Cell::text(schema), Cell::text(change), Cell::text(c.kind),
                      Cell::text(c.object), Cell::text(c.detail), Cell::null(), Cell::null()});
    }
    for (const auto& d : drift.ddl)
        rows.add_row({Cell::text(ddl), Cell::text(d.command_tag), Cell::text(d.object_type),
                      Cell::text(d.object_identity),
                      Cell::text(reads_all || d.role_name == reader ? d.statement
                                                                    : std::nullopt),
                      Cell::datum(TimestampTzGetDatum(d.at), false), Cell::text(d.role_name)});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_drift, ms::pg::drift_body)
