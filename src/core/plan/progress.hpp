// A migration that commits more than once (statements before and after a CREATE INDEX
// CONCURRENTLY, a DO block that commits its batches) is applied in parts: each part is one
// transaction or one top-level statement. The parts committed so far are recorded, so that a
// failed run resumes at the part that failed and never runs a committed part again. These
// are the decisions about that record that need no server.
#pragma once

#include "core/plan/planner.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::core {

struct PartProgress {
    std::string version;
    std::string name;
    std::string checksum;    // of the scripts the committed parts came from
    int parts = 0;           // parts committed
    int total_parts = 0;     // parts of the script they came from
    int statements = 0;      // the first `statements` statements of the up script committed
    int total_statements = 0;
    std::string committed;   // SHA-256 over the committed statements' text
};

// "2 of 3 parts committed (statements 1 to 4 of 6)", as migrate_status shows it.
std::string describe_progress(const PartProgress& p);

// Where a run of the migration starts, by statement index (0-based): after the committed
// statements. Refuses, saying what was committed and what was not, when the script it has now
// no longer begins with the committed statements (`committed_now`: the same digest over its
// first p.statements statements, empty when it has fewer).
int resume_at(const PartProgress& p, const std::string& label, const std::string& committed_now,
              int statements_now);

// A rollback while a migration of the project is partly applied: refused, naming it, unless
// the rollback names exactly that migration (`version`, in any spelling), whose down script
// then undoes the committed parts. Returns the partly applied migration to roll back, or
// nullptr when none is partly applied.
const PartProgress* rollback_of_partial(const std::vector<PartProgress>& partial,
                                        const std::optional<std::string>& version);

// plan_rollback, with the partly applied migrations of the project: refused while one is
// (rollback_of_partial), and exactly that one when the request names it, if it has a down
// script.
std::vector<Migration> plan_rollback_with_progress(const std::vector<Registered>& registered,
                                                   const std::vector<Applied>& applied,
                                                   const RollbackRequest& request,
                                                   const std::vector<PartProgress>& partial);

}  // namespace ms::core
