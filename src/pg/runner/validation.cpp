#include "pg/runner/validation.hpp"

#include "core/plan/validation.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/settings.hpp"
#include "pg/lint/lint.hpp"
#include "pg/lint/pending.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/snapshot.hpp"

#include <utility>
#include <vector>

namespace ms::pg {

void validate_projects(const std::optional<std::string>& project,
                       const std::function<void(const ValidationProblem&)>& row) {
    std::vector<std::string> projects;
    {
        InternalScope internal;
        projects = project ? std::vector<std::string>{*project} : load_projects();
    }
    static const std::string error = "error";
    for (const auto& p : projects) {
        std::vector<core::Problem> problems;
        std::vector<std::pair<std::string, std::string>> pending;  // version, up script
        {
            InternalScope internal;
            const auto registered = load_registered(p);
            const auto applied = load_applied(p);
            const auto failed = load_failed(p);
            problems = core::validate(registered, applied, failed, down_scripts_required());
            pending = pending_up_scripts(p, registered, applied, failed);
        }
        for (const auto& problem : problems) {
            const std::string severity = core::severity_name(problem.severity);
            row(ValidationProblem{severity, p, &problem.version, problem.problem, problem.detail,
                                  problem.hint});
        }
        // A pending migration the linter would refuse is a problem before it runs; linted
        // as the caller, against the catalog as it is now.
        for (const auto& [version, script] : pending) {
            for (const auto& f : lint_script(script).findings) {
                if (f.severity != "error")
                    continue;
                row(ValidationProblem{error, p, &version, "lint:" + f.rule,
                                      "Statement " + std::to_string(f.statement) + ", line " +
                                          std::to_string(f.line) + ": " + f.message,
                                      f.hint});
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
        row(ValidationProblem{warning, drift.snapshot_project,
                              drift.snapshot_version ? &*drift.snapshot_version : nullptr,
                              drift_problem, detail, drift_hint});
    }
}

}  // namespace ms::pg
