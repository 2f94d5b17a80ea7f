// The lint of what has not run yet: the up scripts of a project's pending and failed
// migrations, linted as the caller, who will run them. Needs a connected SPI.
#pragma once

#include "core/plan/planner.hpp"
#include "pg/lint/lint.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

// (version, up script) of every migration not applied yet, in version order; one without
// an up script is left out. Reads the registry: call inside an InternalScope.
std::vector<std::pair<std::string, std::string>> pending_up_scripts(
    const std::string& project, const std::vector<core::Registered>& registered,
    const std::vector<core::Applied>& applied, const std::vector<std::string>& failed);

// Each finding of each pending up script, in version order. Reads the registry in its own
// InternalScope and lints outside it.
void lint_pending(const std::string& project,
                  const std::function<void(const std::string& version, const LintFinding&)>& finding);

}  // namespace ms::pg
