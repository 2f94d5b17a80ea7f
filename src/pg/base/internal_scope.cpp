#include "pg/base/internal_scope.hpp"

#include "pg/base/extension_objects.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <exception>

namespace ms::pg {

std::string caller_role() {
    return pg_call([] { return GetUserNameFromId(GetUserId(), false); });
}

InternalScope::InternalScope() : exceptions_at_entry_(std::uncaught_exceptions()) {
    const Oid owner = extension_owner();
    GetUserIdAndSecContext(&saved_user_, &saved_security_);
    guc_level_ = pg_call([] { return NewGUCNestLevel(); });
    pg_call([] {
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
                                PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    });
    SetUserIdAndSecContext(owner, saved_security_ | SECURITY_LOCAL_USERID_CHANGE);
}

InternalScope::~InternalScope() {
    // On an error the transaction (or the caller's subtransaction) is about to abort, and
    // the abort restores the user and the settings itself; touching them now could fail.
    if (std::uncaught_exceptions() > exceptions_at_entry_)
        return;
    SetUserIdAndSecContext(saved_user_, saved_security_);
    AtEOXact_GUC(true, guc_level_);
}

}  // namespace ms::pg
