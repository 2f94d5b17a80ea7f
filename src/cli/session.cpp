#include "cli/session.hpp"

#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/dsn.hpp"
#include "cli/push.hpp"
#include "cli/rehearsal_notes.hpp"

#include <algorithm>
#include <chrono>

namespace ms::cli {

namespace {

// How many rows have this value in this column. migrate_validate() and migrate_lint()
// report problems as rows and succeed; for CI an error among them must still fail the
// command, while warnings alone do not.
long rows_where(const Table& t, const char* column, const char* value) {
    const auto col = std::find(t.columns.begin(), t.columns.end(), column);
    if (col == t.columns.end()) return 0;
    const auto c = static_cast<std::size_t>(col - t.columns.begin());
    return std::count_if(t.rows.begin(), t.rows.end(),
                         [&](const auto& row) { return row[c] == std::string(value); });
}

std::string plural(long n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// migrate_test() succeeds whatever it finds; in CI a down script that does not undo its up
// script (or fails) must fail the command. "no down script" is a choice, not a defect;
// "not tested" follows a failure counted already, or is what one transaction cannot
// rehearse (said under the rows), where the run would succeed.
long irreversible(const Table& t) {
    const auto col = std::find(t.columns.begin(), t.columns.end(), "reversible");
    if (col == t.columns.end()) return 0;
    const auto c = static_cast<std::size_t>(col - t.columns.begin());
    return std::count_if(t.rows.begin(), t.rows.end(), [c](const auto& row) {
        return row[c] != std::string("true") && row[c] != std::string("no down script") &&
               row[c] != std::string("forward-only") && row[c] != std::string("not tested");
    });
}

// Settings the session needs before the command, sent in one statement:
// - client_connection_check_interval: when the client is gone (a second Ctrl-C, a killed
//   deploy job), the server notices within a second and ends the session, even while a
//   migration that swallows the cancel keeps running, instead of committing it for nobody;
// - the timeouts of the command line, onto the settings that govern what the command runs.
void prepare_session(Connection& conn, const Options& o) {
    const bool run = o.command == Command::Run;
    std::vector<std::pair<std::string, std::string>> settings;
    if (conn.server_version() >= 140000)  // the setting is new in PostgreSQL 14
        settings.emplace_back("client_connection_check_interval", "1s");
    if (o.lock_timeout)
        settings.emplace_back(run ? "migrations_schema.lock_timeout" : "lock_timeout",
                              *o.lock_timeout);
    if (o.statement_timeout)
        settings.emplace_back(run ? "migrations_schema.statement_timeout" : "statement_timeout",
                              *o.statement_timeout);
    if (settings.empty()) return;
    std::string sql = "SELECT ";
    Params params;
    for (const auto& [name, value] : settings) {
        params.emplace_back(name);
        params.emplace_back(value);
        sql += (params.size() > 2 ? ", " : "") + std::string("pg_catalog.set_config($") +
               std::to_string(params.size() - 1) + ", $" + std::to_string(params.size()) +
               ", false)";
    }
    conn.exec(sql, params);
}

// The pending migrations the folder no longer has are unregistered in the push's
// transaction, and shown among the pushed rows as "unregistered".
void prune_into(Table& pushed, Connection& conn, const std::string& schema,
                const std::vector<core::FolderMigration>& folder, const std::string& project) {
    std::vector<std::string> versions;
    versions.reserve(folder.size());
    for (const auto& m : folder) versions.push_back(m.files.version.text());
    const Call call = build_prune_call(schema, versions, project);
    const Result r = conn.exec(call.sql, call.params);
    for (int i = 0; i < PQntuples(r.get()); ++i)
        pushed.rows.push_back({std::string(PQgetvalue(r.get(), i, 0)),
                               std::string(PQgetvalue(r.get(), i, 1)),
                               std::string("unregistered")});
}

}  // namespace

const char* outcome_name(Outcome o) noexcept {
    switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Failed: return "failed";
    case Outcome::Unreachable: return "unreachable";
    case Outcome::NoExtension: return "no extension";
    case Outcome::ConnectionLost: return "connection lost";
    case Outcome::Interrupted: return "interrupted";
    case Outcome::Declined: return "declined";
    case Outcome::Drifted: return "drifted";
    case Outcome::Skipped: return "skipped";
    }
    return "?";
}

int exit_code(Outcome o) noexcept {
    switch (o) {
    case Outcome::Ok: return 0;
    case Outcome::Unreachable:
    case Outcome::NoExtension:
    case Outcome::ConnectionLost: return 2;
    case Outcome::Interrupted: return 130;
    case Outcome::Failed:
    case Outcome::Declined:
    case Outcome::Drifted:
    case Outcome::Skipped: return 1;
    }
    return 1;
}

bool read_only(const Options& o) noexcept {
    switch (o.command) {
    case Command::Status:
    case Command::Validate:
    case Command::Test:
    case Command::Lint:
    case Command::Drift:
    case Command::History:
    case Command::Verify:
    case Command::Fingerprint:
    case Command::Hash: return true;
    case Command::Apply:
    case Command::Rollback:
    case Command::Undo: return o.dry_run;
    case Command::Push:
    case Command::Run:
    case Command::Baseline:
    case Command::Import:
    case Command::Repair:
    case Command::Unregister:
    case Command::New:
    case Command::Convert:
    case Command::Wait:
    case Command::Generate: return false;
    }
    return false;
}

Report run_on_database(const std::optional<std::string>& dsn, const Job& job,
                       const ProgressSink& progress) {
    const auto started = std::chrono::steady_clock::now();
    const Options& o = job.options;
    Report report;
    report.label = dsn ? mask_dsn(*dsn) : "the default server (PG* environment)";
    const auto finish = [&](Outcome outcome, const std::string& error = {}) {
        report.outcome = outcome;
        report.error = error;
        report.duration_ms = std::chrono::duration<double, std::milli>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();
        return report;
    };

    try {
        if (interrupted()) return finish(Outcome::Skipped);
        if (dsn)
            if (auto problem = dsn_problem(*dsn)) return finish(Outcome::Unreachable, *problem);
        ConnectSettings settings{o.connect_timeout, std::nullopt};
        if (o.force_password_prompt && job.ask_password) settings.password = job.ask_password();
        Connection conn = Connection::open(dsn, settings);
        // As psql: a server that wants a password gets one asked for, once.
        if (!conn.ok() && conn.needs_password() && !settings.password && job.ask_password) {
            settings.password = job.ask_password();
            if (settings.password) conn = Connection::open(dsn, settings);
        }
        if (!conn.ok()) return finish(Outcome::Unreachable, conn.error_message());
        if (!dsn) report.label = conn.describe();
        // The production runner says when each migration is done; apply answers once.
        const bool live = job.live != nullptr &&
                          (o.command == Command::Run || o.command == Command::Rollback ||
                           o.command == Command::Undo) &&
                          !o.dry_run;
        conn.on_notice(live ? job.live->sink() : progress);
        if (!conn.encrypted() && !conn.local())
            progress("warning: the connection to " + report.label +
                     " is not encrypted (use sslmode=require or verify-full)");
        prepare_session(conn, o);

        const auto schema = conn.extension_schema();
        if (!schema)
            return finish(Outcome::NoExtension,
                          "the extension migrations_schema is not installed in this database "
                          "(CREATE EXTENSION migrations_schema)");
        if (o.stop_on_drift) {
            Options drift = o;
            drift.command = Command::Drift;
            const Call call = build_call(drift, *schema);
            const Table found = to_table(conn.exec(call.sql, call.params).get());
            if (!found.rows.empty()) {
                report.result = found;
                return finish(Outcome::Drifted,
                              "the schema changed outside migrations (" +
                                  plural(static_cast<long>(found.rows.size()), "change", "changes") +
                                  "); nothing was started (--stop-on-drift)");
            }
        }
        const bool compare_only = job.folder && read_only(o);
        if (job.folder) {
            Table pushed;
            conn.exec("BEGIN");
            try {
                const std::string project = o.project.value_or("default");
                pushed = register_folder(conn, *schema, *job.folder, project);
                if (o.prune) prune_into(pushed, conn, *schema, *job.folder, project);
                if (!compare_only) conn.exec("COMMIT");
            } catch (const ConnectionLost&) {
                throw;
            } catch (const SqlError& e) {
                if (!interrupted()) {
                    conn.exec("ROLLBACK");
                    report.sqlstate = e.sqlstate();
                    return finish(Outcome::Failed,
                                  std::string("push rolled back, nothing was registered: ") +
                                      e.what());
                }
                throw;
            }
            if (o.command == Command::Push) {
                report.result = std::move(pushed);
                return finish(Outcome::Ok);
            }
            if (!compare_only) progress("pushed " + push_summary(pushed));
            else if (const std::string diff = folder_differences(pushed); !diff.empty())
                progress(diff);
        }
        const bool down = o.command == Command::Rollback || o.command == Command::Undo;
        if (down && !o.dry_run && job.confirm) {
            const Call plan = build_rollback_plan_call(o, *schema);
            const Table destructive = to_table(conn.exec(plan.sql, plan.params).get());
            if (!destructive.rows.empty() && !job.confirm(destructive))
                return finish(Outcome::Declined, "declined; nothing was rolled back");
        }
        const Call call = build_call(o, *schema);
        if (live) {
            const Call list = down ? build_rollback_plan_list(o, *schema)
                                   : build_pending_list(o, *schema);
            const Result rows = conn.exec(list.sql, list.params);
            std::vector<std::string> plan;
            for (int i = 0; i < PQntuples(rows.get()); ++i)
                plan.push_back(std::string(PQgetvalue(rows.get(), i, 0)) + " " +
                               PQgetvalue(rows.get(), i, 1));
            job.live->start(std::move(plan), dsn, settings, conn.backend_pid());
        }
        struct Finish {
            LiveProgress* live;
            ~Finish() { if (live) live->finish(); }
        } finish_live{live ? job.live : nullptr};
        const Result result = conn.exec(call.sql, call.params);
        report.result = to_table(result.get());
        if (compare_only) conn.exec("ROLLBACK");
        if (conn.parameter("client_encoding") != "UTF8") {
            // A migration changed it: the rows above may not be UTF-8 (they are printed with
            // invalid bytes replaced), and nothing after them will be.
            progress("warning: a migration set client_encoding to " +
                     conn.parameter("client_encoding") + "; the client set it back to UTF8");
            conn.exec("SET client_encoding TO 'UTF8'");
        }
        if (o.command == Command::Validate)
            if (const long errors = rows_where(report.result, "severity", "error"))
                return finish(Outcome::Failed,
                              "validate reported " + std::to_string(errors) +
                                  (errors == 1 ? " error" : " errors"));
        if (o.command == Command::Lint)
            if (const long errors = rows_where(report.result, "severity", "error"))
                return finish(Outcome::Failed,
                              "lint found " + plural(errors, "error", "errors"));
        if (o.command == Command::Drift && !report.result.rows.empty())
            return finish(Outcome::Failed,
                          "drift: " + plural(static_cast<long>(report.result.rows.size()),
                                             "change", "changes") +
                              " outside migrations");
        if (o.command == Command::Verify)
            if (const long failed = rows_where(report.result, "result", "failed"))
                return finish(Outcome::Failed,
                              "verify: " + plural(failed, "migration fails", "migrations fail") +
                                  " its verify script");
        if (o.command == Command::Test || o.dry_run)
            for (const auto& line : rehearsal_gaps(report.result)) progress(line);
        if (o.command == Command::Test)
            if (const long bad = irreversible(report.result))
                return finish(Outcome::Failed,
                              "test found " + std::to_string(bad) +
                                  (bad == 1 ? " migration" : " migrations") +
                                  " whose round trip is not exact or failed");
        return finish(Outcome::Ok);
    } catch (const Interrupted& e) {
        return finish(Outcome::Interrupted, e.what());
    } catch (const ConnectionLost& e) {
        return finish(interrupted() ? Outcome::Interrupted : Outcome::ConnectionLost, e.what());
    } catch (const SqlError& e) {
        report.sqlstate = e.sqlstate();
        return finish(interrupted() ? Outcome::Interrupted : Outcome::Failed, e.what());
    } catch (const std::exception& e) {
        // Anything else must not escape a fleet worker's thread either.
        return finish(interrupted() ? Outcome::Interrupted : Outcome::Failed, e.what());
    }
}

}  // namespace ms::cli
