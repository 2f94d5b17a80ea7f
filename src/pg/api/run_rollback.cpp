// CALL migrate_run_rollback(target, steps, everything, project, version, out_of_order): down
// scripts through the production runner (runner/production_run.hpp).
#include "pg/api/call_context.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/runner/production_run.hpp"

namespace ms::pg {

namespace {

Datum run_rollback_body(FunctionCallInfo fcinfo) {
    core::RollbackRequest rollback;
    rollback.target = optional_text(fcinfo, 0);
    rollback.steps = required_int(fcinfo, 1, "steps");
    rollback.everything = required_bool(fcinfo, 2, "everything");
    rollback.version = optional_text(fcinfo, 4);
    rollback.allow_out_of_order = required_bool(fcinfo, 5, "out_of_order");
    run_production(ProductionRequest{std::nullopt, project_argument(fcinfo, 3),
                                     in_atomic_context(fcinfo), rollback});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_run_rollback, ms::pg::run_rollback_body)
