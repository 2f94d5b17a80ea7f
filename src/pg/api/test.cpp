// migrate_test(project, target) -> SETOF (version, name, reversible, detail, differences):
// round trips of every pending migration, nothing kept (runner/round_trip.hpp).
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/runner/round_trip.hpp"

extern "C" {
#include "utils/fmgrprotos.h"
}

namespace ms::pg {

namespace {

Datum test_body(FunctionCallInfo fcinfo) {
    const std::string project = project_argument(fcinfo, 0);
    const auto target = optional_text(fcinfo, 1);
    ResultSet rows(fcinfo);
    for (const auto& o : test_round_trips(project, target)) {
        Datum differences = 0;
        if (o.differences)
            differences = pg_call([&] {
                return DirectFunctionCall1(jsonb_in, CStringGetDatum(o.differences->c_str()));
            });
        rows.add_row({Cell::text(o.version), Cell::text(o.name), Cell::text(o.reversible),
                      Cell::text(o.detail), Cell::datum(differences, !o.differences)});
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_test, ms::pg::test_body)
