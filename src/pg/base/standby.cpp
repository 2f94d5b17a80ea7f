#include "pg/base/standby.hpp"

#include "core/base/failure.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
}

#include <string>

namespace ms::pg {

void refuse_read_only(const char* function) {
    if (pg_call([] { return RecoveryInProgress(); }))
        throw core::Failure(core::FailureKind::ReadOnly,
                            std::string(function) + "() cannot run on a hot standby",
                            "It writes the tracking state, and a standby is read-only.",
                            "Run it on the primary; migrate_status(), migrate_history(), "
                            "migrate_validate() and the other reading calls work here.");
    if (XactReadOnly)
        throw core::Failure(core::FailureKind::ReadOnly,
                            std::string(function) + "() cannot run in a read-only transaction",
                            "It writes the tracking state.",
                            "Call it in a read-write transaction (default_transaction_read_only "
                            "is on?).");
}

}  // namespace ms::pg
