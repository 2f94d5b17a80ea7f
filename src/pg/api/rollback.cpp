// migrate_rollback(target, steps, everything, dry_run, project) -> SETOF (version, name,
// action, duration_ms, statements): down scripts, newest first, in the caller's transaction.
#include "core/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/runner/plan_runner.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/spi.hpp"
#include "pg/registry/registry.hpp"

namespace ms::pg {

namespace {

Datum rollback_body(FunctionCallInfo fcinfo) {
    RunnerScope runner("migrate_rollback");
    core::RollbackRequest request;
    request.target = optional_text(fcinfo, 0);
    request.steps = required_int(fcinfo, 1, "steps");
    request.everything = required_bool(fcinfo, 2, "everything");
    const bool dry_run = required_bool(fcinfo, 3, "dry_run");
    const std::string project = project_argument(fcinfo, 4);
    const std::string caller = caller_role();

    SpiConnection spi;
    std::vector<core::Migration> plan;
    {
        InternalScope internal;
        lock_project(project);
        plan = core::plan_rollback(load_registered(project), load_applied(project), request);
    }
    run_plan(fcinfo, plan, RunRequest{project, caller, Direction::Down, dry_run});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_rollback, ms::pg::rollback_body)
