#include "pg/runner/verification.hpp"

#include "core/base/failure.hpp"
#include "core/plan/planner.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/migration_label.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/registry.hpp"
#include "pg/runner/statement_executor.hpp"

#include <utility>
#include <vector>

namespace ms::pg {

void verify_applied(const std::string& project,
                    const std::function<void(const VerifyResult&)>& row) {
    std::vector<core::Migration> applied;
    {
        InternalScope internal;
        for (auto& m : core::migration_states(load_registered(project), load_applied(project)))
            if (core::is_applied(m.state) && m.state != core::State::Missing)
                applied.push_back(std::move(m));
    }
    static const std::string ok = "ok", failed = "failed", none = "no verify script";
    static const std::optional<std::string> no_detail;
    for (const auto& m : applied) {
        std::optional<std::string> script;
        {
            InternalScope internal;
            script = load_script(project, m.version.text(), Script::Verify);
        }
        if (!script) {
            row(VerifyResult{m.version.text(), m.name, none, no_detail});
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
        row(VerifyResult{m.version.text(), m.name, error ? failed : ok, error});
    }
}

}  // namespace ms::pg
