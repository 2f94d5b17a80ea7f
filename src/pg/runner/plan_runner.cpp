#include "pg/runner/plan_runner.hpp"

#include "core/base/failure.hpp"
#include "core/plan/run_plan.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/lint/policy.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/registry.hpp"
#include "pg/registry/run_record.hpp"
#include "pg/runner/relation_state.hpp"
#include "pg/runner/script_rewrite.hpp"
#include "pg/runner/statement_executor.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
}

#include <boost/algorithm/string/join.hpp>


namespace ms::pg {

namespace {

MigrationLabel label_for(const RunRequest& request, const core::Migration& m, Script which) {
    static const char* const words[] = {"up", "down", "verify"};
    return MigrationLabel{request.project, m.version.text(), m.name,
                          words[static_cast<int>(which)]};
}

Script main_script(const RunRequest& request) {
    return request.direction == Direction::Up ? Script::Up : Script::Down;
}

// The step's scripts and checksum, in one read of the registry.
StepScripts step_scripts(const RunRequest& request, const core::Migration& m) {
    InternalScope internal;
    return load_step(request.project, m.version.text(), main_script(request));
}

std::string required_script(StepScripts& scripts, const core::Migration& m) {
    if (!scripts.main)
        throw core::Failure(core::FailureKind::MissingDown,
                            "migration " + m.version.text() + " has no down script");
    return std::move(*scripts.main);
}

// The statements of one step: its up or down script, and after an up script its verify
// script, if it has one.
struct ParsedStep {
    std::vector<Statement> main;
    std::optional<std::vector<Statement>> verify;
    std::vector<LintIgnore> lint_ignored;  // recorded in history when the migration applies
    // A dry run of a script with top-level statements rehearses its transactional
    // equivalent: CONCURRENTLY removed, what still needs top level skipped. Empty: the
    // script runs as written.
    std::string rehearsal;
};

// The script a step runs: in a rehearsal, the one without CONCURRENTLY.
std::string runnable(const std::string& script, const ParsedStep& step) {
    return step.rehearsal.empty() ? script : without_concurrently(script);
}

bool has_top_level(const std::string& script, const std::vector<Statement>& statements) {
    if (core::has_no_transaction_marker(script))
        return true;
    for (const auto& s : statements)
        if (s.top_level)
            return true;
    return false;
}

// Rewrites the step for a rehearsal; returns what it changed, for the result and the warning.
std::string rehearse(const std::string& script, ParsedStep& step, const MigrationLabel& label) {
    std::vector<std::string> unconcurrent;
    for (const auto& s : step.main)
        if (s.top_level && without_concurrently(script.substr(s.offset, s.length)) !=
                               script.substr(s.offset, s.length))
            unconcurrent.push_back(std::to_string(s.number));
    std::vector<Statement> rewritten = parse_script(without_concurrently(script), label);
    std::vector<std::string> skipped;
    std::vector<Statement> kept;
    for (auto& s : rewritten) {
        if (s.top_level)
            skipped.push_back(std::to_string(s.number));
        else
            kept.push_back(std::move(s));
    }
    step.main = std::move(kept);
    std::string what = "rehearsal";
    if (!unconcurrent.empty())
        what += "; without CONCURRENTLY: statement " + boost::algorithm::join(unconcurrent, ", ");
    if (!skipped.empty())
        what += "; skipped (top level only): statement " + boost::algorithm::join(skipped, ", ");
    if (core::has_no_transaction_marker(script))
        what += "; in one transaction despite migrate:no-transaction";
    return what;
}

// Every script is parsed before the first one runs, so a syntax error in the tenth
// migration is reported before the first has changed anything. Scripts are read again
// when they run, which keeps memory bounded by the largest script, not by their sum.
// The caller's transaction cannot hold a statement PostgreSQL runs only at top level.
void refuse_top_level(const std::string& script, const std::vector<Statement>& statements,
                      const MigrationLabel& label, bool up) {
    const bool marked = core::has_no_transaction_marker(script);
    for (const auto& s : statements) {
        if (!marked && !s.top_level)
            continue;
        throw core::Failure(
            core::FailureKind::Unsupported,
            marked ? "migration " + label.version + " is marked migrate:no-transaction"
                   : "statement " + std::to_string(s.number) + " of migration " + label.version +
                         " cannot run inside a transaction",
            "It runs only outside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, "
            "ALTER SYSTEM, CALL or DO with COMMIT, ...), and this call runs in yours.",
            up ? "Apply it with CALL migrate_run(), which commits each migration and runs such "
                 "statements at top level."
               : "Roll it back with CALL migrate_run_rollback(), which commits each migration "
                 "and runs such statements at top level.")
            .with_context(label.describe() + ", statement " + std::to_string(s.number) +
                          ", line " + std::to_string(s.line));
    }
}

std::vector<ParsedStep> parse_all(const std::vector<core::Migration>& plan,
                                  const RunRequest& request) {
    std::vector<ParsedStep> parsed;
    parsed.reserve(plan.size());
    for (const auto& m : plan) {
        StepScripts scripts = step_scripts(request, m);
        const std::string script = required_script(scripts, m);
        const MigrationLabel label = label_for(request, m, main_script(request));
        ParsedStep step{parse_script(script, label), std::nullopt, {}, {}};
        if (request.dry_run && has_top_level(script, step.main))
            step.rehearsal = rehearse(script, step, label);
        else
            refuse_top_level(script, step.main, label, request.direction == Direction::Up);
        if (request.direction == Direction::Up)
            step.lint_ignored = check_lint_policy(script, label);
        if (request.direction == Direction::Up && scripts.verify)
            step.verify = parse_script(*scripts.verify, label_for(request, m, Script::Verify));
        parsed.push_back(std::move(step));
    }
    return parsed;
}

// {"relation": bytes}, keys in the order jsonb keeps them anyway.
Datum bytes_json(const std::map<std::string, long long>& bytes) {
    std::string json = "{";
    for (const auto& [relation, size] : bytes) {
        if (json.size() > 1) json += ", ";
        json += "\"";
        for (const char c : relation) {
            if (c == '"' || c == '\\') json += '\\';
            json += c;
        }
        json += "\": " + std::to_string(size);
    }
    json += "}";
    return pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}

// Says plainly what a rehearsal costs before it runs.
void warn_about_rehearsals(const std::vector<core::Migration>& plan,
                           const std::vector<ParsedStep>& parsed) {
    std::vector<std::string> rehearsed;
    for (std::size_t i = 0; i < plan.size(); ++i)
        if (!parsed[i].rehearsal.empty())
            rehearsed.push_back(plan[i].version.text());
    if (rehearsed.empty())
        return;
    const std::string list = boost::algorithm::join(rehearsed, ", ");
    pg_call([&] {
        ereport(WARNING,
                (errmsg("the dry run rehearses migration%s %s as one transaction that is rolled "
                        "back", rehearsed.size() == 1 ? "" : "s", list.c_str()),
                 errdetail("Without CONCURRENTLY, CREATE INDEX holds a SHARE lock and DROP "
                           "INDEX an ACCESS EXCLUSIVE lock on the table for as long as they "
                           "run: writes to the tables it touches wait until the dry run ends. "
                           "Statements that can only run at top level are skipped."),
                 errhint("Rehearse against a copy of production, or at a quiet time; "
                         "lock_timeout is 1s for the dry run.")));
    });
}

void run_steps(ResultSet& rows, const std::vector<core::Migration>& plan,
               const std::vector<ParsedStep>& parsed, const RunRequest& request) {
    static const std::string apply = "apply";
    static const std::string rollback = "rollback";
    RunRecord record(request.project, request.caller);
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& m = plan[i];
        StepScripts scripts = step_scripts(request, m);
        const std::string script = runnable(required_script(scripts, m), parsed[i]);
        // A dry run also reports what the migration did to the tables: locks, sizes and
        // rewrites.
        std::optional<core::RelationState> before;
        std::set<std::string> needed;
        std::vector<double> durations;
        if (request.dry_run) {
            before = capture_relation_state();
            // Named before the run as well: a relation the migration drops is gone after it.
            needed = statement_locks_now(script);
        }
        const TimestampTz started = GetCurrentTimestamp();
        const int count = execute_statements(script, parsed[i].main,
                                             label_for(request, m, main_script(request)),
                                             request.dry_run ? &durations : nullptr);
        // A verify script checks the up script's work in the same transaction; its error
        // undoes the migration with everything else.
        if (parsed[i].verify)
            execute_statements(*scripts.verify, *parsed[i].verify,
                               label_for(request, m, Script::Verify));
        const double ms = static_cast<double>(GetCurrentTimestamp() - started) / 1000.0;
        {
            // Written once the last migration has run (see RunRecord): this call is one
            // transaction, whose error leaves none of these rows behind anyway.
            const std::string& checksum = scripts.checksum;
            if (request.direction == Direction::Up)
                record.applied(m.version.text(), checksum, ms, count);
            else
                record.removed(m.version.text());
            record.history({request.project, m.version.text(),
                            request.direction == Direction::Up ? "apply" : "rollback", ms,
                            checksum});
            for (const auto& ignore : parsed[i].lint_ignored)
                record.history({request.project, m.version.text(), "lint-ignore", std::nullopt,
                                checksum, std::nullopt, describe_ignore(ignore)});
        }
        std::optional<core::DryRunEffects> effects;
        if (before) {
            needed.merge(statement_locks_now(script));
            effects = core::compare_states(*before, capture_relation_state(), needed);
        }
        const Datum bytes = effects ? bytes_json(effects->bytes) : Datum(0);
        const std::optional<std::string> rehearsal =
            parsed[i].rehearsal.empty() ? std::nullopt : std::optional(parsed[i].rehearsal);
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::text(request.direction == Direction::Up ? apply : rollback),
                      Cell::float8(ms), Cell::int4(count),
                      Cell::text_array(effects ? &effects->locks : nullptr),
                      Cell::text_array(effects ? &effects->rewritten : nullptr),
                      Cell::float8_array(before ? &durations : nullptr),
                      Cell::datum(bytes, !effects), Cell::text(rehearsal)});
    }
    InternalScope internal;
    record.write();
}

}  // namespace

void run_plan(FunctionCallInfo fcinfo, const std::vector<core::Migration>& plan,
              const RunRequest& request) {
    refuse_on_citus_worker(request.direction == Direction::Up ? "migrate_apply"
                                                              : "migrate_rollback");
    ResultSet rows(fcinfo);
    const auto parsed = parse_all(plan, request);
    if (!request.dry_run) {
        const char* action = request.direction == Direction::Up ? "apply" : "rollback";
        if (!plan.empty()) {
            InternalScope internal;
            report_drift_before_run(request.project, action, request.caller);
        }
        run_steps(rows, plan, parsed, request);
        if (!plan.empty()) {
            InternalScope internal;
            record_schema_snapshot(request.project, action, request.caller);
        }
        return;
    }
    warn_about_rehearsals(plan, parsed);
    in_discarded_subtransaction([&] {
        // A dry run must never queue behind production traffic.
        pg_call([] {
            (void)set_config_option("lock_timeout", "1s", PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_LOCAL, true, 0, false);
        });
        run_steps(rows, plan, parsed, request);
    });
}

}  // namespace ms::pg
