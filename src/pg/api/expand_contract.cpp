// CALL migrate_start(project, batch_size, pause_ms), migrate_complete(project),
// migrate_abort(project) (runner/expand_contract.hpp), and migrate_expansion(project): the
// started expand/contract migration of each project with its backfill's progress per table.
#include "pg/api/call_context.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/runner/expand_contract.hpp"

namespace ms::pg {

namespace {

Datum start_body(FunctionCallInfo fcinfo) {
    StartRequest req;
    req.project = project_argument(fcinfo, 0);
    req.batch_size = required_int(fcinfo, 1, "batch_size");
    req.pause_ms = required_int(fcinfo, 2, "pause_ms");
    req.atomic = in_atomic_context(fcinfo);
    start_expansion(req);
    return Datum(0);
}

Datum complete_body(FunctionCallInfo fcinfo) {
    complete_expansion(project_argument(fcinfo, 0), in_atomic_context(fcinfo));
    return Datum(0);
}

Datum abort_body(FunctionCallInfo fcinfo) {
    abort_expansion(project_argument(fcinfo, 0), in_atomic_context(fcinfo));
    return Datum(0);
}

Datum expansion_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    InternalScope internal;
    for (const auto& e : load_expansions()) {
        if (project && *project != e.project)
            continue;
        const auto tables = load_backfill(e.project);
        auto add = [&](const BackfillState* b) {
            const std::string table = b ? b->schema + "." + b->table : std::string();
            rows.add_row({Cell::text(e.project), Cell::text(e.version), Cell::text(e.phase),
                          Cell::text(e.old_schema), Cell::text(e.new_schema),
                          b ? Cell::text(table) : Cell::null(),
                          b ? Cell::int8(b->rows_done) : Cell::null(),
                          b && b->rows_total ? Cell::int8(*b->rows_total)
                                             : Cell::null(),
                          b ? Cell::boolean(b->done) : Cell::null()});
        };
        if (tables.empty())
            add(nullptr);
        for (const auto& b : tables)
            add(&b);
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_start, ms::pg::start_body)
MS_SQL_FUNCTION(migrate_complete, ms::pg::complete_body)
MS_SQL_FUNCTION(migrate_abort, ms::pg::abort_body)
MS_SQL_FUNCTION(migrate_expansion, ms::pg::expansion_body)
