#include "pg/runner/production_run.hpp"

#include "core/base/failure.hpp"
#include "core/plan/planner.hpp"
#include "core/plan/progress.hpp"
#include "core/plan/run_plan.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/migration_label.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/standby.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/base/transaction.hpp"
#include "pg/lint/policy.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/checksum.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/registry/progress.hpp"
#include "pg/registry/registry.hpp"
#include "pg/registry/runner_lease.hpp"
#include "pg/runner/run_progress.hpp"
#include "pg/runner/statement_executor.hpp"
#include "pg/runner/top_level_worker.hpp"
#include "pg/runner/undo_dependents.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "common/pg_prng.h"
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

namespace {

void commit() {
    commit_work();
}

double elapsed_ms(TimestampTz since) {
    return static_cast<double>(GetCurrentTimestamp() - since) / 1000.0;
}

void notice(const std::string& text) {
    pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", text.c_str()))); });
}

// migrations_schema.lock_timeout and .statement_timeout for the current subtransaction.
void set_local_timeouts() {
    const std::string lock = std::to_string(migration_lock_timeout_ms());
    const std::string statement = std::to_string(migration_statement_timeout_ms());
    pg_call([&] {
        (void)set_config_option("lock_timeout", lock.c_str(), PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_LOCAL, true, 0, false);
        (void)set_config_option("statement_timeout", statement.c_str(), PGC_USERSET,
                                PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
    });
}

// The same timeouts while a worker runs a top-level statement: it copies our settings.
class WorkerTimeouts {
public:
    WorkerTimeouts() {
        const std::string lock = std::to_string(migration_lock_timeout_ms());
        const std::string statement = std::to_string(migration_statement_timeout_ms());
        pg_call([&] {
            (void)set_config_option("lock_timeout", lock.c_str(), PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_SAVE, true, 0, false);
            (void)set_config_option("statement_timeout", statement.c_str(), PGC_USERSET,
                                    PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        });
    }

private:
    SettingsScope restore_;
};

// Waits without holding a snapshot (the caller has committed), answering cancels.
void sleep_ms(long ms) {
    const TimestampTz until = GetCurrentTimestamp() + ms * 1000;
    for (;;) {
        const long left = static_cast<long>((until - GetCurrentTimestamp()) / 1000);
        if (left <= 0)
            return;
        pg_call([&] {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, left,
                            PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        });
    }
}

// Who holds locks on the relation a statement waited for, as the caller may see them.
std::string query_lock_holders(const std::string& relation) {
    if (relation.empty())
        return "the blocking sessions are not known for this statement";
    const auto rows = spi_query_caller_names(
        "SELECT l.pid::pg_catalog.text, COALESCE(a.application_name, ''), "
        "COALESCE(pg_catalog.left(a.query, 200), ''), l.mode "
        "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a "
        "ON a.pid OPERATOR(pg_catalog.=) l.pid "
        "WHERE l.locktype OPERATOR(pg_catalog.=) 'relation' AND l.granted "
        "AND l.relation OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
        "AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() ORDER BY l.pid",
        {text_arg(relation)});
    if (rows == 0)
        return "no session holds a lock on " + relation + " any more";
    std::string out = "sessions holding locks on " + relation + ":";
    for (std::uint64_t i = 0; i < rows; ++i)
        out += " pid " + spi_required_text(i, 1) + " (application_name \"" +
               spi_required_text(i, 2) + "\", " + spi_required_text(i, 4) + ", query \"" +
               spi_required_text(i, 3) + "\");";
    return out;
}

// The report must not turn a retry into a failure: it runs in a subtransaction of its own.
std::string lock_holders(const std::string& relation) {
    std::string report = "the sessions holding the lock could not be listed";
    try {
        in_subtransaction([&] { report = query_lock_holders(relation); });
    } catch (const PgError&) {
        // keep the generic report
    }
    return report;
}

struct Run {
    std::string project;
    std::string caller;
    bool down = false;

    const char* procedure() const { return down ? "migrate_run_rollback" : "migrate_run"; }
    // The action snapshots and drift reports name.
    const char* action() const { return down ? "rollback" : "run"; }
};

// An error caught where the runner goes on (records it, retries, cleans up): the handler
// only copies, and the database work that follows runs outside any catch block.
struct Caught {
    std::exception_ptr error;
    std::string message;
    int sqlstate = 0;
    explicit operator bool() const { return static_cast<bool>(error); }
};

template <typename Fn>
Caught capture(Fn&& fn) {
    Caught c;
    try {
        fn();
    } catch (const PgError& e) {
        c.error = std::current_exception();
        c.message = e.what();
        c.sqlstate = e.data()->sqlerrcode;
    } catch (const core::Failure& f) {
        c.error = std::current_exception();
        c.message = f.what();
    }
    return c;
}

class MigrationRun {
public:
    MigrationRun(const Run& run, const core::Migration& m) : run_(run), m_(m) {
        label_ = MigrationLabel{run.project, m.version.text(), m.name, run.down ? "down" : "up"};
        {
            InternalScope internal;
            auto loaded = load_scripts(run.project, m.version.text());
            if (!loaded)
                throw core::Failure(core::FailureKind::NotFound,
                                    "migration " + m.version.text() + " of project \"" +
                                        run.project + "\" is no longer registered");
            script_ = run.down ? loaded->down.value_or("") : std::move(loaded->up);
            // A verify script checks the up script's work; nothing checks a down script's.
            if (!run.down)
                verify_ = std::move(loaded->verify);
            checksum_ = std::move(loaded->checksum);
            progress_ = load_progress(run.project, m.version.text());
        }
        statements_ = parse_script(script_, label_);
        if (verify_)
            verify_statements_ = parse_script(*verify_, MigrationLabel{run.project, label_.version,
                                                                       m.name, "verify"});
        // Up a partly applied migration: resumed after the statements that committed, if the
        // script still begins with them. Down: its down script undoes what committed.
        std::size_t start = 0;
        if (progress_ && !run.down) {
            start = static_cast<std::size_t>(core::resume_at(
                *progress_, "migration " + describe_migration(),
                committed_digest(static_cast<std::size_t>(progress_->statements)),
                static_cast<int>(statements_.size())));
            parts_done_ = progress_->parts;
        }
        std::vector<bool> top_level;
        const bool marked = core::has_no_transaction_marker(script_);
        for (std::size_t i = start; i < statements_.size(); ++i)
            top_level.push_back(marked || statements_[i].top_level);
        segments_ = core::segment_statements(top_level);
        for (auto& seg : segments_) {
            seg.begin += start;
            seg.end += start;
        }
    }

    // Applies the migration, retrying lock timeouts; records a failure and rethrows.
    void apply() {
        const TimestampTz started = GetCurrentTimestamp();
        const int retries = migration_lock_retries();
        // Linted against the catalog the migrations before it built, with the timeouts the
        // run will use, so a missing lock_timeout is not reported for statements that will
        // have one. (Down scripts undo; the policy judges what goes forward.)
        if (const Caught c = capture([&] {
                if (run_.down)
                    return;
                in_discarded_subtransaction([&] {
                    set_local_timeouts();
                    lint_ignored_ = check_lint_policy(script_, label_);
                });
            })) {
            fail(c.message, started);
            std::rethrow_exception(c.error);
        }
        if (parts_done_ > 0)
            notice("resuming migration " + describe_migration() + " at statement " +
                   std::to_string(progress_->statements + 1) + ": " +
                   core::describe_progress(*progress_) + " by an earlier run" +
                   (progress_->checksum == checksum_
                        ? std::string()
                        : "; its script changed after them, the committed statements did not"));
        for (int attempt = 1;; ++attempt) {
            const Caught c = capture([&] { run_segments(started); });
            if (!c) {
                notice(std::string(run_.down ? "rolled back" : "applied") + " migration " +
                       label_.version + " (" + m_.name + ") in " +
                       std::to_string(static_cast<long>(elapsed_ms(started))) + " ms");
                return;
            }
            if (c.sqlstate != ERRCODE_LOCK_NOT_AVAILABLE || attempt > retries) {
                fail(c.message, started);
                std::rethrow_exception(c.error);
            }
            // The transaction the error was caught in is dead; the retry starts afresh at the
            // part that gave up, after those that committed.
            rollback_work();
            const long delay = core::retry_delay_ms(attempt, pg_prng_double(&pg_global_prng_state));
            notice("migration " + label_.version + " (" + m_.name + ") gave up waiting for a lock " +
                   "after " + std::to_string(migration_lock_timeout_ms()) + " ms on attempt " +
                   std::to_string(attempt) + " of " + std::to_string(retries + 1) +
                   "; retrying in " + std::to_string(delay) + " ms; " +
                   lock_holders(current_ != nullptr ? current_->relation : std::string()));
            commit();
            sleep_ms(delay);
        }
    }

private:
    std::string describe_migration() const { return label_.version + " (" + m_.name + ")"; }

    // SHA-256 over the text of the first n statements, as progress records them ("" when the
    // script has fewer): what a resumed run compares, whatever comments and blank lines
    // surround them.
    std::string committed_digest(std::size_t n) const {
        if (n > statements_.size())
            return {};
        std::string text;
        for (std::size_t i = 0; i < n; ++i) {
            text.append(script_, statements_[i].offset, statements_[i].length);
            text.push_back('\0');
        }
        return migration_checksum(text, std::nullopt, std::nullopt);
    }

    // The parts up to and including segment i committed (up only: a down script is run
    // whole). Called in the transaction that commits segment i, or after the worker's.
    void record_part(std::size_t i) {
        if (run_.down)
            return;
        const std::size_t statements = segments_[i].end;
        core::PartProgress p;
        p.version = label_.version;
        p.checksum = checksum_;
        p.parts = parts_done_ + static_cast<int>(i) + 1;
        p.total_parts = parts_done_ + static_cast<int>(segments_.size());
        p.statements = static_cast<int>(statements);
        p.total_statements = static_cast<int>(statements_.size());
        p.committed = committed_digest(statements);
        InternalScope internal;
        record_progress(run_.project, p);
    }

    std::vector<Statement> slice(const core::Segment& seg) const {
        return {statements_.begin() + static_cast<long>(seg.begin),
                statements_.begin() + static_cast<long>(seg.end)};
    }

    // Before each commit of the migration's work: the project is still this run's.
    void check_lease() const {
        InternalScope internal;
        require_lease(run_.project);
    }

    // The migration's verify script and its record, in the transaction of its last work.
    void finish(TimestampTz started) {
        if (verify_)
            execute_statements(*verify_, verify_statements_,
                               MigrationLabel{run_.project, label_.version, m_.name, "verify"},
                               nullptr, migration_statement_timeout_ms());
        const double ms = elapsed_ms(started);
        InternalScope internal;
        const std::string& checksum = checksum_;
        clear_progress(run_.project, label_.version);
        if (run_.down) {
            remove_applied(run_.project, label_.version);
            // A partly applied migration undone has its failed attempt forgotten too.
            if (progress_)
                clear_failure(run_.project, label_.version);
            append_history({run_.project, label_.version, "rollback", ms, checksum},
                           run_.caller);
            return;
        }
        record_applied(run_.project, label_.version, checksum, run_.caller, ms,
                       static_cast<int>(statements_.size()));
        append_history({run_.project, label_.version, "apply", ms, checksum}, run_.caller);
        for (const auto& ignore : lint_ignored_)
            append_history({run_.project, label_.version, "lint-ignore", std::nullopt, checksum,
                            std::nullopt, describe_ignore(ignore)},
                           run_.caller);
    }

    // From the first part not committed yet (a lock-timeout retry starts at the part that
    // gave up); each part but the last is recorded as it commits.
    void run_segments(TimestampTz started) {
        if (segments_.empty()) {
            in_subtransaction([&] {
                finish(started);
                check_lease();
            });
            commit();
            return;
        }
        for (std::size_t i = next_segment_; i < segments_.size(); ++i) {
            const auto& seg = segments_[i];
            const bool last = i + 1 == segments_.size();
            current_ = &statements_[seg.begin];
            report_progress(run_.project, label_.version, m_.name, statements_[seg.begin].number,
                            static_cast<int>(statements_.size()));
            if (!seg.top_level) {
                in_subtransaction([&] {
                    set_local_timeouts();
                    execute_statements(script_, slice(seg), label_, nullptr,
                                       migration_statement_timeout_ms());
                    if (last)
                        finish(started);
                    else
                        record_part(i);
                    check_lease();
                });
                commit();
                next_segment_ = i + 1;
                continue;
            }
            run_top_level(*current_);
            // The worker committed: recorded at once, so that a resumed run does not run it
            // again (only an interruption between the two can make it run twice).
            next_segment_ = i + 1;
            in_subtransaction([&] {
                if (last)
                    finish(started);
                else
                    record_part(i);
                check_lease();
            });
            commit();
        }
    }

    void run_top_level(const Statement& s) {
        if (!s.concurrent_index.empty())
            drop_invalid_index(s, "left by an earlier attempt");
        // Nothing may hold a snapshot while the worker runs: CREATE INDEX CONCURRENTLY
        // waits for every transaction older than itself, ours included.
        commit();
        const std::string context = label_.describe() + ", statement " + std::to_string(s.number) +
                                    ", line " + std::to_string(s.line) +
                                    " (run at top level by a background worker)";
        const Caught c = capture([&] {
            WorkerTimeouts timeouts;
            run_at_top_level(script_.substr(s.offset, s.length), context);
        });
        if (!c)
            return;
        if (!s.concurrent_index.empty()) {
            rollback_work();
            drop_invalid_index(s, "left by this failed attempt");
        }
        std::rethrow_exception(c.error);
    }

    // A failed or cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index behind, which
    // a retry with IF NOT EXISTS would silently keep.
    void drop_invalid_index(const Statement& s, const char* why) {
        const auto rows = spi_query_caller_names(
            "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
            "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) "
            "FROM pg_catalog.pg_index i "
            "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
            "WHERE i.indrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
            "AND c.relname OPERATOR(pg_catalog.=) $2 AND NOT i.indisvalid",
            {text_arg(s.relation), text_arg(s.concurrent_index)});
        if (rows == 0)
            return;
        const std::string index = spi_required_text(0, 1);
        commit();
        run_at_top_level("DROP INDEX CONCURRENTLY IF EXISTS " + index,
                         label_.describe() + ", dropping INVALID index " + index);
        notice("dropped INVALID index " + index + " " + why + " (CREATE INDEX CONCURRENTLY of "
               "migration " + label_.version + ", statement " + std::to_string(s.number) + ")");
    }

    // The error ended the migration: its transaction is rolled back first (nothing of it
    // was committed but whole top-level statements), then the failure is recorded and
    // committed in a fresh one. If recording fails, that is raised with the first error.
    void fail(const std::string& error, TimestampTz started) {
        rollback_work();
        const Caught c = capture([&] {
            {
                InternalScope internal;
                fault_point("record_failure");
                // A failed down script leaves the migration applied: only history says so.
                if (!run_.down)
                    record_failure(run_.project, label_.version, run_.caller, error);
                append_history({run_.project, label_.version,
                                run_.down ? "rollback-failure" : "failure", elapsed_ms(started),
                                std::nullopt, std::nullopt, error},
                               run_.caller);
            }
            commit();
        });
        if (!c && !run_.down && (next_segment_ > 0 || parts_done_ > 0)) {
            const int committed = next_segment_ > 0
                                      ? static_cast<int>(segments_[next_segment_ - 1].end)
                                      : progress_->statements;
            notice("migration " + describe_migration() + " is partly applied: " +
                   std::to_string(parts_done_ + static_cast<int>(next_segment_)) + " of " +
                   std::to_string(parts_done_ + static_cast<int>(segments_.size())) +
                   " parts committed; the next CALL migrate_run() resumes at statement " +
                   std::to_string(committed + 1));
        }
        if (c) {
            rollback_work();
            throw core::Failure(core::FailureKind::Conflict,
                                "migration " + label_.version + " of project \"" + run_.project +
                                    "\" failed, and its failure could not be recorded: " +
                                    c.message,
                                "The migration failed with: " + error.substr(0, 2000),
                                run_.down
                                    ? "Nothing of its down script was committed but whole "
                                      "top-level statements; migrate_status() shows it applied."
                                    : "Nothing of it was committed but whole top-level "
                                      "statements; migrate_status() shows it pending.");
        }
    }

    const Run& run_;
    const core::Migration& m_;
    MigrationLabel label_;
    std::string script_;
    std::optional<std::string> verify_;
    std::string checksum_;  // over the scripts as loaded, in the same transaction
    std::vector<Statement> statements_;
    std::vector<Statement> verify_statements_;
    std::vector<core::Segment> segments_;
    std::vector<LintIgnore> lint_ignored_;
    const Statement* current_ = nullptr;
    std::optional<core::PartProgress> progress_;  // as recorded when the run began
    int parts_done_ = 0;                            // parts committed before this run
    std::size_t next_segment_ = 0;                  // of segments_, the first not committed
};

void record_snapshot_now(const Run& run) {
    {
        InternalScope internal;
        record_schema_snapshot(run.project, run.action(), run.caller);
    }
    commit();
}

std::string message_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown error";
    }
}

// One runner per project: the lease (registry/runner_lease.hpp) outlives the run's commits.
// It is taken holding no snapshot: a runner waiting inside a query would hold one, and the
// first runner's CREATE INDEX CONCURRENTLY would wait for it while the first runner waits
// for its worker, a cycle the deadlock detector cannot see. So: commit, try, sleep on the
// latch, try again; cancels and a vanished client end the wait.
// Given back without waiting for the disk: lost in a crash, the lease names a backend that is
// gone, and the next runner takes it over.
void release_project_lock(const Run& run) {
    {
        InternalScope internal;
        release_lease(run.project);
    }
    commit_work_without_flush();
}

// Takes the project's lease, holding no snapshot while it waits (see above); the wait names
// the session that holds the project and ends after migrations_schema.lock_wait_timeout.
void acquire_project_lock(const Run& run, bool* held) {
    const TimestampTz started = GetCurrentTimestamp();
    std::string told;
    for (;;) {
        std::optional<ProjectHolder> holder;
        {
            InternalScope internal;
            holder = try_take_lease(run.project, run.procedure(), run.caller);
        }
        // Releasing a lease that was not taken changes nothing, so this errs towards it.
        *held = !holder;
        // The migrations' own commits flush it; lost in a crash, so is the run that held it.
        commit_work_without_flush();
        if (!holder)
            return;
        const std::string who = holder->describe();
        if (who != told) {
            notice("waiting for project \"" + run.project + "\", held by " + who);
            told = who;
        }
        const int limit = runner_lock_wait_timeout_ms();
        const double waited = elapsed_ms(started);
        if (limit > 0 && waited >= limit)
            throw core::Failure(core::FailureKind::LockWait,
                                std::string(run.procedure()) + "() gave up waiting for project \"" +
                                    run.project + "\" after " +
                                    std::to_string(static_cast<long>(waited)) + " ms",
                                "It is held by " + who + ".",
                                "Run it again when that session has finished, or raise "
                                "migrations_schema.lock_wait_timeout.");
        sleep_ms(limit > 0 ? std::min<long>(200, static_cast<long>(limit - waited) + 1) : 200);
    }
}

}  // namespace

void run_production(const ProductionRequest& req) {
    const Run run{req.project, caller_role(), req.rollback.has_value()};
    if (req.atomic)
        throw core::Failure(core::FailureKind::InTransaction,
                            std::string(run.procedure()) +
                                "() cannot run inside a transaction block",
                            {},
                            run.down ? "It commits after each migration: CALL it on its own, "
                                       "or use SELECT migrate_rollback() to roll back in your "
                                       "transaction."
                                     : "It commits after each migration: CALL it on its own, "
                                       "or use SELECT migrate_apply() to apply everything in "
                                       "your transaction.");
    refuse_on_citus_worker(run.procedure());
    refuse_read_only(run.procedure());
    RunnerScope runner(run.procedure());
    core::ApplyRequest request;
    request.target = req.target;
    request.allow_out_of_order = req.out_of_order;

    SpiConnection spi(true);
    std::size_t applied = 0;
    bool locked = false;
    std::exception_ptr failure;
    try {
        // Whatever the caller's transaction holds (the snapshot of its CALL) goes first.
        commit();
        acquire_project_lock(run, &locked);
        std::vector<core::Migration> plan;
        {
            InternalScope internal;
            refuse_while_expanding(run.project, run.procedure());
            if (run.down)
                plan = core::plan_rollback_with_progress(
                    load_registered(run.project), load_applied(run.project), *req.rollback,
                    partial_migrations(run.project));
            else if (request.target || !everything_applied(run.project))
                plan = core::plan_apply(load_registered(run.project), load_applied(run.project),
                                        request, load_failed(run.project));
        }
        if (!plan.empty()) {
            InternalScope internal;
            report_drift_before_run(run.project, run.action(), run.caller);
        }
        commit();
        // Undone out of order: refused if that would take what later migrations made.
        if (run.down) {
            check_undo_dependents(run.project, plan, *req.rollback);
            commit();
        }
        // Every script is read and parsed before the first migration commits: a syntax error
        // in the fourth stops the run before the first three are applied.
        std::vector<MigrationRun> runs;
        runs.reserve(plan.size());
        for (const auto& m : plan)
            runs.emplace_back(run, m);
        for (auto& r : runs) {
            r.apply();
            ++applied;
        }
        if (plan.empty())
            notice(std::string(run.down ? "nothing to roll back" : "nothing to apply") +
                   " in project \"" + run.project + "\"");
        else
            record_snapshot_now(run);
    } catch (...) {
        failure = std::current_exception();
    }
    if (!failure) {
        release_project_lock(run);
        return;
    }
    if (!locked) {
        rollback_work();
        std::rethrow_exception(failure);
    }
    // The transaction the error reached is dead: end it before anything else. What did apply
    // is the runner's work, not drift, so it gets its snapshot; then the lock goes. An error
    // on this path is raised with the first one (whose failure record is already committed).
    rollback_work();
    std::exception_ptr later;
    if (applied > 0) {
        try {
            record_snapshot_now(run);
        } catch (...) {
            later = std::current_exception();
        }
        if (later)
            rollback_work();
    }
    release_project_lock(run);
    if (later)
        throw core::Failure(core::FailureKind::Conflict,
                            "the schema snapshot after a failed run could not be recorded: " +
                                message_of(later),
                            "The run stopped with: " + message_of(failure));
    std::rethrow_exception(failure);
}

}  // namespace ms::pg
