// A subtransaction that is always rolled back: for dry runs and for verify scripts, which
// must leave nothing behind whether they succeed or fail.
#pragma once

#include "pg/guard.hpp"

#include <exception>

extern "C" {
#include "utils/resowner.h"
}

namespace ms::pg {

// Runs fn inside a subtransaction, rolls it back, then rethrows whatever fn threw. The
// subtransaction is closed before any error travels on, or the caller's own exception
// handling would roll back the wrong level.
template <typename Fn>
void in_discarded_subtransaction(Fn&& fn) {
    const MemoryContext outer_context = CurrentMemoryContext;
    const ResourceOwner outer_owner = CurrentResourceOwner;
    pg_call([] { BeginInternalSubTransaction(nullptr); });
    MemoryContextSwitchTo(outer_context);
    std::exception_ptr failure;
    try {
        fn();
    } catch (...) {
        failure = std::current_exception();
    }
    pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(outer_context);
    CurrentResourceOwner = outer_owner;
    if (failure)
        std::rethrow_exception(failure);
}

// Runs fn inside a subtransaction that is kept when fn succeeds and rolled back, before
// the error travels on, when it throws.
template <typename Fn>
void in_subtransaction(Fn&& fn) {
    const MemoryContext outer_context = CurrentMemoryContext;
    const ResourceOwner outer_owner = CurrentResourceOwner;
    pg_call([] { BeginInternalSubTransaction(nullptr); });
    MemoryContextSwitchTo(outer_context);
    std::exception_ptr failure;
    try {
        fn();
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure)
        pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
    else
        pg_call([] { ReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(outer_context);
    CurrentResourceOwner = outer_owner;
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace ms::pg
