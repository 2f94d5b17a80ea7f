// migrate_apply(target, dry_run, project) -> SETOF (version, name, action, duration_ms,
// statements): every pending migration up to target, in the caller's transaction.
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

Datum apply_body(FunctionCallInfo fcinfo) {
    RunnerScope runner("migrate_apply");
    core::ApplyRequest request;
    request.target = optional_text(fcinfo, 0);
    const bool dry_run = required_bool(fcinfo, 1, "dry_run");
    const std::string project = project_argument(fcinfo, 2);
    request.allow_out_of_order = required_bool(fcinfo, 3, "out_of_order");
    const std::string caller = caller_role();

    SpiConnection spi;
    std::vector<core::Migration> plan;
    {
        InternalScope internal;
        lock_project(project);
        // A target must still be checked to be registered, so only a call without one
        // takes the short way.
        if (request.target || !everything_applied(project))
            plan = core::plan_apply(load_registered(project), load_applied(project), request,
                                    load_failed(project));
    }
    run_plan(fcinfo, plan, RunRequest{project, caller, Direction::Up, dry_run});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_apply, ms::pg::apply_body)
