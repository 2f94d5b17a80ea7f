// migrate_validate(project) -> SETOF (severity, project, version, problem, detail, hint):
// every problem of one project or all; no rows means healthy. Changes nothing.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/runner/validation.hpp"

namespace ms::pg {

namespace {

Datum validate_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    validate_projects(project, [&](const ValidationProblem& p) {
        rows.add_row({Cell::text(p.severity), Cell::text(p.project), p.version ? Cell::text(*p.version) : Cell::null(),
                      Cell::text(p.problem), Cell::text(p.detail), Cell::text(p.hint)});
    });
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_validate, ms::pg::validate_body)
