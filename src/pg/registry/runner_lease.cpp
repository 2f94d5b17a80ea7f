#include "pg/registry/runner_lease.hpp"

#include "core/base/failure.hpp"
#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"

extern "C" {
#include "access/xlog.h"
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace ms::pg {

namespace {

// "migr" in ASCII: the first half of the advisory key that the runner used before the lease
// table existed. Until ALTER EXTENSION ... UPDATE creates the table, the library serialises
// runners with that key as the older version did, so the update can come after the library.
constexpr int lock_namespace = 0x6D696772;

bool lease_table_exists() {
    spi_query("SELECT pg_catalog.to_regclass('migrations_schema.runner_lease') IS NOT NULL", {});
    return spi_bool(0, 1);
}

void ensure_row(const std::string& project) {
    spi_query("INSERT INTO migrations_schema.runner_lease (project) VALUES ($1) "
              "ON CONFLICT (project) DO NOTHING",
              {text_arg(project)});
}

// A holder is alive while its session exists (same pid and start time) and is inside a
// statement: migrate_run holds the lease only during its CALL, so an idle holder is one
// whose release was lost.
#define MS_HOLDER_ALIVE                                                                      \
    "EXISTS (SELECT FROM pg_catalog.pg_stat_activity a "                                     \
    "WHERE a.pid OPERATOR(pg_catalog.=) l.pid "                                              \
    "AND a.backend_start OPERATOR(pg_catalog.=) l.backend_start "                            \
    "AND COALESCE(a.state, '') OPERATOR(pg_catalog.<>) ALL "                                 \
    "(ARRAY['idle', 'idle in transaction', 'idle in transaction (aborted)']))"

#define MS_HOLDER_COLUMNS                                                                    \
    "l.pid::pg_catalog.text, COALESCE(l.application_name, ''), COALESCE(l.role_name, ''), "  \
    "COALESCE(l.action, ''), COALESCE(l.since::pg_catalog.text, '')"

ProjectHolder holder_at(std::uint64_t row, int first) {
    ProjectHolder h;
    h.pid = std::stoi(spi_required_text(row, first));
    h.application_name = spi_required_text(row, first + 1);
    h.role = spi_required_text(row, first + 2);
    h.what = spi_required_text(row, first + 3);
    h.since = spi_required_text(row, first + 4);
    return h;
}

// The session whose transaction has the row locked, found through the transaction id the
// lock left in xmax.
ProjectHolder transaction_holding(const std::string& project) {
    const auto rows = spi_query(
        "SELECT a.pid::pg_catalog.text, COALESCE(a.application_name, ''), "
        "COALESCE(a.usename::pg_catalog.text, ''), 'a transaction', "
        "COALESCE(a.xact_start::pg_catalog.text, '') "
        "FROM migrations_schema.runner_lease l "
        "JOIN pg_catalog.pg_locks k ON k.locktype OPERATOR(pg_catalog.=) 'transactionid' "
        "AND k.transactionid OPERATOR(pg_catalog.=) l.xmax "
        "AND k.mode OPERATOR(pg_catalog.=) 'ExclusiveLock' AND k.granted "
        "JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) k.pid "
        "WHERE l.project OPERATOR(pg_catalog.=) $1 LIMIT 1",
        {text_arg(project)});
    if (rows == 0)
        return ProjectHolder{0, "", "", "a transaction", ""};
    return holder_at(0, 1);
}

}  // namespace

std::string ProjectHolder::describe() const {
    if (pid == 0)
        return "a transaction of another session that has just ended";
    std::string text = "pid " + std::to_string(pid) + " (" + what;
    if (!role.empty())
        text += " by role " + role;
    text += ", application_name \"" + application_name + "\"";
    if (!since.empty())
        text += ", since " + since;
    return text + ")";
}

void lock_project(const std::string& project) {
    fault_point("lock");
    // Nothing changes on a hot standby, and nothing may be locked for update there.
    if (pg_call([] { return RecoveryInProgress(); }))
        return;
    if (!lease_table_exists()) {
        spi_query("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
                  {int4_arg(lock_namespace), text_arg(project)});
        return;
    }
    ensure_row(project);
    // Under REPEATABLE READ or SERIALIZABLE the snapshot is older than the lock: after
    // waiting for another session this transaction could not see what it did. Fail at once
    // with a serialization failure, which such callers already retry.
    if (IsolationUsesXactSnapshot()) {
        if (spi_query("SELECT FROM migrations_schema.runner_lease "
                      "WHERE project OPERATOR(pg_catalog.=) $1 FOR UPDATE SKIP LOCKED",
                      {text_arg(project)}) == 0)
            throw core::Failure(core::FailureKind::Busy,
                                "another session is migrating project \"" + project + "\"",
                                "This transaction's snapshot cannot see what that session will "
                                "have applied.",
                                "Retry the transaction, or call it under READ COMMITTED, where "
                                "it waits for the other session.");
        return;
    }
    spi_query("SELECT FROM migrations_schema.runner_lease "
              "WHERE project OPERATOR(pg_catalog.=) $1 FOR UPDATE",
              {text_arg(project)});
}

std::optional<ProjectHolder> runner_holding(const std::string& project) {
    if (pg_call([] { return RecoveryInProgress(); }) || !lease_table_exists())
        return std::nullopt;
    // Nearly always no runner holds the project: answered from the lease row alone, so that
    // a new session does not plan pg_stat_activity for nothing (1.4 ms of its first
    // migrate_apply() with nothing to do).
    spi_query("SELECT EXISTS (SELECT FROM migrations_schema.runner_lease "
              "WHERE project OPERATOR(pg_catalog.=) $1 AND pid IS NOT NULL "
              "AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid())",
              {text_arg(project)});
    if (!spi_bool(0, 1))
        return std::nullopt;
    const auto rows = spi_query(
        "SELECT " MS_HOLDER_COLUMNS " FROM migrations_schema.runner_lease l "
        "WHERE l.project OPERATOR(pg_catalog.=) $1 AND l.pid IS NOT NULL "
        "AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() AND " MS_HOLDER_ALIVE,
        {text_arg(project)});
    if (rows == 0)
        return std::nullopt;
    return holder_at(0, 1);
}

std::optional<ProjectHolder> try_take_lease(const std::string& project, const char* action,
                                            const std::string& caller) {
    fault_point("lease");
    if (!lease_table_exists()) {
        spi_query("SELECT pg_catalog.pg_try_advisory_lock($1, pg_catalog.hashtext($2))",
                  {int4_arg(lock_namespace), text_arg(project)});
        if (spi_bool(0, 1))
            return std::nullopt;
        ProjectHolder other;
        other.what = "a runner (advisory lock; ALTER EXTENSION migrations_schema UPDATE names it)";
        return other;
    }
    ensure_row(project);
    // SKIP LOCKED: a runner never waits for a lock while it holds a snapshot.
    const auto rows = spi_query(
        "SELECT " MS_HOLDER_COLUMNS ", l.pid IS NOT NULL AND "
        "l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() AND " MS_HOLDER_ALIVE
        " FROM migrations_schema.runner_lease l "
        "WHERE l.project OPERATOR(pg_catalog.=) $1 FOR UPDATE SKIP LOCKED",
        {text_arg(project)});
    if (rows == 0)
        return transaction_holding(project);
    const bool held = spi_bool(0, 6);
    if (held)
        return holder_at(0, 1);
    const std::optional<std::string> stale = spi_text(0, 1);
    const std::optional<std::string> stale_app = spi_text(0, 2);
    spi_query(
        "UPDATE migrations_schema.runner_lease SET pid = pg_catalog.pg_backend_pid(), "
        "backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a "
        "WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()), "
        "role_name = $2, application_name = pg_catalog.current_setting('application_name'), "
        "action = $3, since = pg_catalog.clock_timestamp() "
        "WHERE project OPERATOR(pg_catalog.=) $1",
        {text_arg(project), text_arg(caller), text_arg(std::string(action))});
    if (stale && std::stoi(*stale) != MyProcPid) {
        const std::string text = "took over project \"" + project + "\" from pid " + *stale +
                                 " (application_name \"" + stale_app.value_or("") +
                                 "\"), which is gone or no longer running";
        pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", text.c_str()))); });
    }
    return std::nullopt;
}

void require_lease(const std::string& project) {
    if (!lease_table_exists())
        return;
    spi_query("SELECT EXISTS (SELECT FROM migrations_schema.runner_lease "
              "WHERE project OPERATOR(pg_catalog.=) $1 "
              "AND pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid())",
              {text_arg(project)});
    if (spi_bool(0, 1))
        return;
    throw core::Failure(core::FailureKind::Conflict,
                        "this session no longer holds project \"" + project + "\"",
                        "Another runner took the project over while this one ran.",
                        "migrate_status() shows what each of them applied.");
}

void release_lease(const std::string& project) {
    if (!lease_table_exists()) {
        spi_query("SELECT pg_catalog.pg_advisory_unlock($1, pg_catalog.hashtext($2))",
                  {int4_arg(lock_namespace), text_arg(project)});
        return;
    }
    spi_query("UPDATE migrations_schema.runner_lease SET pid = NULL, backend_start = NULL, "
              "role_name = NULL, application_name = NULL, action = NULL, since = NULL "
              "WHERE project OPERATOR(pg_catalog.=) $1 "
              "AND pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()",
              {text_arg(project)});
}

}  // namespace ms::pg
