#include "pg/runner/plan_runner.hpp"

#include "core/failure.hpp"
#include "core/run_plan.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/lint/policy.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/snapshot.hpp"
#include "pg/runner/relation_state.hpp"
#include "pg/base/result_set.hpp"
#include "pg/parse/statements.hpp"
#include "pg/runner/statement_executor.hpp"
#include "pg/base/subtransaction.hpp"

extern "C" {
#include "utils/guc.h"
#include "utils/timestamp.h"
}


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

std::optional<std::string> script_of(const RunRequest& request, const core::Migration& m,
                                     Script which) {
    InternalScope internal;
    return load_script(request.project, m.version.text(), which);
}

std::string required_script(const RunRequest& request, const core::Migration& m) {
    auto script = script_of(request, m, main_script(request));
    if (!script)
        throw core::Failure(core::FailureKind::MissingDown,
                            "migration " + m.version.text() + " has no down script");
    return std::move(*script);
}

// The statements of one step: its up or down script, and after an up script its verify
// script, if it has one.
struct ParsedStep {
    std::vector<Statement> main;
    std::optional<std::vector<Statement>> verify;
    std::vector<LintIgnore> lint_ignored;  // recorded in history when the migration applies
};

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
        const std::string script = required_script(request, m);
        const MigrationLabel label = label_for(request, m, main_script(request));
        ParsedStep step{parse_script(script, label), std::nullopt, {}};
        refuse_top_level(script, step.main, label, request.direction == Direction::Up);
        if (request.direction == Direction::Up)
            step.lint_ignored = check_lint_policy(script, label);
        if (request.direction == Direction::Up)
            if (const auto verify = script_of(request, m, Script::Verify))
                step.verify = parse_script(*verify, label_for(request, m, Script::Verify));
        parsed.push_back(std::move(step));
    }
    return parsed;
}

void run_steps(ResultSet& rows, const std::vector<core::Migration>& plan,
               const std::vector<ParsedStep>& parsed, const RunRequest& request) {
    static const std::string apply = "apply";
    static const std::string rollback = "rollback";
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& m = plan[i];
        const std::string script = required_script(request, m);
        // A dry run also reports what the migration did to the tables: locks and rewrites.
        std::optional<core::RelationState> before;
        std::vector<double> durations;
        if (request.dry_run)
            before = capture_relation_state();
        const TimestampTz started = GetCurrentTimestamp();
        const int count = execute_statements(script, parsed[i].main,
                                             label_for(request, m, main_script(request)),
                                             request.dry_run ? &durations : nullptr);
        // A verify script checks the up script's work in the same transaction; its error
        // undoes the migration with everything else.
        if (parsed[i].verify)
            execute_statements(*script_of(request, m, Script::Verify), *parsed[i].verify,
                               label_for(request, m, Script::Verify));
        const double ms = static_cast<double>(GetCurrentTimestamp() - started) / 1000.0;
        {
            InternalScope internal;
            const std::string checksum = load_checksum(request.project, m.version.text());
            if (request.direction == Direction::Up)
                record_applied(request.project, m.version.text(), checksum, request.caller, ms,
                               count);
            else
                remove_applied(request.project, m.version.text());
            append_history({request.project, m.version.text(),
                            request.direction == Direction::Up ? "apply" : "rollback", ms,
                            checksum},
                           request.caller);
            for (const auto& ignore : parsed[i].lint_ignored)
                append_history({request.project, m.version.text(), "lint-ignore", std::nullopt,
                                checksum, std::nullopt, describe_ignore(ignore)},
                               request.caller);
        }
        std::optional<core::DryRunEffects> effects;
        if (before)
            effects = core::compare_states(*before, capture_relation_state());
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::text(request.direction == Direction::Up ? apply : rollback),
                      Cell::float8(ms), Cell::int4(count),
                      Cell::text_array(effects ? &effects->locks : nullptr),
                      Cell::text_array(effects ? &effects->rewritten : nullptr),
                      Cell::float8_array(before ? &durations : nullptr)});
    }
}

}  // namespace

void run_plan(FunctionCallInfo fcinfo, const std::vector<core::Migration>& plan,
              const RunRequest& request) {
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
