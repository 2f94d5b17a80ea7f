// migrate_rollback_plan(target, steps, everything, project, version, out_of_order) -> SETOF
// (version, name, statements, top_level, destructive): what a rollback would run, newest
// first, with the down scripts' statements that destroy data (the linter's "destructive"
// findings), so that a person can be asked before they run. Changes nothing.
#include "core/plan/progress.hpp"
#include "core/plan/run_plan.hpp"
#include "pg/api/rollback_arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/lint/lint.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/progress.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registry.hpp"

namespace ms::pg {

namespace {

Datum rollback_plan_body(FunctionCallInfo fcinfo) {
    const std::string project = project_argument(fcinfo, 3);
    const core::RollbackRequest request = rollback_request(fcinfo, {0, 1, 2, 4, 5, -1}, project);
    ResultSet rows(fcinfo);
    ProjectOperation op("migrate_rollback_plan", project, BesideRunner::Proceed, Access::Read);
    const auto plan = op.tracked([&] {
        const auto state = op.load();
        return core::plan_rollback_with_progress(state.registered, state.applied, request,
                                                 partial_migrations(op.project()));
    });
    for (const auto& m : plan) {
        const std::string script = op.tracked([&] {
            return load_script(op.project(), m.version.text(), Script::Down).value_or("");
        });
        const auto statements =
            parse_script(script, MigrationLabel{op.project(), m.version.text(), m.name, "down"});
        const bool marked = core::has_no_transaction_marker(script);
        int top_level = 0;
        for (const auto& s : statements) top_level += (marked || s.top_level) ? 1 : 0;
        std::vector<std::string> destructive;
        // What SQL built at run time drops, nobody can tell: it is named with the rest.
        for (const auto& f : lint_script(script).findings)
            if (f.rule == "destructive" || f.rule == "dynamic-sql")
                destructive.push_back("statement " + std::to_string(f.statement) + ", line " +
                                      std::to_string(f.line) + ": " + f.message);
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::int4(static_cast<int>(statements.size())), Cell::int4(top_level),
                      Cell::text_array(&destructive)});
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_rollback_plan, ms::pg::rollback_plan_body)
