#include "pg/lint/pending.hpp"

#include "pg/base/internal_scope.hpp"
#include "pg/registry/registry.hpp"

namespace ms::pg {

std::vector<std::pair<std::string, std::string>> pending_up_scripts(
    const std::string& project, const std::vector<core::Registered>& registered,
    const std::vector<core::Applied>& applied, const std::vector<std::string>& failed) {
    std::vector<std::pair<std::string, std::string>> scripts;
    for (const auto& m : core::migration_states(registered, applied, failed)) {
        if (m.state != core::State::Pending && m.state != core::State::Failed)
            continue;
        if (auto up = load_script(project, m.version.text(), Script::Up))
            scripts.emplace_back(m.version.text(), std::move(*up));
    }
    return scripts;
}

void lint_pending(const std::string& project,
                  const std::function<void(const std::string& version, const LintFinding&)>& finding) {
    std::vector<std::pair<std::string, std::string>> scripts;
    {
        InternalScope internal;
        scripts = pending_up_scripts(project, load_registered(project), load_applied(project),
                                     load_failed(project));
    }
    // Linted outside the InternalScope: as the caller, who will run them.
    for (const auto& [version, script] : scripts)
        for (const auto& f : lint_script(script).findings)
            finding(version, f);
}

}  // namespace ms::pg
