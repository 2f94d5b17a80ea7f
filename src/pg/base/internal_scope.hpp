// While the runner reads or writes its tracking tables it acts as the extension's owner
// with a pinned search_path: a caller granted EXECUTE needs no rights on the tables, and no
// object the caller can create (a shadowing operator, a temp table) can take part.
// User scripts run outside any InternalScope, as the caller, with the caller's search_path.
#pragma once

#include "pg/base/pg.hpp"

#include <string>

namespace ms::pg {

// The role the caller acts as; call it outside any InternalScope.
std::string caller_role();

class InternalScope {
public:
    InternalScope();
    ~InternalScope();
    InternalScope(const InternalScope&) = delete;
    InternalScope& operator=(const InternalScope&) = delete;

private:
    Oid saved_user_ = InvalidOid;
    int saved_security_ = 0;
    int guc_level_ = 0;
    int exceptions_at_entry_ = 0;
};

}  // namespace ms::pg
