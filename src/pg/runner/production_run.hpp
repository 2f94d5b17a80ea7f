// The production runner behind CALL migrate_run() and CALL migrate_run_rollback(): each
// migration runs in transactions of its own and is committed before the next; statements
// that cannot run in a transaction (CREATE or DROP INDEX CONCURRENTLY, VACUUM, ...) run at
// top level in a background worker; lock timeouts are retried; a failure is recorded
// (status `failed` on the way up, history both ways) and stops the run.
#pragma once

#include "core/plan/planner.hpp"

#include <optional>
#include <string>

namespace ms::pg {

struct ProductionRequest {
    std::optional<std::string> target;  // up: apply up to and including it
    std::string project;
    bool out_of_order = false;  // up: pending migrations before the newest applied one too
    bool atomic = true;  // called inside a transaction block: it cannot commit, so it refuses
    // Down scripts instead, planned by core::plan_rollback from this request.
    std::optional<core::RollbackRequest> rollback;
};

void run_production(const ProductionRequest& request);

}  // namespace ms::pg
