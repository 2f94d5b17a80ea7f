// Executes a plan from the core planner inside the caller's transaction: checks every
// script parses before the first one runs, runs them in order, records each, and returns
// one row per migration. A dry run does all of it in a subtransaction rolled back at the end.
#pragma once

#include "core/plan/planner.hpp"
#include "pg/base/pg.hpp"

#include <string>
#include <vector>

namespace ms::pg {

enum class Direction { Up, Down };

struct RunRequest {
    std::string project;
    std::string caller;
    Direction direction;
    bool dry_run;
};

// Emits rows (version, name, action, duration_ms, statements) into the function's
// materialised result.
void run_plan(FunctionCallInfo fcinfo, const std::vector<core::Migration>& plan,
              const RunRequest& request);

}  // namespace ms::pg
