// What every call that reads or changes one project's tracking state does before its own
// work: refuse to run from inside a migration, remember who calls (before any identity
// switch), refuse to write on a hot standby, connect SPI, and lock the project as the
// extension's owner (registry/runner_lease.hpp). An entry point then says only what is its
// own.
#pragma once

#include "core/plan/planner.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"

#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

// A project's registry as the planner sees it.
struct RegistryState {
    std::vector<core::Registered> registered;
    std::vector<core::Applied> applied;
    std::vector<std::string> failed;
};

// What a call does while another session's migrate_run holds the project. It cannot wait
// for the run: it holds a snapshot, which the run's CREATE INDEX CONCURRENTLY would wait for.
enum class BesideRunner {
    Refuse,   // it changes what the runner reads or writes: it is refused, naming the runner
    Proceed,  // registration and reading: the runner's plan is made, and a resumed or next
              // run sees the new registry with its checksums
};

// Whether the call writes (refused on a hot standby) or only reads.
enum class Access { Write, Read };

class ProjectOperation {
public:
    // function names the SQL call in the error a migration calling it gets.
    ProjectOperation(const char* function, std::string project,
                     BesideRunner beside = BesideRunner::Refuse, Access access = Access::Write);
    ProjectOperation(const ProjectOperation&) = delete;
    ProjectOperation& operator=(const ProjectOperation&) = delete;

    const std::string& project() const { return project_; }
    const std::string& caller() const { return caller_; }

    // Runs fn as the extension's owner with the project locked until the transaction ends
    // (the lock is taken on the first call).
    template <typename Fn>
    decltype(auto) tracked(Fn&& fn) {
        InternalScope internal;
        lock_once();
        return std::forward<Fn>(fn)();
    }

    // Registered, applied and failed migrations; call it inside tracked().
    RegistryState load() const;

private:
    void lock_once();

    RunnerScope runner_;
    const char* function_;
    BesideRunner beside_;
    std::string project_;
    std::string caller_;
    SpiConnection spi_;
    bool locked_ = false;
};

}  // namespace ms::pg
