#include "core/plan/backfill_batch.hpp"

#include <algorithm>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

long next_batch_size(const BatchOutcome& last, long largest, long bound_ms) {
    largest = std::max(1L, largest);
    if (bound_ms <= 0)
        return largest;
    const long rows = std::clamp(last.rows, 1L, largest);
    const double bound = static_cast<double>(bound_ms);
    // Halving, not scaling by the time taken: a batch's time is dominated by what else the
    // machine and the table's writers do, and a steady step down finds a size that fits.
    if (last.timed_out || last.elapsed_ms > bound / 2)
        return std::max(1L, rows / 2);
    if (last.elapsed_ms < bound / 4)
        return std::min(largest, rows * 2);
    return rows;
}

}  // namespace ms::core
