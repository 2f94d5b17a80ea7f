// migrate_prune(keep, project) -> SETOF (version, name): unregisters the pending migrations
// whose versions are not in keep (the versions of the folder a client pushed).
#include "core/base/failure.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/unregistration.hpp"

namespace ms::pg {

namespace {

Datum prune_body(FunctionCallInfo fcinfo) {
    const auto keep = optional_text_array(fcinfo, 0, "keep");
    if (!keep)
        throw core::Failure(core::FailureKind::NullValue, "argument \"keep\" must not be NULL",
                            {}, "Pass the folder's versions; an empty array unregisters every "
                                "pending migration.");
    ResultSet rows(fcinfo);
    ProjectOperation op("migrate_prune", project_argument(fcinfo, 1));
    const auto gone = op.tracked([&] { return prune_to(op, *keep); });
    for (const auto& m : gone)
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name)});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_prune, ms::pg::prune_body)
