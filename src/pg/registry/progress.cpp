#include "pg/registry/progress.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/spi.hpp"

#include <utility>

namespace ms::pg {

namespace {

constexpr const char* columns =
    "SELECT project, version, checksum, parts::pg_catalog.text, total_parts::pg_catalog.text, "
    "statements::pg_catalog.text, total_statements::pg_catalog.text, committed, "
    "(SELECT m.name FROM migrations_schema.migration m "
    "WHERE m.project OPERATOR(pg_catalog.=) p.project "
    "AND m.version OPERATOR(pg_catalog.=) p.version) "
    "FROM migrations_schema.progress p ";

// Between a package upgrade and ALTER EXTENSION UPDATE the library runs under an install
// script without the table: nothing is partly applied then, and nothing is recorded.
bool has_table() {
    spi_query("SELECT pg_catalog.to_regclass('migrations_schema.progress') IS NOT NULL", {});
    return spi_bool(0, 1);
}

core::PartProgress row(std::uint64_t i) {
    core::PartProgress p;
    p.version = spi_required_text(i, 2);
    p.checksum = spi_required_text(i, 3);
    p.parts = std::stoi(spi_required_text(i, 4));
    p.total_parts = std::stoi(spi_required_text(i, 5));
    p.statements = std::stoi(spi_required_text(i, 6));
    p.total_statements = std::stoi(spi_required_text(i, 7));
    p.committed = spi_required_text(i, 8);
    p.name = spi_text(i, 9).value_or("");
    return p;
}

}  // namespace

std::optional<core::PartProgress> load_progress(const std::string& project,
                                                const std::string& version) {
    static const std::string sql = std::string(columns) +
                                   "WHERE p.project OPERATOR(pg_catalog.=) $1 "
                                   "AND p.version OPERATOR(pg_catalog.=) $2";
    if (!has_table())
        return std::nullopt;
    if (spi_query(sql.c_str(), {text_arg(project), text_arg(version)}) == 0)
        return std::nullopt;
    return row(0);
}

std::vector<std::pair<std::string, core::PartProgress>> load_all_progress(
    const std::optional<std::string>& project) {
    static const std::string sql =
        std::string(columns) +
        "WHERE $1::pg_catalog.text IS NULL OR p.project OPERATOR(pg_catalog.=) $1 "
        "ORDER BY p.project, p.version";
    if (!has_table())
        return {};
    const auto rows = spi_query(sql.c_str(), {text_arg(project)});
    std::vector<std::pair<std::string, core::PartProgress>> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.emplace_back(spi_required_text(i, 1), row(i));
    return out;
}

std::vector<core::PartProgress> partial_migrations(const std::string& project) {
    std::vector<core::PartProgress> out;
    for (auto& [p, progress] : load_all_progress(project))
        out.push_back(std::move(progress));
    return out;
}

void record_progress(const std::string& project, const core::PartProgress& p) {
    fault_point("record_progress");
    if (!has_table())
        return;
    spi_query(
        "INSERT INTO migrations_schema.progress (project, version, checksum, parts, "
        "total_parts, statements, total_statements, committed) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (project, version) DO UPDATE "
        "SET checksum = EXCLUDED.checksum, parts = EXCLUDED.parts, "
        "total_parts = EXCLUDED.total_parts, statements = EXCLUDED.statements, "
        "total_statements = EXCLUDED.total_statements, committed = EXCLUDED.committed, "
        "recorded_at = pg_catalog.clock_timestamp()",
        {text_arg(project), text_arg(p.version), text_arg(p.checksum), int4_arg(p.parts),
         int4_arg(p.total_parts), int4_arg(p.statements), int4_arg(p.total_statements),
         text_arg(p.committed)});
}

void clear_progress(const std::string& project, const std::string& version) {
    if (!has_table())
        return;
    spi_query(
        "DELETE FROM migrations_schema.progress "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version)});
}

}  // namespace ms::pg
