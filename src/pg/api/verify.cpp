// migrate_verify(project) -> SETOF (version, name, result, detail): runs the verify script
// of every applied migration again, each in a subtransaction that is rolled back.
#include "pg/base/activity.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/runner/verification.hpp"

namespace ms::pg {

namespace {

Datum verify_body(FunctionCallInfo fcinfo) {
    RunnerScope runner("migrate_verify");
    const std::string project = project_argument(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    verify_applied(project, [&](const VerifyResult& r) {
        rows.add_row({Cell::text(r.version), Cell::text(r.name), Cell::text(r.result),
                      Cell::text(r.detail)});
    });
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_verify, ms::pg::verify_body)
