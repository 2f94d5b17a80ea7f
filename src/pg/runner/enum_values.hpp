// Values added to enum types by the current transaction, which PostgreSQL refuses to use
// until it commits ("unsafe use of new value"). A rehearsal (a dry run, migrate_test) runs
// in one transaction where the run commits between migrations: it tracks who added each
// such value, so that a statement refused for using one is reported as needing that commit
// instead of failing the rehearsal.
#pragma once

#include "core/plan/dry_run.hpp"
#include "pg/base/guard.hpp"

#include <map>
#include <string>
#include <vector>

namespace ms::pg {

// The error PostgreSQL raises for a value added by a transaction that has not committed.
bool is_unsafe_enum_use(const PgError& e);

class AddedEnumValues {
public:
    // Values the transaction added before the rehearsal began are the caller's, never
    // attributed: the run would not have committed them either.
    AddedEnumValues();

    // Attributes the values added since the last call and still there to `by`.
    void attribute(const std::string& by);

    // The attributed values the transaction still holds (a subtransaction rolled back
    // takes its values with it).
    std::vector<core::AddedEnumValue> still_added() const;

private:
    std::map<unsigned, std::string> callers_;  // oid -> label, there before
    std::map<unsigned, core::AddedEnumValue> added_;
};

}  // namespace ms::pg
