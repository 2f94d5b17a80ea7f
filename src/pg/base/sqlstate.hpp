// The SQLSTATE a user sees for each kind of core failure.
#pragma once

#include "core/base/failure.hpp"

namespace ms::pg {

int sqlstate_for(core::FailureKind kind) noexcept;

}  // namespace ms::pg
