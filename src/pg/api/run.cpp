// CALL migrate_run(target, project, out_of_order): the production runner
// (runner/production_run.hpp).
#include "pg/api/call_context.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/runner/production_run.hpp"

namespace ms::pg {

namespace {

Datum run_body(FunctionCallInfo fcinfo) {
    // out_of_order is absent under the 0.3.0 definition (before ALTER EXTENSION UPDATE).
    run_production(ProductionRequest{optional_text(fcinfo, 0), project_argument(fcinfo, 1),
                                     required_bool(fcinfo, 2, "out_of_order", false),
                                     in_atomic_context(fcinfo), std::nullopt});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_run, ms::pg::run_body)
