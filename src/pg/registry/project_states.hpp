// Every project's registry in one read: what is registered, applied (with when, by whom
// and how long) and failed, for the status of many projects at once. Every call must run
// inside an InternalScope.
#pragma once

#include "core/plan/planner.hpp"
#include "pg/base/pg.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

struct AppliedDetail {
    Datum applied_at;  // timestamptz is passed by value
    std::string applied_by;
    double duration_ms;
};

struct ProjectState {
    std::vector<core::Registered> registered;
    std::vector<core::Applied> applied;
    std::vector<std::string> failed;
    std::vector<AppliedDetail> details;  // of applied[i]
};

// By project name; one project, or every project when `project` is nullopt.
std::map<std::string, ProjectState> load_project_states(const std::optional<std::string>& project);

}  // namespace ms::pg
