#include "pg/base/transaction.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"

#include <stdexcept>

namespace ms::pg {

namespace {

void require_caller_identity(const char* what) {
    if (internal_scope_depth() != 0)
        throw std::logic_error(std::string("migrations_schema: ") + what +
                               " inside an internal scope");
}

}  // namespace

void commit_work() {
    require_caller_identity("commit");
    fault_point("commit");
    pg_call([] { SPI_commit(); });
}

void rollback_work() {
    require_caller_identity("rollback");
    pg_call([] { SPI_rollback(); });
}

}  // namespace ms::pg
