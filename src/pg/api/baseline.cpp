// migrate_baseline(version, project) -> SETOF (version, name): adopts an existing schema by
// marking every registered migration up to version applied, without running any.
#include "core/plan/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/snapshot.hpp"

#include <map>

namespace ms::pg {

namespace {

void baseline(const ProjectOperation& op, const std::string& version, ResultSet& rows);

Datum baseline_body(FunctionCallInfo fcinfo) {
    const std::string version = required_text(fcinfo, 0, "version");
    ResultSet rows(fcinfo);
    ProjectOperation op("migrate_baseline", project_argument(fcinfo, 1));
    op.tracked([&] { baseline(op, version, rows); });
    return Datum(0);
}

void baseline(const ProjectOperation& op, const std::string& version, ResultSet& rows) {
    const std::string& project = op.project();
    const std::string& caller = op.caller();
    const auto registered = load_registered(project);
    auto checksum_of = checksums_by_version(registered);
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
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_baseline, ms::pg::baseline_body)
