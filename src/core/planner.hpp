// The planner: from what is registered, what is applied and what the caller asked for, the
// ordered list of migrations to run, or a Failure saying why not. No I/O, no server.
#pragma once

#include "core/version.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::core {

struct Registered {
    std::string version;
    std::string name;
    std::string checksum;
    bool has_down = false;
};

struct Applied {
    std::string version;
    std::string checksum;  // of the script as it was applied
};

enum class State { Pending, Applied, Modified, Missing };

const char* state_name(State s) noexcept;

struct Migration {
    Version version;
    std::string name;
    State state;
    bool has_down;
};

// Every known migration with its state, in version order. Missing: applied, but no longer
// registered.
std::vector<Migration> migration_states(const std::vector<Registered>& registered,
                                        const std::vector<Applied>& applied);

struct ApplyRequest {
    std::optional<std::string> target;  // apply up to and including this version
    bool allow_out_of_order = false;
};

// Pending migrations to apply, oldest first. Refuses while an applied migration is modified,
// when the target is not registered, and when a pending migration sorts before the newest
// applied one (unless allowed).
std::vector<Migration> plan_apply(const std::vector<Registered>& registered,
                                  const std::vector<Applied>& applied,
                                  const ApplyRequest& request);

struct RollbackRequest {
    std::optional<std::string> target;  // the version to end at, which stays applied
    long steps = 1;
    bool everything = false;
};

// Applied migrations to roll back, newest first. Refuses, naming every culprit, when one in
// range has no down script, was modified, or is no longer registered.
std::vector<Migration> plan_rollback(const std::vector<Registered>& registered,
                                     const std::vector<Applied>& applied,
                                     const RollbackRequest& request);

}  // namespace ms::core
