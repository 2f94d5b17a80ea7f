// migrate_apply(target, dry_run, project) -> SETOF (version, name, action, duration_ms,
// statements): every pending migration up to target, in the caller's transaction.
#include "core/plan/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registry.hpp"
#include "pg/runner/plan_runner.hpp"

namespace ms::pg {

namespace {

Datum apply_body(FunctionCallInfo fcinfo) {
    core::ApplyRequest request;
    request.target = optional_text(fcinfo, 0);
    const bool dry_run = required_bool(fcinfo, 1, "dry_run");
    request.allow_out_of_order = required_bool(fcinfo, 3, "out_of_order");
    ProjectOperation op("migrate_apply", project_argument(fcinfo, 2));
    const auto plan = op.tracked([&] {
        refuse_while_expanding(op.project(), "migrate_apply");
        // A target must still be checked to be registered, so only a call without one
        // takes the short way.
        if (!request.target && everything_applied(op.project()))
            return std::vector<core::Migration>{};
        const auto state = op.load();
        return core::plan_apply(state.registered, state.applied, request, state.failed);
    });
    run_plan(fcinfo, plan, RunRequest{op.project(), op.caller(), Direction::Up, dry_run});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_apply, ms::pg::apply_body)
