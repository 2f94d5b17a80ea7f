// The arguments migrate_rollback, migrate_run_rollback and migrate_rollback_plan share,
// at the positions each function declares them.
#pragma once

#include "core/plan/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/settings.hpp"

#include <string>

namespace ms::pg {

struct RollbackPositions {
    int target, steps, everything, version, out_of_order;
    int force;  // -1: the function has no such argument
};

inline core::RollbackRequest rollback_request(FunctionCallInfo fcinfo, RollbackPositions at,
                                             const std::string& project) {
    core::RollbackRequest request;
    request.forward_only = project_is_forward_only(project);
    request.target = optional_text(fcinfo, at.target);
    request.steps = required_int(fcinfo, at.steps, "steps");
    request.everything = required_bool(fcinfo, at.everything, "everything");
    // Absent under the 0.2.0 definition of migrate_rollback (before ALTER EXTENSION UPDATE).
    request.version = optional_text(fcinfo, at.version);
    request.allow_out_of_order = required_bool(fcinfo, at.out_of_order, "out_of_order", false);
    // Absent before ALTER EXTENSION UPDATE to 0.4.0.
    request.force = at.force >= 0 && required_bool(fcinfo, at.force, "force", false);
    return request;
}

}  // namespace ms::pg
