// migrations_schema.ddl_guard = error: the one refusal of DDL outside migrations, raised by
// the event triggers before a statement starts (the CONCURRENTLY forms) or when it ends.
#pragma once

#include "core/base/failure.hpp"

#include <string>

namespace ms::pg {

// guarded: what the command reached, "index app.items_name_idx, ...".
core::Failure ddl_guard_refusal(const std::string& tag, const std::string& guarded);

}  // namespace ms::pg
