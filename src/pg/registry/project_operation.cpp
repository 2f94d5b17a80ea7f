#include "pg/registry/project_operation.hpp"

#include "pg/registry/registry.hpp"

namespace ms::pg {

ProjectOperation::ProjectOperation(const char* function, std::string project)
    : runner_(function), project_(std::move(project)), caller_(caller_role()) {}

void ProjectOperation::lock_once() {
    if (locked_)
        return;
    lock_project(project_);
    locked_ = true;
}

RegistryState ProjectOperation::load() const {
    return RegistryState{load_registered(project_), load_applied(project_), load_failed(project_)};
}

}  // namespace ms::pg
