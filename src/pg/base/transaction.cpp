#include "pg/base/transaction.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"

extern "C" {
#include "tcop/pquery.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

#include <stdexcept>

namespace ms::pg {

namespace {

void require_caller_identity(const char* what) {
    if (internal_scope_depth() != 0)
        throw std::logic_error(std::string("migrations_schema: ") + what +
                               " inside an internal scope");
}

// An error caught at the procedure's top level (a cancel or statement_timeout in the middle
// of a query, not inside a subtransaction) leaves behind what the interrupted statement had
// set up: the connections of SPI functions it was inside, and the snapshots it had pushed.
// SPI_rollback needs the procedure's own nonatomic connection on top and counts the active
// snapshots against the portals' ("portal snapshots (1) did not account for all active
// snapshots (2)"). The abort would release both; this does it first, as the abort of a
// subtransaction does (AtEOSubXact_SPI, AtSubAbort_Snapshot).
void unwind_interrupted_statement() {
    const MemoryContext context = CurrentMemoryContext;
    for (int i = 0; i < 64 && !SPI_inside_nonatomic_context(); ++i)
        if (SPI_finish() < 0)
            break;
    MemoryContextSwitchTo(context);
    while (ActiveSnapshotSet())
        PopActiveSnapshot();
    if (ActivePortal != nullptr)
        ActivePortal->portalSnapshot = nullptr;
}

}  // namespace

void commit_work() {
    require_caller_identity("commit");
    fault_point("commit");
    pg_call([] { SPI_commit(); });
}

void commit_work_without_flush() {
    require_caller_identity("commit");
    pg_call([] {
        (void)set_config_option("synchronous_commit", "off", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_LOCAL, true, 0, false);
    });
    commit_work();
}

void rollback_work() {
    require_caller_identity("rollback");
    pg_call([] {
        unwind_interrupted_statement();
        SPI_rollback();
    });
}

}  // namespace ms::pg
