// migrate_validate(project) -> SETOF (severity, project, version, problem, detail, hint):
// every problem of one project or all; no rows means healthy. Changes nothing.
#include "core/plan/validation.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/lint/lint.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/snapshot.hpp"

namespace ms::pg {

namespace {

Datum validate_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    std::vector<std::string> projects;
    {
        InternalScope internal;
        projects = project ? std::vector<std::string>{*project} : load_projects();
    }
    static const std::string error = "error";
    for (const auto& p : projects) {
        std::vector<core::Problem> problems;
        const bool forward_only = project_is_forward_only(p);
        std::vector<std::pair<std::string, std::string>> pending;  // version, up script
        {
            InternalScope internal;
            const auto registered = load_registered(p);
            const auto applied = load_applied(p);
            const auto failed = load_failed(p);
            problems = core::validate(registered, applied, failed, down_scripts_required(),
                                      forward_only);
            for (const auto& m : core::migration_states(registered, applied, failed))
                if (!core::is_applied(m.state))
                    pending.emplace_back(m.version.text(),
                                         load_script(p, m.version.text(), Script::Up).value_or(""));
        }
        for (const auto& problem : problems) {
            const std::string severity = core::severity_name(problem.severity);
            rows.add_row({Cell::text(severity), Cell::text(p), Cell::text(problem.version),
                          Cell::text(problem.problem), Cell::text(problem.detail),
                          Cell::text(problem.hint)});
        }
        // A pending migration the linter would refuse is a problem before it runs; linted
        // as the caller, against the catalog as it is now.
        for (const auto& [version, script] : pending) {
            for (const auto& f : lint_script(script).findings) {
                if (f.severity != "error")
                    continue;
                rows.add_row({Cell::text(error), Cell::text(p), Cell::text(version),
                              Cell::text("lint:" + f.rule),
                              Cell::text("Statement " + std::to_string(f.statement) + ", line " +
                                         std::to_string(f.line) + ": " + f.message),
                              Cell::text(f.hint)});
            }
        }
    }
    // The schema is shared by every project: drift is reported once, against the newest
    // snapshot any runner action recorded.
    Drift drift;
    {
        InternalScope internal;
        drift = current_drift(std::nullopt);
    }
    static const std::string warning = "warning";
    static const std::string drift_problem = "drift";
    static const std::string drift_hint =
        "Not made by a migration: put it into one (or undo it); migrate_drift() lists who "
        "ran what.";
    for (const auto& c : drift.changes) {
        const std::string detail = std::string(core::change_name(c.change)) + " " + c.kind + " " +
                                   c.object + ": " + c.detail;
        rows.add_row({Cell::text(warning), Cell::text(drift.snapshot_project),
                      Cell::text(drift.snapshot_version), Cell::text(drift_problem),
                      Cell::text(detail), Cell::text(drift_hint)});
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_validate, ms::pg::validate_body)
