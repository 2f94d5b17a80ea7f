// migrate_validate(project) -> SETOF (severity, project, version, problem, detail, hint):
// every problem of one project or all; no rows means healthy. Changes nothing.
#include "core/validation.hpp"
#include "pg/arguments.hpp"
#include "pg/guard.hpp"
#include "pg/internal_scope.hpp"
#include "pg/registry.hpp"
#include "pg/result_set.hpp"
#include "pg/spi.hpp"

namespace ms::pg {

namespace {

Datum validate_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    InternalScope internal;
    const auto projects = project ? std::vector<std::string>{*project} : load_projects();
    for (const auto& p : projects) {
        for (const auto& problem :
             core::validate(load_registered(p), load_applied(p), load_failed(p))) {
            const std::string severity = core::severity_name(problem.severity);
            rows.add_row({Cell::text(severity), Cell::text(p), Cell::text(problem.version),
                          Cell::text(problem.problem), Cell::text(problem.detail),
                          Cell::text(problem.hint)});
        }
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

extern "C" {
PG_FUNCTION_INFO_V1(migrate_validate);
Datum migrate_validate(PG_FUNCTION_ARGS) {
    return ms::pg::sql_entry(fcinfo, ms::pg::validate_body);
}
}
