#include "pg/runner/expand_contract.hpp"

#include "core/base/failure.hpp"
#include "core/plan/backfill_batch.hpp"
#include "core/plan/expand_contract.hpp"
#include "core/plan/planner.hpp"
#include "core/plan/run_plan.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/migration_label.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/standby.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/base/transaction.hpp"
#include "pg/parse/expand_facts.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/registry/registry.hpp"
#include "pg/registry/runner_lease.hpp"
#include "pg/runner/statement_executor.hpp"
#include "pg/runner/top_level_worker.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "common/pg_prng.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ms::pg {

namespace {

void notice(const std::string& text) {
    pg_call([&] { ereport(NOTICE, (errmsg_internal("%s", text.c_str()))); });
}

double elapsed_ms(TimestampTz since) {
    return static_cast<double>(GetCurrentTimestamp() - since) / 1000.0;
}

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

// The worker copies our settings: the same timeouts for its statement.
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

// Waits holding no snapshot (the caller has committed), answering cancels.
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

struct Caught {
    std::exception_ptr error;
    std::string message;
    int sqlstate = 0;
    explicit operator bool() const { return static_cast<bool>(error); }
};

// Only copies: the database work after an error happens outside any catch block.
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

struct Call {
    std::string project;
    std::string caller;
    const char* procedure;
    MigrationLabel label;
};

// Runs `attempt` until it succeeds, retrying a lock timeout with growing pauses; whatever
// the attempt left is rolled back before the next.
template <typename Fn>
void with_retries(const Call& call, const std::string& what, Fn&& attempt) {
    const int retries = migration_lock_retries();
    for (int n = 1;; ++n) {
        const Caught c = capture(attempt);
        if (!c)
            return;
        rollback_work();
        if (c.sqlstate != ERRCODE_LOCK_NOT_AVAILABLE)
            std::rethrow_exception(c.error);
        if (n > retries)
            throw core::Failure(core::FailureKind::LockWait,
                                std::string(call.procedure) + "() gave up waiting for a lock (" +
                                    what + ") after " + std::to_string(n) + " attempt(s) of " +
                                    std::to_string(migration_lock_timeout_ms()) + " ms",
                                c.message,
                                "Nothing of this step was committed; what committed before "
                                "stays. CALL " + std::string(call.procedure) +
                                    "() again once the lock's holder is done, or raise "
                                    "migrations_schema.lock_timeout or "
                                    "migrations_schema.lock_retries.")
                .with_context(call.label.describe());
        const long delay = core::retry_delay_ms(n, pg_prng_double(&pg_global_prng_state));
        notice(std::string(call.procedure) + "() gave up waiting for a lock after " +
               std::to_string(migration_lock_timeout_ms()) + " ms (" + what + "), attempt " +
               std::to_string(n) + " of " + std::to_string(retries + 1) + "; retrying in " +
               std::to_string(delay) + " ms");
        sleep_ms(delay);
    }
}

// fn in a transaction of its own under the migration's timeouts, committed.
template <typename Fn>
void transaction(const Call& call, const std::string& what, Fn&& fn) {
    with_retries(call, what, [&] {
        in_subtransaction([&] {
            set_local_timeouts();
            fn();
        });
        commit_work();
    });
}

void check_lease(const Call& call) {
    InternalScope internal;
    require_lease(call.project);
}

// A step's SQL as the caller, with an error context naming the migration, statement, line.
void run_sql(const Call& call, const std::string& sql, int statement, int line) {
    Statement s;
    s.offset = 0;
    s.length = sql.size();
    s.line = line;
    s.number = statement;
    execute_statements(sql, {s}, call.label, nullptr, migration_statement_timeout_ms());
}

void run_top_level_step(const Call& call, const StoredStep& s) {
    with_retries(call, s.step.sql, [&] {
        // CREATE INDEX CONCURRENTLY waits for every older snapshot, ours included.
        commit_work();
        WorkerTimeouts timeouts;
        run_at_top_level(s.step.sql, call.label.describe() + ", statement " +
                                         std::to_string(s.step.statement) + ", line " +
                                         std::to_string(s.line) +
                                         " (run at top level by a background worker)");
    });
}

// The steps of one stage, each on its own.
void run_separately(const Call& call, const std::vector<StoredStep>& steps, const char* when) {
    for (const auto& s : steps) {
        if (s.when != when)
            continue;
        if (s.step.top_level)
            run_top_level_step(call, s);
        else
            transaction(call, s.step.sql, [&] {
                run_sql(call, s.step.sql, s.step.statement, s.line);
                check_lease(call);
            });
    }
}

void run_main(const Call& call, const std::vector<StoredStep>& steps) {
    for (const auto& s : steps)
        if (s.when == "main")
            run_sql(call, s.step.sql, s.step.statement, s.line);
}

void take_lease(const Call& call, bool* held) {
    const TimestampTz started = GetCurrentTimestamp();
    std::string told;
    for (;;) {
        std::optional<ProjectHolder> holder;
        {
            InternalScope internal;
            holder = try_take_lease(call.project, call.procedure, call.caller);
        }
        *held = !holder;
        commit_work();
        if (!holder)
            return;
        const std::string who = holder->describe();
        if (who != told) {
            notice("waiting for project \"" + call.project + "\", held by " + who);
            told = who;
        }
        const int limit = runner_lock_wait_timeout_ms();
        const double waited = elapsed_ms(started);
        if (limit > 0 && waited >= limit)
            throw core::Failure(core::FailureKind::LockWait,
                                std::string(call.procedure) + "() gave up waiting for project \"" +
                                    call.project + "\" after " +
                                    std::to_string(static_cast<long>(waited)) + " ms",
                                "It is held by " + who + ".",
                                "Run it again when that session has finished, or raise "
                                "migrations_schema.lock_wait_timeout.");
        sleep_ms(limit > 0 ? std::min<long>(200, static_cast<long>(limit - waited) + 1) : 200);
    }
}

void refuse_call(const char* procedure, bool atomic) {
    if (atomic)
        throw core::Failure(core::FailureKind::InTransaction,
                            std::string(procedure) + "() cannot run inside a transaction block",
                            {}, "It commits as it goes: CALL it on its own.");
    refuse_read_only(procedure);
}

// The common frame of the three procedures: lease taken, body run, lease released; on an
// error the transaction it reached is rolled back before the lease goes.
template <typename Body>
void with_lease(Call& call, Body&& body) {
    RunnerScope runner(call.procedure);
    SpiConnection spi(true);
    bool held = false;
    std::exception_ptr failure;
    try {
        commit_work();
        take_lease(call, &held);
        body();
        {
            InternalScope internal;
            record_schema_snapshot(call.project, "run", call.caller);
        }
        commit_work();
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure)
        rollback_work();
    if (held) {
        {
            InternalScope internal;
            release_lease(call.project);
        }
        commit_work();
    }
    if (failure)
        std::rethrow_exception(failure);
}

core::Failure in_migration(const core::Failure& f, const MigrationLabel& label) {
    core::Failure out = f;
    out.with_context(label.describe() + (f.context().empty() ? "" : ", " + f.context()));
    return out;
}

std::string quoted(const std::string& name) {
    return core::quote_name(name);
}

// Where each relation a statement names lives, as the caller's search_path finds it.
void resolve_schemas(std::vector<core::EcStatement>& facts) {
    spi_query_caller_names("SELECT pg_catalog.current_schema()::pg_catalog.text", {});
    const std::string current = spi_text(0, 1).value_or("public");
    for (auto& f : facts) {
        const std::string& name = f.kind == core::EcKind::DropIndex ? f.index : f.table;
        if (name.empty() || !f.schema.empty())
            continue;
        if (f.kind == core::EcKind::CreateTable) {
            f.schema = current;
            continue;
        }
        const auto rows = spi_query_caller_names(
            "SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
            "WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident($1))",
            {text_arg(name)});
        f.schema = rows > 0 ? spi_required_text(0, 1) : current;
    }
}

std::vector<core::EcTable> load_tables(const std::string& schema) {
    const auto rows = spi_query(
        "SELECT c.relname::pg_catalog.text, a.attname::pg_catalog.text, "
        "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, "
        "a.atthasdef OR EXISTS (SELECT FROM pg_catalog.pg_index i "
        "  WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid "
        "  AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey::pg_catalog.int2[])) "
        "OR EXISTS (SELECT FROM pg_catalog.pg_constraint k "
        "  WHERE k.conrelid OPERATOR(pg_catalog.=) c.oid "
        "  AND k.contype OPERATOR(pg_catalog.<>) 'n' "  // 18's NOT NULL, which a copy keeps
        "  AND a.attnum OPERATOR(pg_catalog.=) ANY (k.conkey)), "
        "COALESCE((SELECT ka.attname::pg_catalog.text FROM pg_catalog.pg_index i "
        "  JOIN pg_catalog.pg_attribute ka ON ka.attrelid OPERATOR(pg_catalog.=) i.indrelid "
        "  AND ka.attnum OPERATOR(pg_catalog.=) i.indkey[0] "
        "  WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisprimary "
        "  AND i.indnkeyatts OPERATOR(pg_catalog.=) 1), '') "
        "FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid "
        "  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped "
        "WHERE n.nspname OPERATOR(pg_catalog.=) $1 "
        "AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[]) "
        "ORDER BY c.relname, a.attnum",
        {text_arg(schema)});
    std::vector<core::EcTable> out;
    for (std::uint64_t i = 0; i < rows; ++i) {
        const std::string table = spi_required_text(i, 1);
        if (out.empty() || out.back().name != table)
            out.push_back(core::EcTable{schema, table, {}, spi_required_text(i, 7)});
        out.back().columns.push_back(core::EcColumn{spi_required_text(i, 2),
                                                    spi_required_text(i, 3), spi_bool(i, 4),
                                                    spi_bool(i, 5), spi_bool(i, 6)});
    }
    return out;
}


bool schema_exists(const std::string& schema) {
    spi_query("SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace n "
              "WHERE n.nspname OPERATOR(pg_catalog.=) $1)",
              {text_arg(schema)});
    return spi_bool(0, 1);
}

std::vector<StoredStep> stored(const std::vector<core::EcStep>& steps, const char* when,
                               const std::map<int, int>& lines) {
    std::vector<StoredStep> out;
    for (const auto& s : steps) {
        const auto line = lines.find(s.statement);
        out.push_back({when, s, line == lines.end() ? 0 : line->second});
    }
    return out;
}

std::vector<StoredStep> stored_phase(const core::EcPhase& phase, const std::map<int, int>& lines) {
    auto out = stored(phase.before, "before", lines);
    for (auto part : {stored(phase.main, "main", lines), stored(phase.after, "after", lines)})
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

// The expand phase: state, old and new version schemas, additive changes, sync triggers,
// all in one transaction.
Expansion expand(const Call& base) {
    const std::string& project = base.project;
    std::vector<core::Migration> pending;
    std::string before;
    {
        InternalScope internal;
        pending = core::plan_apply(load_registered(project), load_applied(project),
                                   core::ApplyRequest{}, load_failed(project));
        before = newest_applied_version(project).value_or("initial");
    }
    if (pending.empty())
        throw core::Failure(core::FailureKind::NotFound,
                            "project \"" + project + "\" has no pending migration to start");
    const core::Migration& m = pending.front();
    Call call = base;
    call.label = MigrationLabel{project, m.version.text(), m.name, "expand"};
    std::optional<LoadedScripts> scripts;
    {
        InternalScope internal;
        scripts = load_scripts(project, m.version.text());
    }
    if (!scripts)
        throw core::Failure(core::FailureKind::NotFound,
                            "migration " + m.version.text() + " is no longer registered");
    if (!core::has_expand_contract_marker(scripts->up))
        throw core::Failure(core::FailureKind::Unsupported,
                            "migration " + m.version.text() + " (" + m.name + ") of project \"" +
                                project + "\" is not an expand and contract migration",
                            {},
                            "Open its script with the line -- migrate:expand-contract, or run it "
                            "with migrate_run().")
            .with_context(call.label.describe());
    const auto statements = parse_script(scripts->up, call.label);
    auto facts = expand_facts(scripts->up, statements);
    resolve_schemas(facts);
    core::EcPlan plan;
    std::set<std::string> schemas;
    for (const auto& f : facts)
        if (!f.schema.empty())
            schemas.insert(f.schema);
    try {
        if (schemas.size() > 1)
            throw core::Failure(core::FailureKind::Unsupported,
                                "an expand and contract migration changes one schema; this one "
                                "names " +
                                    [&] {
                                        std::string all;
                                        for (const auto& name : schemas)
                                            all += (all.empty() ? "" : ", ") + quoted(name);
                                        return all;
                                    }(),
                                {}, "Split it into one migration per schema.");
        const std::string schema = schemas.empty() ? std::string("public") : *schemas.begin();
        const core::EcNames names{project, m.version.text(),
                                  core::version_schema_name(project, before),
                                  core::version_schema_name(project, m.version.text())};
        plan = core::plan_expand_contract(facts, load_tables(schema),
                                          core::down_expressions(scripts->up), names);
    } catch (const core::Failure& f) {
        throw in_migration(f, call.label);
    }
    std::map<int, int> lines;
    for (const auto& s : statements)
        lines[s.number] = s.line;
    const Expansion e{project, m.version.text(), scripts->checksum, plan.old_schema,
                      plan.new_schema, "backfilling"};
    // Completion and abort drop both version schemas with CASCADE: a schema of that name
    // that start did not make is someone else's, and is left alone.
    for (const auto* schema : {&plan.old_schema, &plan.new_schema})
        if (schema_exists(*schema))
            throw core::Failure(core::FailureKind::Conflict,
                                "the version schema \"" + *schema + "\" already exists",
                                "Expand and contract makes the schemas of both versions itself "
                                "and drops them, with everything in them, at completion or abort.",
                                "Rename or drop that schema, then CALL migrate_start() again; "
                                "nothing was changed.")
                .with_context(call.label.describe());
    {
        InternalScope internal;
        report_drift_before_run(project, "run", call.caller);
    }
    commit_work();
    const auto tables = plan.backfill;
    transaction(call, "expand", [&] {
        {
            InternalScope internal;
            insert_expansion(e, call.caller);
            insert_steps(project, "start", stored(plan.start.after, "after", lines));
            insert_steps(project, "complete", stored_phase(plan.complete, lines));
            insert_steps(project, "abort", stored_phase(plan.abort, lines));
            append_history({project, e.version, "start", std::nullopt, e.checksum, std::nullopt,
                            "old version schema " + e.old_schema + ", new version schema " +
                                e.new_schema},
                           call.caller);
        }
        for (const auto& b : tables) {
            spi_query("SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) "
                      "FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) "
                      "pg_catalog.to_regclass(pg_catalog.quote_ident($1) OPERATOR(pg_catalog.||) "
                      "'.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident($2)) "
                      "AND a.attname OPERATOR(pg_catalog.=) $3",
                      {text_arg(b.schema), text_arg(b.table), text_arg(b.key)});
            BackfillState state;
            state.schema = b.schema;
            state.table = b.table;
            state.key = b.key;
            state.key_type = spi_required_text(0, 1);
            state.check = b.check;
            InternalScope internal;
            insert_backfill(project, state);
        }
        run_sql(call, "CREATE SCHEMA " + quoted(plan.old_schema), 0, 0);
        for (const auto& v : plan.old_views)
            run_sql(call, v.sql, 0, 0);
        run_sql(call, "CREATE SCHEMA " + quoted(plan.new_schema), 0, 0);
        for (const auto& s : plan.start.main)
            run_sql(call, s.sql, s.statement, lines[s.statement]);
        check_lease(call);
    });
    notice("started migration " + e.version + " (" + m.name + "): version schemas \"" +
           e.old_schema + "\" (old) and \"" + e.new_schema + "\" (new)");
    return e;
}

std::string literal(const std::string& value) {
    char* q = pg_call([&] { return quote_literal_cstr(value.c_str()); });
    return std::string(q);
}

// How long a backfill batch may hold its rows' locks: the wait the runner allows itself on
// a lock (migrations_schema.lock_timeout) is the wait it may impose on the table's writers.
// The statement timeout, when shorter, bounds it too. 0: no bound.
long batch_bound_ms() {
    const long lock = migration_lock_timeout_ms();
    const long statement = migration_statement_timeout_ms();
    if (lock <= 0)
        return statement;
    return statement > 0 ? std::min(lock, statement) : lock;
}

// One batch's no-op UPDATE at top level in the worker, cancelled at the bound: a batch that
// would hold its rows longer is rolled back, and the caller takes its rows again in a smaller
// one. A batch of one row has nothing smaller: it is tried again after a pause, like a lock
// wait, migrations_schema.lock_retries times.
core::BatchOutcome run_batch(const Call& call, const std::string& update, long size, std::int64_t rows) {
    core::BatchOutcome outcome;
    outcome.rows = std::min<std::int64_t>(size, rows);
    const long bound = batch_bound_ms();
    StoredStep s{"backfill", core::EcStep{update, true, 0}, 0};
    if (bound <= 0) {
        run_top_level_step(call, s);
        return outcome;
    }
    const int retries = migration_lock_retries();
    for (int n = 1;; ++n) {
        with_retries(call, update, [&] {
            commit_work();
            WorkerTimeouts timeouts;
            const TimestampTz started = GetCurrentTimestamp();
            outcome.timed_out = !run_at_top_level_within(
                update, call.label.describe() + ", backfill batch of " + std::to_string(rows) +
                            " rows (run at top level by a background worker)",
                static_cast<int>(bound));
            outcome.elapsed_ms = elapsed_ms(started);
        });
        if (!outcome.timed_out || rows > 1)
            return outcome;
        if (n > retries)
            throw core::Failure(core::FailureKind::LockWait,
                                std::string(call.procedure) + "() could not backfill one row within " +
                                    std::to_string(bound) + " ms",
                                "Each of " + std::to_string(n) + " attempts was cancelled at that bound "
                                "(migrations_schema.lock_timeout), so that the row's writers would "
                                "not wait longer.",
                                "Nothing of this batch was committed; what committed before stays. "
                                "CALL " + std::string(call.procedure) + "() again once the table is "
                                "quieter, or raise migrations_schema.lock_timeout.")
                .with_context(call.label.describe());
        const long delay = core::retry_delay_ms(n, pg_prng_double(&pg_global_prng_state));
        notice(std::string(call.procedure) + "(): a backfill batch of one row ran past " +
               std::to_string(bound) + " ms and was cancelled, attempt " + std::to_string(n) +
               " of " + std::to_string(retries + 1) + "; retrying in " + std::to_string(delay) +
               " ms");
        sleep_ms(delay);
    }
}

// One table's backfill, a batch at a time from where the last committed batch ended: the
// bounds are read here, the no-op UPDATE that fires the sync triggers runs at top level in
// the worker, and the progress is committed after it. A batch run twice (the progress lost
// to a crash) only computes the same values again.
//
// It ends at the highest key of the call's first read: the sync triggers were committed
// before it (their CREATE waited for every writer before them), so every row above was
// written through them. Without that end, writers adding keys above the last batch faster
// than batches go (an identity key under load) keep the backfill from ever finishing.
void backfill_table(const Call& call, const BackfillState& first, const StartRequest& req) {
    const std::string table = quoted(first.schema) + "." + quoted(first.table);
    const std::string key = quoted(first.key);
    const std::string up_to = key + " OPERATOR(pg_catalog.<=) $3::" + first.key_type;
    const std::string next_from =
        "SELECT pg_catalog.max(" + key + ")::pg_catalog.text, pg_catalog.count(*)::pg_catalog.text FROM (SELECT " +
        key + " FROM " + table + " WHERE " + key + " OPERATOR(pg_catalog.>) $1::" +
        first.key_type + " AND " + up_to + " ORDER BY " + key + " LIMIT $2) AS batch";
    const std::string next_first = "SELECT pg_catalog.max(" + key +
                                   ")::pg_catalog.text, pg_catalog.count(*)::pg_catalog.text FROM (SELECT " + key +
                                   " FROM " + table + " WHERE " + up_to + " ORDER BY " + key +
                                   " LIMIT $2) AS batch";
    const std::string count = "SELECT pg_catalog.count(*)::pg_catalog.text FROM " + table;
    const std::string highest = "SELECT pg_catalog.max(" + key + ")::pg_catalog.text FROM " + table;
    long size = req.batch_size;
    bool end_read = false;
    std::optional<std::string> end;  // none: the table was empty
    for (long batches = 0;; ++batches) {
        BackfillState b;
        std::optional<std::int64_t> total;
        std::optional<std::string> high;
        std::int64_t rows = 0;
        // The reads wait for a lock like any step: under the migration's lock_timeout.
        transaction(call, "backfill of " + table, [&] {
            {
                InternalScope internal;
                for (auto& x : load_backfill(call.project))
                    if (x.schema == first.schema && x.table == first.table)
                        b = x;
            }
            if (b.done)
                return;
            total.reset();
            if (!b.rows_total) {
                spi_query(count.c_str(), {});
                total = std::stoll(spi_required_text(0, 1));
            }
            // After the count: every row it counted is at or below the end.
            if (!end_read) {
                spi_query(highest.c_str(), {});
                end = spi_text(0, 1);
                end_read = true;
            }
            if (!end) {
                high.reset();
                rows = 0;
                return;
            }
            if (b.last_key)
                spi_query(next_from.c_str(), {text_arg(*b.last_key), int4_arg(static_cast<int>(size)),
                                              text_arg(*end)});
            else
                spi_query(next_first.c_str(), {text_arg(std::string()),
                                               int4_arg(static_cast<int>(size)), text_arg(*end)});
            high = spi_text(0, 1);
            rows = std::stoll(spi_required_text(0, 2));
        });
        if (b.done)
            return;
        if (rows > 0) {
            std::string update = "UPDATE " + table + " SET " + key + " = " + key + " WHERE " + key +
                                 " OPERATOR(pg_catalog.<=) " + literal(*high) + "::" + b.key_type;
            if (b.last_key)
                update += " AND " + key + " OPERATOR(pg_catalog.>) " + literal(*b.last_key) +
                          "::" + b.key_type;
            const core::BatchOutcome outcome = run_batch(call, update, size, rows);
            size = core::next_batch_size(outcome, req.batch_size, batch_bound_ms());
            if (outcome.timed_out) {
                notice(std::string(call.procedure) + "(): a backfill batch of " +
                       std::to_string(rows) + " rows of " + table + " ran past " +
                       std::to_string(batch_bound_ms()) +
                       " ms and was cancelled, so that its rows' writers would not wait longer; "
                       "the same rows again in batches of " + std::to_string(size));
                continue;  // nothing of it committed
            }
        }
        transaction(call, "backfill progress", [&] {
            InternalScope internal;
            record_backfill_batch(call.project, b, rows > 0 ? high : b.last_key, rows, total,
                                  rows == 0);
            require_lease(call.project);
        });
        if (rows > 0 && req.pause_ms > 0)
            sleep_ms(req.pause_ms);
    }
}

void resume(const Call& base, const Expansion& e, const StartRequest& req) {
    Call call = base;
    call.label = MigrationLabel{e.project, e.version, e.version, "expand"};
    std::vector<StoredStep> steps;
    std::vector<BackfillState> tables;
    {
        InternalScope internal;
        steps = load_steps(e.project, "start");
        tables = load_backfill(e.project);
    }
    commit_work();
    run_separately(call, steps, "after");
    for (const auto& b : tables)
        backfill_table(call, b, req);
    transaction(call, "expanded", [&] {
        InternalScope internal;
        set_expansion_phase(e.project, "expanded");
        require_lease(e.project);
    });
    notice("migration " + e.version + " is expanded: both versions are live; CALL "
           "migrate_complete() once the old version's clients are gone");
}

Expansion require_expansion(const std::string& project) {
    std::optional<Expansion> e;
    {
        InternalScope internal;
        e = load_expansion(project);
    }
    if (!e)
        throw core::Failure(core::FailureKind::NotFound,
                            "project \"" + project + "\" has no expand and contract migration "
                                                     "started",
                            {}, "CALL migrate_start() first.");
    return *e;
}

// Completion takes the old version's schema away: a session announcing it by its
// application_name still uses it.
void refuse_old_clients(const Expansion& e) {
    const auto rows = spi_query(
        "SELECT a.pid::pg_catalog.text FROM pg_catalog.pg_stat_activity a "
        "WHERE a.application_name OPERATOR(pg_catalog.=) $1 "
        "AND a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() "
        "AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database() ORDER BY a.pid",
        {text_arg(e.old_schema)});
    if (rows == 0)
        return;
    std::string pids;
    for (std::uint64_t i = 0; i < rows; ++i)
        pids += (i ? ", " : "") + spi_required_text(i, 1);
    throw core::Failure(core::FailureKind::Conflict,
                        std::to_string(rows) + " session(s) still use the old version \"" +
                            e.old_schema + "\" of project \"" + e.project + "\"",
                        "Sessions with application_name \"" + e.old_schema + "\": pid " + pids +
                            ".",
                        "Stop the old version's clients, then call migrate_complete() again; "
                        "nothing was changed.");
}

void check_backfill_whole(const Call& call, const Expansion& e) {
    std::vector<BackfillState> tables;
    {
        InternalScope internal;
        tables = load_backfill(e.project);
    }
    for (const auto& b : tables) {
        if (!b.done)
            throw core::Failure(core::FailureKind::Conflict,
                                "the backfill of " + quoted(b.schema) + "." + quoted(b.table) +
                                    " has not finished",
                                {}, "CALL migrate_start() again to resume it.");
        const std::string sql = "SELECT pg_catalog.count(*)::pg_catalog.text FROM " + quoted(b.schema) + "." +
                                quoted(b.table) + " WHERE " + b.check;
        spi_query_caller_names(sql.c_str(), {});
        const std::string behind = spi_required_text(0, 1);
        if (behind != "0")
            throw core::Failure(core::FailureKind::Conflict,
                                behind + " row(s) of " + quoted(b.schema) + "." + quoted(b.table) +
                                    " disagree between the old and the new version",
                                {}, "Nothing was changed. CALL migrate_abort() and start again.")
                .with_context(call.label.describe());
    }
}

int statement_count(const std::string& project, const std::string& version,
                    const MigrationLabel& label) {
    std::optional<LoadedScripts> scripts;
    {
        InternalScope internal;
        scripts = load_scripts(project, version);
    }
    return scripts ? static_cast<int>(parse_script(scripts->up, label).size()) : 0;
}

}  // namespace

void start_expansion(const StartRequest& req) {
    refuse_call("migrate_start", req.atomic);
    if (req.batch_size < 1 || req.pause_ms < 0)
        throw core::Failure(core::FailureKind::InvalidValue,
                            "batch_size must be at least 1 and pause_ms at least 0");
    Call call{req.project, caller_role(), "migrate_start", {}};
    with_lease(call, [&] {
        std::optional<Expansion> e;
        {
            InternalScope internal;
            e = load_expansion(req.project);
        }
        if (!e)
            e = expand(call);
        else if (e->phase == "expanded") {
            notice("migration " + e->version + " of project \"" + req.project +
                   "\" is already expanded");
            return;
        } else
            notice("resuming migration " + e->version + " of project \"" + req.project + "\"");
        resume(call, *e, req);
    });
}

void complete_expansion(const std::string& project, bool atomic) {
    refuse_call("migrate_complete", atomic);
    Call call{project, caller_role(), "migrate_complete", {}};
    with_lease(call, [&] {
        const TimestampTz started = GetCurrentTimestamp();
        const Expansion e = require_expansion(project);
        call.label = MigrationLabel{project, e.version, e.version, "contract"};
        if (e.phase != "expanded")
            throw core::Failure(core::FailureKind::Conflict,
                                "migration " + e.version + " of project \"" + project +
                                    "\" has not finished its backfill",
                                {}, "CALL migrate_start() again to resume it.");
        const int statements = statement_count(project, e.version, call.label);
        std::vector<StoredStep> steps;
        {
            InternalScope internal;
            if (load_checksum(project, e.version) != e.checksum)
                throw core::Failure(core::FailureKind::Modified,
                                    "migration " + e.version + " of project \"" + project +
                                        "\" was changed after it started",
                                    {}, "CALL migrate_abort(), then start it again.");
            steps = load_steps(project, "complete");
        }
        commit_work();
        // The check reads the whole table: under the migration's lock_timeout, like every
        // step.
        transaction(call, "backfill check", [&] {
            refuse_old_clients(e);
            check_backfill_whole(call, e);
        });
        run_separately(call, steps, "before");
        transaction(call, "contract", [&] {
            run_main(call, steps);
            InternalScope internal;
            record_applied(project, e.version, e.checksum, call.caller, elapsed_ms(started),
                           statements);
            append_history({project, e.version, "apply", elapsed_ms(started), e.checksum,
                            std::nullopt, "expand and contract: completed"},
                           call.caller);
            delete_expansion(project);
            require_lease(project);
        });
        run_separately(call, steps, "after");
        notice("completed migration " + e.version + ": version schema \"" + e.new_schema +
               "\" is the only one left");
    });
}

void abort_expansion(const std::string& project, bool atomic) {
    refuse_call("migrate_abort", atomic);
    Call call{project, caller_role(), "migrate_abort", {}};
    with_lease(call, [&] {
        const TimestampTz started = GetCurrentTimestamp();
        const Expansion e = require_expansion(project);
        call.label = MigrationLabel{project, e.version, e.version, "abort"};
        std::vector<StoredStep> steps;
        {
            InternalScope internal;
            steps = load_steps(project, "abort");
        }
        commit_work();
        run_separately(call, steps, "before");
        transaction(call, "abort", [&] {
            run_main(call, steps);
            InternalScope internal;
            append_history({project, e.version, "abort", elapsed_ms(started), e.checksum,
                            std::nullopt, "dropped version schema " + e.new_schema},
                           call.caller);
            delete_expansion(project);
            require_lease(project);
        });
        run_separately(call, steps, "after");
        notice("aborted migration " + e.version + ": version schema \"" + e.old_schema +
               "\" is the only one left");
    });
}

}  // namespace ms::pg
