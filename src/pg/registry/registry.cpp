#include "pg/registry/registry.hpp"

#include "core/base/failure.hpp"
#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"
#include "pg/registry/checksum.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace ms::pg {

namespace {

const char* kind_text(core::AppliedKind kind) {
    return core::applied_kind_name(kind);
}

std::optional<std::string> application_name() {
    const char* name = pg_call([] { return GetConfigOption("application_name", true, false); });
    if (name == nullptr || *name == '\0')
        return std::nullopt;
    return std::string(name);
}

}  // namespace

std::map<std::string, std::string> checksums_by_version(
    const std::vector<core::Registered>& registered) {
    std::map<std::string, std::string> checksums;
    for (const auto& r : registered)
        checksums[r.version] = r.checksum;
    return checksums;
}

std::optional<std::string> newest_applied_version(const std::string& project) {
    // A subquery per registered row, each one probe of the applied key: a join planned
    // without statistics (the rows a run has just written) compares every pair.
    const auto rows = spi_query(
        "SELECT m.version FROM migrations_schema.migration m "
        "WHERE m.project OPERATOR(pg_catalog.=) $1 "
        "AND (SELECT true FROM migrations_schema.applied a "
        "WHERE a.project OPERATOR(pg_catalog.=) $1 "
        "AND a.version OPERATOR(pg_catalog.=) m.version) "
        "ORDER BY m.sort_key DESC LIMIT 1",
        {text_arg(project)});
    if (rows == 0)
        return std::nullopt;
    return spi_required_text(0, 1);
}

bool everything_applied(const std::string& project) {
    // One row, kept by the tracking tables' triggers in the same transactions. (The table
    // is new in 0.3.0: under an older install script, until ALTER EXTENSION ... UPDATE, the
    // full comparison answers.)
    spi_query("SELECT pg_catalog.to_regclass('migrations_schema.project_state') IS NOT NULL", {});
    if (spi_bool(0, 1) &&
        spi_query("SELECT unmatched OPERATOR(pg_catalog.=) 0 FROM migrations_schema.project_state "
                  "WHERE project OPERATOR(pg_catalog.=) $1",
                  {text_arg(project)}) > 0)
        return spi_bool(0, 1);
    // No row (nothing registered yet, or a restore without triggers): the full comparison.
    // EXCEPT is a hashed or sorted set operation whatever the statistics say: a correlated
    // NOT EXISTS planned without statistics (a fresh database) is a nested loop.
    spi_query(
        "SELECT NOT EXISTS (SELECT version, checksum FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 EXCEPT "
        "SELECT version, checksum FROM migrations_schema.applied "
        "WHERE project OPERATOR(pg_catalog.=) $1)",
        {text_arg(project)});
    return spi_bool(0, 1);
}

std::vector<core::Registered> load_registered(const std::string& project) {
    const auto rows = spi_query(
        "SELECT version, name, checksum, down_sql IS NOT NULL "
        "FROM migrations_schema.migration WHERE project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    std::vector<core::Registered> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(core::Registered{spi_required_text(i, 1), spi_required_text(i, 2),
                                       spi_required_text(i, 3), spi_bool(i, 4)});
    return out;
}

std::vector<core::Applied> load_applied(const std::string& project) {
    const auto rows = spi_query(
        "SELECT version, checksum, kind FROM migrations_schema.applied "
        "WHERE project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    std::vector<core::Applied> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(core::Applied{spi_required_text(i, 1), spi_required_text(i, 2),
                                    core::applied_kind_from(spi_required_text(i, 3))});
    return out;
}

std::vector<std::string> load_failed(const std::string& project) {
    const auto rows = spi_query(
        "SELECT version FROM migrations_schema.failure WHERE project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    std::vector<std::string> out;
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(spi_required_text(i, 1));
    return out;
}

std::vector<std::string> load_projects() {
    const auto rows = spi_query(
        "SELECT project FROM migrations_schema.migration UNION "
        "SELECT project FROM migrations_schema.applied UNION "
        "SELECT project FROM migrations_schema.failure ORDER BY 1",
        {});
    std::vector<std::string> out;
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(spi_required_text(i, 1));
    return out;
}

namespace {

// The script as the text parameter of the row to write, and the C++ copy released at once:
// a 100 MB script is not held twice while the server forms, compresses and stores the row.
SqlArg script_arg(std::string& script) {
    const SqlArg arg = text_arg(script);
    std::string().swap(script);
    return arg;
}

SqlArg script_arg(std::optional<std::string>& script) {
    if (!script)
        return text_arg(script);
    return script_arg(*script);
}

}  // namespace

RegisterOutcome register_migration(const std::string& project, const core::Version& version,
                                   MigrationContent& content, const std::string& caller,
                                   std::optional<std::string> given_checksum) {
    const std::string checksum =
        given_checksum ? std::move(*given_checksum)
                       : migration_checksum(content.up_sql, content.down_sql, content.verify_sql);
    const auto found = spi_query(
        "SELECT version, name, checksum, down_sql, verify_sql FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 "
        "AND canonical_version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version.canonical())});
    if (found > 0) {
        const std::string spelled = spi_required_text(0, 1);
        if (spelled != version.text())
            throw core::Failure(core::FailureKind::Duplicate,
                                "migration version " + version.text() +
                                    " duplicates registered version " + spelled,
                                "Both spell version " + version.canonical() + " of project \"" +
                                    project + "\".",
                                "Register it as " + spelled + ", or give it a new version.");
        const std::string old_checksum = spi_required_text(0, 3);
        if (spi_required_text(0, 2) == content.name && old_checksum == checksum &&
            spi_text(0, 4) == content.down_sql && spi_text(0, 5) == content.verify_sql)
            return RegisterOutcome::Unchanged;
        spi_query(
            "UPDATE migrations_schema.migration SET name = $3, up_sql = $4, down_sql = $5, "
            "verify_sql = $6, checksum = $7, registered_at = pg_catalog.now(), "
            "registered_by = $8 "
            "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
            {text_arg(project), text_arg(version.text()), text_arg(content.name),
             script_arg(content.up_sql), script_arg(content.down_sql),
             script_arg(content.verify_sql), text_arg(checksum), text_arg(caller)});
        append_history({project, version.text(), "register", std::nullopt, checksum,
                        old_checksum != checksum ? std::optional<std::string>(old_checksum)
                                                 : std::nullopt,
                        std::string("updated")},
                       caller);
        return RegisterOutcome::Changed;
    }
    spi_query(
        "INSERT INTO migrations_schema.migration "
        "(project, version, canonical_version, sort_key, name, up_sql, down_sql, verify_sql, "
        "checksum, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {text_arg(project), text_arg(version.text()), text_arg(version.canonical()),
         text_arg(version.sort_key()), text_arg(content.name), script_arg(content.up_sql),
         script_arg(content.down_sql), script_arg(content.verify_sql), text_arg(checksum),
         text_arg(caller)});
    append_history({project, version.text(), "register", std::nullopt, checksum, std::nullopt,
                    std::string("registered")},
                   caller);
    return RegisterOutcome::New;
}

std::optional<std::string> load_script(const std::string& project, const std::string& version,
                                       Script which) {
    static const char* const queries[] = {
        "SELECT up_sql FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        "SELECT down_sql FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        "SELECT verify_sql FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
    };
    const auto rows =
        spi_query(queries[static_cast<int>(which)], {text_arg(project), text_arg(version)});
    if (rows == 0)
        return std::nullopt;
    return spi_text(0, 1);
}

std::optional<LoadedScripts> load_scripts(const std::string& project,
                                          const std::string& version) {
    const auto rows = spi_query(
        "SELECT up_sql, down_sql, verify_sql, checksum FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version)});
    if (rows == 0)
        return std::nullopt;
    return LoadedScripts{spi_required_text(0, 1), spi_text(0, 2), spi_text(0, 3),
                         spi_required_text(0, 4)};
}

std::string load_checksum(const std::string& project, const std::string& version) {
    spi_query("SELECT checksum FROM migrations_schema.migration "
              "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
              {text_arg(project), text_arg(version)});
    return spi_required_text(0, 1);
}

void record_applied(const std::string& project, const std::string& version,
                    const std::string& checksum, const std::string& caller, double duration_ms,
                    int statements, core::AppliedKind kind) {
    fault_point("record_applied");
    spi_query(
        "INSERT INTO migrations_schema.applied "
        "(project, version, checksum, applied_by, duration_ms, statements, kind) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {text_arg(project), text_arg(version), text_arg(checksum), text_arg(caller),
         float8_arg(duration_ms), int4_arg(statements), text_arg(std::string(kind_text(kind)))});
    clear_failure(project, version);
}

std::string unregister_migration(const std::string& project, const std::string& version) {
    const std::string checksum = load_checksum(project, version);
    clear_failure(project, version);
    spi_query(
        "DELETE FROM migrations_schema.migration "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version)});
    return checksum;
}

void remove_applied(const std::string& project, const std::string& version) {
    spi_query(
        "DELETE FROM migrations_schema.applied "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version)});
}

void update_applied_checksum(const std::string& project, const std::string& version,
                             const std::string& checksum) {
    spi_query(
        "UPDATE migrations_schema.applied SET checksum = $3 "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version), text_arg(checksum)});
}

void record_failure(const std::string& project, const std::string& version,
                    const std::string& caller, const std::string& error) {
    fault_point("record_failure");
    spi_query(
        "INSERT INTO migrations_schema.failure (project, version, failed_by, error) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (project, version) DO UPDATE "
        "SET failed_at = pg_catalog.now(), failed_by = EXCLUDED.failed_by, "
        "error = EXCLUDED.error",
        {text_arg(project), text_arg(version), text_arg(caller), text_arg(error)});
}

std::optional<std::string> clear_failure(const std::string& project, const std::string& version) {
    const auto rows = spi_query(
        "DELETE FROM migrations_schema.failure "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2 "
        "RETURNING error",
        {text_arg(project), text_arg(version)});
    if (rows == 0)
        return std::nullopt;
    return spi_text(0, 1);
}

void append_history(const HistoryEntry& entry, const std::string& caller) {
    spi_query(
        // The id never comes from the sequence alone: setval() is not transactional, so a
        // migration (or a rolled-back migrate_test) that set it back would make every later
        // history write fail with a duplicate key.
        "INSERT INTO migrations_schema.history (id, project, version, action, role_name, "
        "application_name, duration_ms, checksum, old_checksum, detail) "
        "OVERRIDING SYSTEM VALUE VALUES (GREATEST("
        "pg_catalog.nextval('migrations_schema.history_id_seq'::pg_catalog.regclass), "
        "(SELECT COALESCE(pg_catalog.max(id), 0) OPERATOR(pg_catalog.+) 1 "
        "FROM migrations_schema.history)), $1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {text_arg(entry.project), text_arg(entry.version), text_arg(std::string(entry.action)),
         text_arg(caller), text_arg(application_name()),
         float8_arg(entry.duration_ms),
         text_arg(entry.checksum), text_arg(entry.old_checksum), text_arg(entry.detail)});
}

}  // namespace ms::pg
