// Identity and settings switches that always restore, also while an exception unwinds
// (CONTRIBUTING.md, "Errors"). Never "the abort will restore it": a commit on the same path
// would make the switched identity the one the next abort restores.
//
// SettingsScope: whatever settings and role the code inside changes end with it (a
// migration's SET, SET ROLE, session_replication_role).
// InternalScope: the runner reads or writes its tracking tables as the extension's owner
// with a pinned search_path: a caller granted EXECUTE needs no rights on the tables, and no
// object the caller can create (a shadowing operator, a temp table) can take part. User
// scripts run outside any InternalScope, as the caller, with the caller's search_path.
#pragma once

#include "pg/base/pg.hpp"

#include <string>

namespace ms::pg {

// The role the caller acts as; call it outside any InternalScope.
std::string caller_role();

class SettingsScope {
public:
    SettingsScope();
    ~SettingsScope();
    SettingsScope(const SettingsScope&) = delete;
    SettingsScope& operator=(const SettingsScope&) = delete;

private:
    Oid saved_user_ = InvalidOid;
    int saved_security_ = 0;
    int guc_level_ = 0;
};

class InternalScope {
public:
    InternalScope();
    ~InternalScope();
    InternalScope(const InternalScope&) = delete;
    InternalScope& operator=(const InternalScope&) = delete;

private:
    SettingsScope settings_;
};

// How many InternalScopes are open in this backend. A commit or rollback while one is open
// would hand the owner's identity to the next transaction: commit_work() refuses it.
int internal_scope_depth() noexcept;

}  // namespace ms::pg
