#include "pg/registry.hpp"

#include "core/failure.hpp"
#include "pg/checksum.hpp"
#include "pg/spi.hpp"

namespace ms::pg {

namespace {

// "migr" in ASCII: the first half of every advisory lock key the runner takes, so that
// its locks do not collide with an application's single-key advisory locks.
constexpr int lock_namespace = 0x6D696772;

}  // namespace

void lock_project(const std::string& project) {
    // Under REPEATABLE READ or SERIALIZABLE the snapshot is older than the lock: after
    // waiting for another runner this transaction could not see what it applied. Fail at
    // once with a serialization failure, which such callers already retry.
    if (IsolationUsesXactSnapshot()) {
        spi_query("SELECT pg_catalog.pg_try_advisory_xact_lock($1, pg_catalog.hashtext($2))",
                  {int4_arg(lock_namespace), text_arg(project)});
        if (!spi_bool(0, 1))
            throw core::Failure(core::FailureKind::Busy,
                                "another session is migrating project \"" + project + "\"",
                                "This transaction's snapshot cannot see what that session will "
                                "have applied.",
                                "Retry the transaction, or call the runner under READ "
                                "COMMITTED, where it waits for the other session.");
        return;
    }
    spi_query("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
              {int4_arg(lock_namespace), text_arg(project)});
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
        "SELECT version, checksum FROM migrations_schema.applied "
        "WHERE project OPERATOR(pg_catalog.=) $1",
        {text_arg(project)});
    std::vector<core::Applied> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(core::Applied{spi_required_text(i, 1), spi_required_text(i, 2)});
    return out;
}

RegisterOutcome register_migration(const std::string& project, const core::Version& version,
                                   const MigrationContent& content, const std::string& caller) {
    const std::string checksum = script_checksum(content.up_sql);
    const auto found = spi_query(
        "SELECT version, name, checksum, down_sql FROM migrations_schema.migration "
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
        if (spi_required_text(0, 2) == content.name && spi_required_text(0, 3) == checksum &&
            spi_text(0, 4) == content.down_sql)
            return RegisterOutcome::Unchanged;
        spi_query(
            "UPDATE migrations_schema.migration SET name = $3, up_sql = $4, down_sql = $5, "
            "checksum = $6, registered_at = pg_catalog.now(), registered_by = $7 "
            "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
            {text_arg(project), text_arg(version.text()), text_arg(content.name),
             text_arg(content.up_sql), text_arg(content.down_sql), text_arg(checksum),
             text_arg(caller)});
        return RegisterOutcome::Changed;
    }
    spi_query(
        "INSERT INTO migrations_schema.migration "
        "(project, version, canonical_version, sort_key, name, up_sql, down_sql, checksum, "
        "registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {text_arg(project), text_arg(version.text()), text_arg(version.canonical()),
         text_arg(version.sort_key()), text_arg(content.name), text_arg(content.up_sql),
         text_arg(content.down_sql), text_arg(checksum),
         text_arg(caller)});
    return RegisterOutcome::New;
}

std::optional<std::string> load_script(const std::string& project, const std::string& version,
                                       bool down) {
    const auto rows = spi_query(
        down ? "SELECT down_sql FROM migrations_schema.migration "
               "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2"
             : "SELECT up_sql FROM migrations_schema.migration "
               "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version)});
    if (rows == 0)
        return std::nullopt;
    return spi_text(0, 1);
}

void record_applied(const std::string& project, const std::string& version,
                    const std::string& checksum, const std::string& caller, double duration_ms,
                    int statements) {
    spi_query(
        "INSERT INTO migrations_schema.applied "
        "(project, version, checksum, applied_by, duration_ms, statements) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {text_arg(project), text_arg(version), text_arg(checksum),
         text_arg(caller), float8_arg(duration_ms),
         int4_arg(statements)});
}

void remove_applied(const std::string& project, const std::string& version) {
    spi_query(
        "DELETE FROM migrations_schema.applied "
        "WHERE project OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        {text_arg(project), text_arg(version)});
}

}  // namespace ms::pg
