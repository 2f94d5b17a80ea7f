// migrate_status(project) -> SETOF (project, version, name, state, applied_at, applied_by,
// duration_ms, reversible, checksum, progress): every known migration, in version order.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/runner/status.hpp"

namespace ms::pg {

namespace {

Datum status_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    migration_status(project, [&](const MigrationStatus& m) {
        rows.add_row({Cell::text(m.project), Cell::text(m.version),
                      m.name ? Cell::text(*m.name) : Cell::null(), Cell::text(m.state),
                      m.applied ? Cell::datum(m.applied->applied_at, false) : Cell::null(),
                      m.applied ? Cell::text(m.applied->applied_by) : Cell::null(),
                      m.applied ? Cell::float8(m.applied->duration_ms) : Cell::null(),
                      Cell::boolean(m.reversible), Cell::text(m.checksum),
                      m.progress ? Cell::text(*m.progress) : Cell::null()});
    });
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_status, ms::pg::status_body)
