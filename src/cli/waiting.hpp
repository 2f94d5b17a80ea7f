// Waiting for the server (pg_migrate wait, and --wait before any command): containers start
// the database and the application together.
#pragma once

#include "cli/dsn.hpp"
#include "cli/options.hpp"

#include <vector>

namespace ms::cli {

// Waits up to options.wait_seconds (default 60) until every database answers connections:
// 0 when they all do, 2 on a timeout (naming those that did not), 130 when interrupted.
int wait_for_servers(const Options& options, const std::vector<DsnLine>& dsns);

}  // namespace ms::cli
