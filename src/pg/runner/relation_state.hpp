// The relations a dry run looks at: which user relations this backend holds locks on, and
// where each user table keeps its storage (a new relfilenode means a rewrite).
#pragma once

#include "core/dry_run.hpp"

namespace ms::pg {

// Needs a connected SPI; reads as the extension's owner.
core::RelationState capture_relation_state();

}  // namespace ms::pg
