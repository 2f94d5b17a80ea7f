// The state of an expand/contract migration between its start and its completion or abort,
// in the protected tables migrations_schema.expansion (one row per project: which version,
// the two version schemas, the phase), .expansion_step (what completion and abort will run,
// decided at start, when the catalog still had the old shape) and .backfill (per table, how
// far the backfill has come). Every call must run inside an InternalScope.
#pragma once

#include "core/plan/expand_contract.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

struct Expansion {
    std::string project;
    std::string version;
    std::string checksum;
    std::string old_schema;
    std::string new_schema;
    std::string phase;  // "backfilling" or "expanded"
};

// One step of a phase as stored: `when` is "before", "main" or "after".
struct StoredStep {
    std::string when;
    core::EcStep step;
    int line = 0;
};

struct BackfillState {
    std::string schema;
    std::string table;
    std::string key;
    std::string key_type;
    std::string check;
    std::optional<std::string> last_key;
    std::int64_t rows_done = 0;
    std::optional<std::int64_t> rows_total;
    bool done = false;
};

std::optional<Expansion> load_expansion(const std::string& project);
// Every project's expansion, for migrate_status.
std::vector<Expansion> load_expansions();

// Refuses (SQLSTATE 55000) a call that would run, undo or rehearse the project's
// migrations while an expand and contract migration of it is started and not completed or
// aborted: the runner would run the expanding migration's script as plain SQL over its
// expanded state, and the version schemas' views hold the tables and columns a later
// migration changes. procedure names the refused call ("migrate_run").
void refuse_while_expanding(const std::string& project, const char* procedure);

void insert_expansion(const Expansion& e, const std::string& caller);
void set_expansion_phase(const std::string& project, const std::string& phase);
// Deletes the expansion with its steps and backfill state.
void delete_expansion(const std::string& project);

// phase: "start" (the steps a resumed start runs again), "complete" or "abort".
void insert_steps(const std::string& project, const std::string& phase,
                  const std::vector<StoredStep>& steps);
std::vector<StoredStep> load_steps(const std::string& project, const std::string& phase);

void insert_backfill(const std::string& project, const BackfillState& b);
std::vector<BackfillState> load_backfill(const std::string& project);
void record_backfill_batch(const std::string& project, const BackfillState& b,
                           const std::optional<std::string>& last_key, std::int64_t rows,
                           std::optional<std::int64_t> total, bool done);

}  // namespace ms::pg
