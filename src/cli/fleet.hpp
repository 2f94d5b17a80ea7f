// One command against many databases: a few worker threads, one connection each, and a
// summary at the end. Each database keeps its own advisory lock server-side, so running
// them side by side needs no coordination here.
#pragma once

#include "cli/dsn.hpp"
#include "cli/session.hpp"

#include <vector>

namespace ms::cli {

// Returns the exit status: 0 when every database is ok, 130 after an interrupt, 1
// otherwise.
int run_fleet(const std::vector<DsnLine>& dsns, const Job& job);

}  // namespace ms::cli
