// How many rows the next backfill batch takes. A batch holds its rows' locks until it
// commits, so a client writing one of them waits for the whole batch: the size follows how
// long batches take, to keep each well inside a bound on that wait.
#pragma once

namespace ms::core {

struct BatchOutcome {
    long rows = 0;            // the size the batch was given
    double elapsed_ms = 0;    // how long it held its rows
    bool timed_out = false;   // cancelled at the bound, its rows not written
};

// bound_ms <= 0: no bound, every batch takes `largest`. A batch cancelled at the bound is
// taken again at half its size; one over half the bound halves the next, one under a quarter
// doubles it, never above `largest` nor under one row.
long next_batch_size(const BatchOutcome& last, long largest, long bound_ms);

}  // namespace ms::core
