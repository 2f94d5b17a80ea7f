#include "pg/schema/ddl_guard.hpp"

namespace ms::pg {

core::Failure ddl_guard_refusal(const std::string& tag, const std::string& guarded) {
    return core::Failure(
        core::FailureKind::Forbidden,
        tag + " outside migrations (" + guarded + ") is refused by migrations_schema.ddl_guard",
        "Schema changes on the managed schemas go through migrations.",
        "Add a migration and apply it; in an emergency a superuser can SET "
        "migrations_schema.ddl_guard_bypass = on (the change is still logged as drift).");
}

}  // namespace ms::pg
