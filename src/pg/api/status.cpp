// migrate_status(project) -> SETOF (project, version, name, state, applied_at, applied_by,
// duration_ms, reversible, checksum): every known migration, in version order.
#include "core/plan/planner.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/runner/run_progress.hpp"

#include <map>

namespace ms::pg {

namespace {

struct AppliedDetail {
    Datum applied_at;  // timestamptz is passed by value
    std::string applied_by;
    double duration_ms;
};

struct ProjectState {
    std::vector<core::Registered> registered;
    std::vector<core::Applied> applied;
    std::vector<std::string> failed;
    std::vector<AppliedDetail> details;  // of applied[i]
};

std::map<std::string, ProjectState> load_states(const std::optional<std::string>& project) {
    std::map<std::string, ProjectState> projects;
    const auto registered = spi_query(
        "SELECT project, version, name, checksum, down_sql IS NOT NULL "
        "FROM migrations_schema.migration "
        "WHERE $1::pg_catalog.text IS NULL OR project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    for (std::uint64_t i = 0; i < registered; ++i) {
        ProjectState& p = projects[spi_required_text(i, 1)];
        if (p.registered.empty())  // one project holds most rows: size for all of them
            p.registered.reserve(registered);
        p.registered.push_back(core::Registered{spi_required_text(i, 2), spi_required_text(i, 3),
                                                spi_required_text(i, 4), spi_bool(i, 5)});
    }
    const auto applied = spi_query(
        "SELECT project, version, checksum, applied_at, applied_by, duration_ms, kind "
        "FROM migrations_schema.applied "
        "WHERE $1::pg_catalog.text IS NULL OR project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    for (std::uint64_t i = 0; i < applied; ++i) {
        ProjectState& p = projects[spi_required_text(i, 1)];
        if (p.applied.empty()) {
            p.applied.reserve(applied);
            p.details.reserve(applied);
        }
        p.applied.push_back(core::Applied{spi_required_text(i, 2), spi_required_text(i, 3),
                                          core::applied_kind_from(spi_required_text(i, 7))});
        bool is_null = false;
        const Datum at = spi_datum(i, 4, &is_null);
        const Datum duration = spi_datum(i, 6, &is_null);
        p.details.push_back(AppliedDetail{at, spi_required_text(i, 5),
                                          is_null ? 0.0 : DatumGetFloat8(duration)});
    }
    const auto failed = spi_query(
        "SELECT project, version FROM migrations_schema.failure "
        "WHERE $1::pg_catalog.text IS NULL OR project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    for (std::uint64_t i = 0; i < failed; ++i)
        projects[spi_required_text(i, 1)].failed.push_back(spi_required_text(i, 2));
    return projects;
}

Datum status_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    std::map<std::string, ProjectState> projects;
    std::set<std::pair<std::string, std::string>> running;
    {
        InternalScope internal;
        projects = load_states(project);
        running = running_migrations();
    }
    static const std::string running_state = "running";
    // Spelled once, not per row.
    static const std::string state_names[] = {
        core::state_name(core::State::Pending), core::state_name(core::State::Failed),
        core::state_name(core::State::Applied), core::state_name(core::State::Baseline),
        core::state_name(core::State::Modified), core::state_name(core::State::Missing)};
    for (const auto& [name, p] : projects) {
        for (const auto& m : core::migration_states(p.registered, p.applied, p.failed)) {
            const bool applied = m.applied_index != core::Migration::npos;
            const AppliedDetail* detail = applied ? &p.details[m.applied_index] : nullptr;
            const std::string& checksum = m.registered_index != core::Migration::npos
                                              ? p.registered[m.registered_index].checksum
                                              : p.applied[m.applied_index].checksum;
            rows.add_row({Cell::text(name), Cell::text(m.version.text()),
                          m.state == core::State::Missing ? Cell::null() : Cell::text(m.name),
                          !core::is_applied(m.state) && running.count({name, m.version.text()})
                              ? Cell::text(running_state)
                              : Cell::text(state_names[static_cast<int>(m.state)]),
                          applied ? Cell::datum(detail->applied_at, false) : Cell::null(),
                          applied ? Cell::text(detail->applied_by) : Cell::null(),
                          applied ? Cell::float8(detail->duration_ms) : Cell::null(),
                          Cell::boolean(m.has_down), Cell::text(checksum)});
        }
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_status, ms::pg::status_body)
