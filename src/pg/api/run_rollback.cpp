// CALL migrate_run_rollback(target, steps, everything, project, version, out_of_order): down
// scripts through the production runner (runner/production_run.hpp).
#include "pg/api/call_context.hpp"
#include "pg/api/rollback_arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/runner/production_run.hpp"

namespace ms::pg {

namespace {

Datum run_rollback_body(FunctionCallInfo fcinfo) {
    const std::string project = project_argument(fcinfo, 3);
    const core::RollbackRequest rollback = rollback_request(fcinfo, {0, 1, 2, 4, 5, 6}, project);
    run_production(ProductionRequest{std::nullopt, project, false,
                                     in_atomic_context(fcinfo), rollback});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_run_rollback, ms::pg::run_rollback_body)
