// migrate_baseline(version, project) -> SETOF (version, name): adopts an existing schema by
// marking every registered migration up to version applied, without running any.
#include "core/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/activity.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/snapshot.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"

#include <map>

namespace ms::pg {

namespace {

Datum baseline_body(FunctionCallInfo fcinfo) {
    RunnerScope runner("migrate_baseline");
    const std::string version = required_text(fcinfo, 0, "version");
    const std::string project = project_argument(fcinfo, 1);
    const std::string caller = caller_role();
    ResultSet rows(fcinfo);
    SpiConnection spi;
    InternalScope internal;
    lock_project(project);
    const auto registered = load_registered(project);
    std::map<std::string, std::string> checksum_of;
    for (const auto& r : registered)
        checksum_of[r.version] = r.checksum;
    for (const auto& m : core::plan_baseline(registered, load_applied(project), version)) {
        const std::string& checksum = checksum_of[m.version.text()];
        record_applied(project, m.version.text(), checksum, caller, 0, 0,
                       core::AppliedKind::Baseline);
        append_history({project, m.version.text(), "baseline", std::nullopt, checksum,
                        std::nullopt, "baseline at " + version},
                       caller);
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name)});
    }
    // The schema as it is now is what the baselined migrations built.
    record_schema_snapshot(project, "baseline", caller);
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_baseline, ms::pg::baseline_body)
