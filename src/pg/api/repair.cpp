// migrate_repair(project) -> SETOF (version, action, detail): accepts the current content of
// modified migrations and clears failed attempts, logging both to history.
#include "core/plan/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registry.hpp"

#include <map>

namespace ms::pg {

namespace {

void repair(const ProjectOperation& op, ResultSet& rows);

Datum repair_body(FunctionCallInfo fcinfo) {
    ResultSet rows(fcinfo);
    ProjectOperation op("migrate_repair", project_argument(fcinfo, 0));
    op.tracked([&] { repair(op, rows); });
    return Datum(0);
}

void repair(const ProjectOperation& op, ResultSet& rows) {
    const std::string& project = op.project();
    const std::string& caller = op.caller();
    const auto state = op.load();
    const auto& registered = state.registered;
    const auto& applied = state.applied;
    std::map<std::string, std::string> registered_checksum, applied_checksum;
    for (const auto& r : registered)
        registered_checksum[core::Version::parse(r.version).canonical()] = r.checksum;
    for (const auto& a : applied)
        applied_checksum[core::Version::parse(a.version).canonical()] = a.checksum;

    static const std::string rechecked = "checksum re-recorded";
    static const std::string cleared = "failure cleared";
    int changes = 0;
    for (const auto& m : core::migration_states(registered, applied, state.failed)) {
        const std::string& v = m.version.text();
        const std::string canonical = m.version.canonical();
        if (m.state == core::State::Modified) {
            const std::string& old_sum = applied_checksum[canonical];
            const std::string& new_sum = registered_checksum[canonical];
            update_applied_checksum(project, v, new_sum);
            append_history({project, v, "repair", std::nullopt, new_sum, old_sum,
                            std::string("accepted the modified scripts")},
                           caller);
            rows.add_row({Cell::text(v), Cell::text(rechecked),
                          Cell::text(old_sum + " -> " + new_sum)});
            ++changes;
        } else if (m.state == core::State::Failed) {
            const auto error = clear_failure(project, v);
            append_history({project, v, "repair", std::nullopt, std::nullopt, std::nullopt,
                            "cleared failure: " + error.value_or("")},
                           caller);
            rows.add_row({Cell::text(v), Cell::text(cleared), Cell::text(error)});
            ++changes;
        }
    }
    if (changes == 0)
        pg_call([&] {
            ereport(NOTICE, (errmsg("nothing to repair in project \"%s\"", project.c_str())));
        });
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_repair, ms::pg::repair_body)
