#include "cli/session.hpp"

#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/dsn.hpp"
#include "cli/push.hpp"
#include "cli/rehearsal_notes.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

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
    // The server's side of the socket: a client behind a partition is noticed within about
    // 25 s (keepalives) and 30 s of unacknowledged output, not hours. The server ignores them
    // on a Unix socket.
    settings.emplace_back("tcp_keepalives_idle", "10");
    settings.emplace_back("tcp_keepalives_interval", "5");
    settings.emplace_back("tcp_keepalives_count", "3");
    settings.emplace_back("tcp_user_timeout", "30000");
    if (o.lock_timeout)
        settings.emplace_back(run ? "migrations_schema.lock_timeout" : "lock_timeout",
                              *o.lock_timeout);
    if (o.statement_timeout)
        settings.emplace_back(run ? "migrations_schema.statement_timeout" : "statement_timeout",
                              *o.statement_timeout);
    if (settings.empty()) return;
    std::string sql = "SELECT ";
    // Commands that run migrations in one transaction (apply, test, dry runs; run and rollback
    // have the runner's own lock_timeout) would otherwise wait for a lock without end, queueing
    // every later query on the table behind them: they give up after the runner's
    // lock_timeout instead, unless the command line, the role or the database chose one.
    const bool one_transaction =
        o.command == Command::Apply || o.command == Command::Test ||
        ((o.command == Command::Rollback || o.command == Command::Undo) && o.dry_run);
    if (!o.lock_timeout && one_transaction)
        sql += "CASE WHEN pg_catalog.current_setting('lock_timeout') OPERATOR(pg_catalog.=) '0' "
               "THEN pg_catalog.set_config('lock_timeout', COALESCE(pg_catalog."
               "current_setting('migrations_schema.lock_timeout', true), '5s'), false) END, ";
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

// What a command that writes did after the client stopped waiting for it, read over a new
// connection: nullopt (with why in `why`) while that cannot be known: no connection, or the
// session that ran it still alive on the server (it may yet commit).
struct Settled {
    long done = 0;
    long planned = 0;
};

std::optional<Settled> settle(const std::optional<std::string>& dsn, ConnectSettings settings, int pid,
                              const std::string& schema, const Options& o,
                              const std::vector<std::string>& planned, bool down, std::string& why) {
    constexpr int bound_seconds = 5;
    try {
        settings.connect_timeout = bound_seconds;
        Connection check = Connection::open_despite_interrupt(dsn, settings);
        if (!check.ok()) {
            why = "no new connection to check it: " + check.error_message();
            return std::nullopt;
        }
        // The old session was closed: a server that can see that ends it within about a
        // second (client_connection_check_interval), rolling back what it was running.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(bound_seconds);
        for (;;) {
            const Result alive = check.exec_despite_interrupt(
                "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
                {std::to_string(pid)}, bound_seconds);
            if (PQntuples(alive.get()) == 0) break;
            if (std::chrono::steady_clock::now() > until) {
                why = "the server is still running it (backend " + std::to_string(pid) + ")";
                return std::nullopt;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        const Result states = check.exec_despite_interrupt(
            "SELECT version, state FROM " + schema + ".migrate_status($1)", {o.project.value_or("default")},
            bound_seconds);
        Settled s;
        s.planned = static_cast<long>(planned.size());
        for (int i = 0; i < PQntuples(states.get()); ++i) {
            const std::string version = PQgetvalue(states.get(), i, 0);
            const std::string state = PQgetvalue(states.get(), i, 1);
            if (std::find(planned.begin(), planned.end(), version) != planned.end() &&
                state == (down ? "pending" : "applied"))
                ++s.done;
        }
        return s;
    } catch (const std::exception& e) {
        why = std::string("the check failed: ") + e.what();
        return std::nullopt;
    }
}

// Drift stays open until a migration or migrate_accept_drift resolves it, so status names
// it too; only for a caller who may call migrate_drift (not granted to PUBLIC).
std::optional<std::string> open_drift(Connection& conn, const std::string& schema, const Options& o) {
    const Result may = conn.exec("SELECT pg_catalog.has_function_privilege($1, 'EXECUTE')",
                                 {schema + ".migrate_drift(pg_catalog.text)"});
    if (std::string(PQgetvalue(may.get(), 0, 0)) != "t") return std::nullopt;
    Options drift = o;
    drift.command = Command::Drift;
    const Call call = build_call(drift, schema);
    const long changes = PQntuples(conn.exec(call.sql, call.params).get());
    if (changes == 0) return std::nullopt;
    return "open drift: " + plural(changes, "change", "changes") +
           " outside migrations, kept until a migration or migrate_accept_drift resolves it "
           "(pg_migrate drift lists them)";
}

bool writes_migrations(const Options& o) {
    return !o.dry_run && (o.command == Command::Run || o.command == Command::Apply ||
                          o.command == Command::Rollback || o.command == Command::Undo);
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
    case Outcome::Unknown: return "outcome unknown";
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
    case Outcome::Unknown: return 3;
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
    case Command::Start:
    case Command::Complete:
    case Command::Abort:
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

    // After the client stopped waiting for a command that writes: the real outcome when a
    // new connection can tell it, else "outcome unknown".
    const auto settled_outcome = [&](const std::string& what, const std::optional<std::string>& at,
                                     const ConnectSettings& settings, int pid, const std::string& schema,
                                     const std::vector<std::string>& planned, bool down) {
        std::string why;
        const auto s = settle(at, settings, pid, schema, o, planned, down, why);
        const char* verb = down ? "rolled back" : "applied";
        if (!s)
            return finish(Outcome::Unknown, what + "\noutcome unknown: check `pg_migrate status` (" + why + ")");
        const std::string counts = std::to_string(s->done) + " of the " + std::to_string(s->planned) +
                                   " migrations it was to run are " + verb;
        if (s->done == s->planned)
            return finish(Outcome::Ok, what + "\nchecked over a new connection: the server finished the command; " +
                                           counts);
        return finish(interrupted() ? Outcome::Interrupted : Outcome::ConnectionLost,
                      what + "\nchecked over a new connection: the server ended the command; " + counts);
    };

    try {
        if (interrupted()) return finish(Outcome::Skipped);
        if (dsn)
            if (auto problem = dsn_problem(*dsn)) return finish(Outcome::Unreachable, *problem);
        ConnectSettings settings{o.connect_timeout, std::nullopt};
        const auto interrupted_at_prompt = [&] {
            return finish(Outcome::Interrupted, "interrupted at the password prompt; nothing was sent");
        };
        if (o.force_password_prompt && job.ask_password) settings.password = job.ask_password();
        if (interrupted()) return interrupted_at_prompt();
        Connection conn = Connection::open(dsn, settings);
        // As psql: a server that wants a password gets one asked for, once.
        if (!conn.ok() && conn.needs_password() && !settings.password && job.ask_password) {
            settings.password = job.ask_password();
            if (interrupted()) return interrupted_at_prompt();
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
                // run and apply refuse to go on over an applied migration whose script
                // changed: the push that brought the change is not kept either.
                if (!compare_only && (o.command == Command::Run || o.command == Command::Apply)) {
                    const Result modified = conn.exec(
                        "SELECT string_agg(version || ' (' || name || ')', ', ' ORDER BY ordinality) "
                        "FROM " + *schema + ".migrate_status($1) WITH ORDINALITY "
                        "WHERE state OPERATOR(pg_catalog.=) 'modified' HAVING count(*) > 0",
                        {project});
                    if (PQntuples(modified.get()) > 0) {
                        conn.exec("ROLLBACK");
                        return finish(Outcome::Failed,
                                      std::string("the folder changes applied migrations: ") +
                                          PQgetvalue(modified.get(), 0, 0) +
                                          "; nothing was registered and nothing ran (check the files, "
                                          "or accept the new scripts with pg_migrate repair after pushing them)");
                    }
                }
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
                return interrupted()
                           ? finish(Outcome::Interrupted, "interrupted at the confirmation; nothing was rolled back")
                           : finish(Outcome::Declined, "declined; nothing was rolled back");
        }
        const Call call = build_call(o, *schema);
        // What the command is to do, to tell afterwards what it did if the client stops
        // waiting for it (and for the live line).
        std::vector<std::string> planned;
        if (live || writes_migrations(o)) {
            const Call list = down ? build_rollback_plan_list(o, *schema)
                                   : build_pending_list(o, *schema);
            const Result rows = conn.exec(list.sql, list.params);
            std::vector<std::string> plan;
            for (int i = 0; i < PQntuples(rows.get()); ++i) {
                planned.emplace_back(PQgetvalue(rows.get(), i, 0));
                plan.push_back(std::string(PQgetvalue(rows.get(), i, 0)) + " " +
                               PQgetvalue(rows.get(), i, 1));
            }
            if (live) job.live->start(std::move(plan), dsn, settings, conn.backend_pid());
        }
        struct Finish {
            LiveProgress* live;
            ~Finish() { if (live) live->finish(); }
        } finish_live{live ? job.live : nullptr};
        Result result;
        try {
            result = conn.exec(call.sql, call.params);
        } catch (const Interrupted& e) {
            const bool unknown = dynamic_cast<const OutcomeUnknown*>(&e) != nullptr;
            if (!unknown || !writes_migrations(o)) throw;
            const int pid = conn.backend_pid();
            conn.close();
            return settled_outcome(e.what(), dsn, settings, pid, *schema, planned, down);
        } catch (const ConnectionLost& e) {
            if (!writes_migrations(o)) throw;
            const int pid = conn.backend_pid();
            conn.close();
            return settled_outcome(e.what(), dsn, settings, pid, *schema, planned, down);
        }
        report.result = to_table(result.get());
        if (o.command == Command::Start || o.command == Command::Complete ||
            o.command == Command::Abort) {
            // The versions live now, with the backfill's progress (none left after complete
            // and abort: then the migrations' states).
            const std::string project = o.project.value_or("default");
            Table live = to_table(conn.exec("SELECT version, phase, old_schema, new_schema, "
                                            "table_name, rows_done, rows_total, done FROM " +
                                                *schema + ".migrate_expansion($1::pg_catalog.text)",
                                            {project})
                                      .get());
            if (live.rows.empty())
                live = to_table(conn.exec("SELECT version, name, state FROM " + *schema +
                                              ".migrate_status($1::pg_catalog.text)",
                                          {project})
                                    .get());
            report.result = std::move(live);
        }
        if (compare_only) conn.exec("ROLLBACK");
        if (o.command == Command::Status && !o.json)
            if (auto drift = open_drift(conn, *schema, o)) report.notes.push_back(std::move(*drift));
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
