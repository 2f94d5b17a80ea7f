// Whether a procedure was CALLed where it may commit: not inside a transaction block, not
// from a function.
#pragma once

#include "pg/base/pg.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace ms::pg {

inline bool in_atomic_context(FunctionCallInfo fcinfo) {
    return fcinfo->context == nullptr || !IsA(fcinfo->context, CallContext) ||
           reinterpret_cast<CallContext*>(fcinfo->context)->atomic;
}

}  // namespace ms::pg
