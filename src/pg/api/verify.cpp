// migrate_verify(project) -> SETOF (version, name, result, detail): runs the verify script
// of every applied migration again, each in a subtransaction that is rolled back.
#include "core/base/failure.hpp"
#include "core/plan/planner.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/registry.hpp"
#include "pg/runner/statement_executor.hpp"

namespace ms::pg {

namespace {

Datum verify_body(FunctionCallInfo fcinfo) {
    RunnerScope runner("migrate_verify");
    const std::string project = project_argument(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    std::vector<core::Migration> applied;
    {
        InternalScope internal;
        for (auto& m : core::migration_states(load_registered(project), load_applied(project)))
            if (core::is_applied(m.state) && m.state != core::State::Missing)
                applied.push_back(std::move(m));
    }
    static const std::string ok = "ok", failed = "failed", none = "no verify script";
    for (const auto& m : applied) {
        std::optional<std::string> script;
        {
            InternalScope internal;
            script = load_script(project, m.version.text(), Script::Verify);
        }
        if (!script) {
            rows.add_row({Cell::text(m.version.text()), Cell::text(m.name), Cell::text(none),
                          Cell::null()});
            continue;
        }
        const MigrationLabel label{project, m.version.text(), m.name, "verify"};
        std::optional<std::string> error;
        try {
            in_discarded_subtransaction(
                [&] { execute_statements(*script, parse_script(*script, label), label); });
        } catch (const PgError& e) {
            // The subtransaction is already rolled back: the error is a result, not a failure.
            error = e.what();
        } catch (const core::Failure& f) {
            error = f.what();
        }
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::text(error ? failed : ok), Cell::text(error)});
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_verify, ms::pg::verify_body)
