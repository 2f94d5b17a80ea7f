// The relations a dry run looks at: which user relations this backend holds locks on (and
// their sizes), and where each user table keeps its storage (a new relfilenode means a
// rewrite).
#pragma once

#include "core/plan/dry_run.hpp"

#include <set>
#include <string>

namespace ms::pg {

// Needs a connected SPI; reads as the extension's owner.
core::RelationState capture_relation_state();

// The locks the statements take by the linter's reading, as "relation Mode" with the
// relation as the server names it now (relations that do not exist are left out). Needs a
// connected SPI.
std::set<std::string> statement_locks_now(const std::string& script);

}  // namespace ms::pg
