#include "pg/registry/project_operation.hpp"

#include "core/base/failure.hpp"
#include "pg/base/standby.hpp"
#include "pg/registry/registry.hpp"
#include "pg/registry/runner_lease.hpp"

namespace ms::pg {

ProjectOperation::ProjectOperation(const char* function, std::string project,
                                   BesideRunner beside, Access access)
    : runner_(function), function_(function), beside_(beside), project_(std::move(project)),
      caller_(caller_role()) {
    if (access == Access::Write)
        refuse_read_only(function);
}

void ProjectOperation::lock_once() {
    if (locked_)
        return;
    lock_project(project_);
    locked_ = true;
    if (beside_ == BesideRunner::Proceed)
        return;
    if (const auto holder = runner_holding(project_))
        throw core::Failure(core::FailureKind::LockWait,
                            std::string(function_) + "() cannot run while project \"" +
                                project_ + "\" is being migrated",
                            "It is held by " + holder->describe() + ".",
                            "Call it again when that run has finished; this call holds a "
                            "snapshot, which the run's CREATE INDEX CONCURRENTLY would wait "
                            "for, so it does not wait.");
}

RegistryState ProjectOperation::load() const {
    return RegistryState{load_registered(project_), load_applied(project_), load_failed(project_)};
}

}  // namespace ms::pg
