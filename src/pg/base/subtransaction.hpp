// Internal subtransactions around user SQL: kept for a migration that migrate_run commits,
// always rolled back for dry runs and verify scripts, which must leave nothing behind.
#pragma once

#include "pg/base/guard.hpp"

extern "C" {
#include "utils/resowner.h"
}

#include <exception>
#include <utility>

namespace ms::pg {

// Runs fn inside a subtransaction; keeps it when fn succeeds and `keep` is set, rolls it back
// otherwise, then rethrows whatever fn threw. The subtransaction is closed before any error
// travels on, or the caller's own exception handling would roll back the wrong level.
template <typename Fn>
void run_in_subtransaction(Fn&& fn, bool keep) {
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
    if (keep && !failure)
        pg_call([] { ReleaseCurrentSubTransaction(); });
    else
        pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(outer_context);
    CurrentResourceOwner = outer_owner;
    if (failure)
        std::rethrow_exception(failure);
}

// For work that is kept: a migration's statements in migrate_run.
template <typename Fn>
void in_subtransaction(Fn&& fn) {
    run_in_subtransaction(std::forward<Fn>(fn), true);
}

// For work that must leave nothing behind, whether it succeeds or fails: dry runs, verify.
template <typename Fn>
void in_discarded_subtransaction(Fn&& fn) {
    run_in_subtransaction(std::forward<Fn>(fn), false);
}

}  // namespace ms::pg
