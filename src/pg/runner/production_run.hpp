// The production runner behind CALL migrate_run(): each pending migration runs in
// transactions of its own and is committed before the next; statements that cannot run in a
// transaction run at top level in a background worker; lock timeouts are retried; a failure
// is recorded (status `failed`, history) and stops the run.
#pragma once

#include <optional>
#include <string>

namespace ms::pg {

struct ProductionRequest {
    std::optional<std::string> target;
    std::string project;
    bool atomic = true;  // called inside a transaction block: it cannot commit, so it refuses
};

void run_production(const ProductionRequest& request);

}  // namespace ms::pg
