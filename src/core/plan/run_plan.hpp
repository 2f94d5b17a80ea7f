// Decisions of the production runner (migrate_run) that need no server: how a migration's
// statements split into transactions and top-level statements, and how long to wait before
// retrying after a lock timeout.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ms::core {

// "-- migrate:no-transaction" as the script's first line: every statement runs on its own,
// at top level, as psql would run it outside a transaction.
bool has_no_transaction_marker(std::string_view script);

// A run of consecutive statements [begin, end): either all run in one transaction, or
// (top_level) it is a single statement that must run outside any transaction block.
struct Segment {
    std::size_t begin;
    std::size_t end;
    bool top_level;
};

// Groups statements in order. Consecutive transactional statements share a segment; every
// top-level statement is a segment of its own.
std::vector<Segment> segment_statements(const std::vector<bool>& top_level);

// Whether a DO block's body commits or rolls back (the batched backfill pattern), so that
// it must run at top level rather than inside the runner's transaction.
bool body_controls_transactions(std::string_view body);

// Milliseconds to wait before retry `attempt` (1-based) after a lock timeout: doubling from
// base_ms, capped at max_ms, then spread by jitter in [0, 1) to between half and the whole
// of it, so that runners retrying together do not collide again.
long retry_delay_ms(int attempt, double jitter, long base_ms = 500, long max_ms = 30000);

}  // namespace ms::core
