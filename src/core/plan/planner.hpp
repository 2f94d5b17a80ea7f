// The planner: from what is registered, what is applied and what the caller asked for, the
// ordered list of migrations to run, or a Failure saying why not. No I/O, no server.
#pragma once

#include "core/base/version.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

struct Registered {
    std::string version;
    std::string name;
    std::string checksum;
    bool has_down = false;
};

// How an applied migration came to be applied: run by the runner, declared by a baseline,
// or taken over from another tool's tracking table.
enum class AppliedKind { Run, Baseline, Imported };

const char* applied_kind_name(AppliedKind k) noexcept;
// The inverse of applied_kind_name; anything else is a run.
AppliedKind applied_kind_from(std::string_view name) noexcept;

struct Applied {
    std::string version;
    std::string checksum;  // of the script as it was applied
    AppliedKind kind = AppliedKind::Run;
};

// Failed: pending, with a failed attempt on record. Baseline: applied by migrate_baseline.
enum class State { Pending, Failed, Applied, Baseline, Modified, Missing };

const char* state_name(State s) noexcept;

struct Migration {
    Version version;
    std::string name;
    State state;
    bool has_down;
    // Where it came from in migration_states' arguments (npos: not registered, not applied),
    // so that callers find its details without a lookup of their own.
    std::size_t registered_index = npos;
    std::size_t applied_index = npos;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

// Whether the state counts as applied (baseline, modified and missing included).
bool is_applied(State s) noexcept;

// Every known migration with its state, in version order. Missing: applied, but no longer
// registered. `failed` lists versions with a failed attempt on record.
std::vector<Migration> migration_states(const std::vector<Registered>& registered,
                                        const std::vector<Applied>& applied,
                                        const std::vector<std::string>& failed = {});

struct ApplyRequest {
    std::optional<std::string> target;  // apply up to and including this version
    bool allow_out_of_order = false;
};

// Pending migrations to apply, oldest first. Refuses while an applied migration is modified,
// when the target is not registered, and when a pending migration sorts before the newest
// applied one (unless allowed).
std::vector<Migration> plan_apply(const std::vector<Registered>& registered,
                                  const std::vector<Applied>& applied,
                                  const ApplyRequest& request,
                                  const std::vector<std::string>& failed = {});

struct RollbackRequest {
    std::optional<std::string> target;  // the version to end at, which stays applied
    long steps = 1;
    bool everything = false;
    // Undo exactly this version (what "rollback 003" means to most people). Refused while
    // a later migration is applied, unless out of order is allowed.
    std::optional<std::string> version;
    bool allow_out_of_order = false;
    // An out-of-order undo whose down script would also drop what later migrations made
    // goes ahead, with a WARNING naming it, instead of being refused.
    bool force = false;
    // The project is forward-only (core/plan/forward_only.hpp): a migration without a down
    // script is refused as having nothing to roll back with, not as an omission.
    bool forward_only = false;
};

// Applied migrations to roll back, newest first. Refuses, naming every culprit, when one in
// range has no down script, was modified, or is no longer registered; and when `version`
// is combined with another end point.
std::vector<Migration> plan_rollback(const std::vector<Registered>& registered,
                                     const std::vector<Applied>& applied,
                                     const RollbackRequest& request);

// Registered migrations up to and including `version` that a baseline marks applied,
// oldest first. Refuses when a migration above the version is already applied, or when no
// registered migration is at or below it.
std::vector<Migration> plan_baseline(const std::vector<Registered>& registered,
                                     const std::vector<Applied>& applied,
                                     const std::string& version);

// The pending or failed migration `version` names, to unregister. Refuses an applied one
// (roll it back first: its record must go with its effects) and an unknown version.
Migration plan_unregister(const std::vector<Registered>& registered,
                          const std::vector<Applied>& applied,
                          const std::vector<std::string>& failed, const std::string& version);

// Registered migrations the folder no longer has (by canonical version), to unregister when
// a folder is loaded with prune. Only pending and failed ones: an applied migration that
// left the folder is reported as missing from it, never forgotten.
std::vector<Migration> plan_prune(const std::vector<Registered>& registered,
                                  const std::vector<Applied>& applied,
                                  const std::vector<std::string>& failed,
                                  const std::vector<std::string>& folder_versions);

}  // namespace ms::core
