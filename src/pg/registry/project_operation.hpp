// What every call that reads or changes one project's tracking state does before its own
// work: refuse to run from inside a migration, remember who calls (before any identity
// switch), connect SPI, and take the project's lock as the extension's owner. An entry
// point then says only what is its own.
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

class ProjectOperation {
public:
    // function names the SQL call in the error a migration calling it gets.
    ProjectOperation(const char* function, std::string project);
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
    std::string project_;
    std::string caller_;
    SpiConnection spi_;
    bool locked_ = false;
};

}  // namespace ms::pg
