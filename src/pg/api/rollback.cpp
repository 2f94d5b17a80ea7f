// migrate_rollback(target, steps, everything, dry_run, project, version, out_of_order) ->
// SETOF (version, name, action, duration_ms, statements, ...): down scripts, newest first,
// in the caller's transaction.
#include "core/plan/progress.hpp"
#include "pg/api/rollback_arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/registry/progress.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registry.hpp"
#include "pg/runner/plan_runner.hpp"
#include "pg/runner/undo_dependents.hpp"

namespace ms::pg {

namespace {

Datum rollback_body(FunctionCallInfo fcinfo) {
    const std::string project = project_argument(fcinfo, 4);
    const core::RollbackRequest request = rollback_request(fcinfo, {0, 1, 2, 5, 6, 7}, project);
    const bool dry_run = required_bool(fcinfo, 3, "dry_run");
    ProjectOperation op("migrate_rollback", project);
    const auto plan = op.tracked([&] {
        refuse_while_expanding(op.project(), "migrate_rollback");
        const auto state = op.load();
        return core::plan_rollback_with_progress(state.registered, state.applied, request,
                                                 partial_migrations(op.project()));
    });
    check_undo_dependents(op.project(), plan, request);
    run_plan(fcinfo, plan, RunRequest{op.project(), op.caller(), Direction::Down, dry_run});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_rollback, ms::pg::rollback_body)
