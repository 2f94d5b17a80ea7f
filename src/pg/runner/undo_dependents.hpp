// The check before a migration is undone out of order (core/plan/undo_dependents.hpp): its
// down script is rehearsed in a subtransaction that is rolled back, with the sql_drop event
// trigger listing what it drops (schema/drop_watch.hpp); what goes along with what it names,
// and a later applied migration made, refuses the undo.
#pragma once

#include "core/plan/planner.hpp"

#include <string>

namespace ms::pg {

// For a plan that undoes one migration while later ones stay applied; anything else passes.
// Runs SQL as the caller (the down script); needs a connected SPI.
void check_undo_dependents(const std::string& project, const std::vector<core::Migration>& plan,
                           const core::RollbackRequest& request);

}  // namespace ms::pg
