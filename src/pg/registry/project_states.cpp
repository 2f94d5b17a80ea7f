#include "pg/registry/project_states.hpp"

#include "pg/base/spi.hpp"

namespace ms::pg {

std::map<std::string, ProjectState> load_project_states(const std::optional<std::string>& project) {
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

}  // namespace ms::pg
