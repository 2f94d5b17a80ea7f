// One line under migrate_status()'s rows, and the per-database row of a fleet's status:
// how many migrations are in each state and the newest applied one.
#pragma once

#include "cli/table.hpp"

#include <map>
#include <optional>
#include <string>

namespace ms::cli {

struct StatusCounts {
    std::map<std::string, long> by_state;  // applied, pending, failed, modified, missing, ...
    std::optional<std::string> newest_applied;
    long total = 0;
};

// From the rows of migrate_status() (columns version and state).
StatusCounts count_states(const Table& status);

// "12 migrations: 10 applied, 1 pending, 1 failed, 0 modified, 0 missing; newest applied 012"
std::string summary_line(const StatusCounts& counts);

}  // namespace ms::cli
