#include "pg/base/internal_scope.hpp"

#include "pg/base/extension_objects.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace ms::pg {

namespace {

int depth = 0;

}  // namespace

std::string caller_role() {
    return pg_call([] { return GetUserNameFromId(GetUserId(), false); });
}

SettingsScope::SettingsScope() {
    GetUserIdAndSecContext(&saved_user_, &saved_security_);
    guc_level_ = pg_call([] { return NewGUCNestLevel(); });
}

SettingsScope::~SettingsScope() {
    // Restoring is plain assignment and a walk of the GUC stack at our level; it does not
    // query the catalog, so it is safe while an error unwinds. isCommit = false discards
    // every change made at this level, SET and SET LOCAL alike.
    AtEOXact_GUC(false, guc_level_);
    SetUserIdAndSecContext(saved_user_, saved_security_);
}

InternalScope::InternalScope() {
    const Oid owner = extension_owner();
    Oid user = InvalidOid;
    int security = 0;
    GetUserIdAndSecContext(&user, &security);
    pg_call([] {
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
                                PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    });
    SetUserIdAndSecContext(owner, security | SECURITY_LOCAL_USERID_CHANGE);
    ++depth;
}

InternalScope::~InternalScope() {
    --depth;
}

int internal_scope_depth() noexcept {
    return depth;
}

}  // namespace ms::pg
