// migrate_validate's findings: every way a project's recorded state can disagree with its
// registered migrations, computed without changing anything.
#pragma once

#include "core/plan/planner.hpp"

#include <string>
#include <vector>

namespace ms::core {

enum class Severity { Error, Warning };

const char* severity_name(Severity s) noexcept;

struct Problem {
    Severity severity;
    std::string version;
    std::string problem;  // a stable identifier applications can match on
    std::string detail;
    std::string hint;
};

// Problems in version order: modified applied scripts, pending migrations ordered before the
// newest applied one, failed attempts left behind, applied migrations no longer registered,
// one version recorded twice or spelt differently, and applied migrations without a down
// script (a warning). With require_down, a pending migration without a down script is an
// error: teams that mandate rollbacks want CI to fail before it runs. A forward-only project
// (core/plan/forward_only.hpp) has no down scripts by design: neither is reported.
std::vector<Problem> validate(const std::vector<Registered>& registered,
                              const std::vector<Applied>& applied,
                              const std::vector<std::string>& failed, bool require_down = false,
                              bool forward_only = false);

}  // namespace ms::core
