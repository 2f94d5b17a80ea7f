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
#include "pg/runner/enum_values.hpp"
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

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>


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

// The step's scripts and the checksum over them, read together once: what is parsed is what
// runs, and what is recorded names it.
struct StepScripts {
    std::string main;
    std::optional<std::string> verify;
    std::string checksum;
};

StepScripts step_scripts(const RunRequest& request, const core::Migration& m) {
    InternalScope internal;
    auto loaded = load_scripts(request.project, m.version.text());
    if (!loaded)
        throw core::Failure(core::FailureKind::NotFound,
                            "migration " + m.version.text() + " of project \"" +
                                request.project + "\" is no longer registered");
    if (request.direction == Direction::Down && !loaded->down)
        throw core::Failure(core::FailureKind::MissingDown,
                            "migration " + m.version.text() + " has no down script");
    StepScripts out;
    out.main = request.direction == Direction::Up ? std::move(loaded->up) : std::move(*loaded->down);
    // A verify script checks the up script's work; nothing checks a down script's.
    if (request.direction == Direction::Up)
        out.verify = std::move(loaded->verify);
    out.checksum = std::move(loaded->checksum);
    return out;
}

// The statements of one step: its up or down script, and after an up script its verify
// script, if it has one.
struct ParsedStep {
    StepScripts scripts;
    std::vector<Statement> main;
    std::optional<std::vector<Statement>> verify;
    std::vector<LintIgnore> lint_ignored;  // recorded in history when the migration applies
    // A dry run of a script with top-level statements rehearses its transactional
    // equivalent: CONCURRENTLY removed, what still needs top level skipped. Empty: the
    // script runs as written.
    std::string rehearsal;
    // In a dry run, the statements in the groups the run commits one by one: each group is
    // rehearsed in a subtransaction of its own, so that what needs an earlier commit is
    // told apart from what fails in the run too.
    std::vector<std::vector<Statement>> parts;
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

// The statement's first word, to name it ("VACUUM", "DO").
std::string first_word(const std::string& script, const Statement& s) {
    std::string word;
    for (std::size_t i = s.offset; i < s.offset + s.length && i < script.size(); ++i) {
        const char c = script[i];
        if (!std::isalpha(static_cast<unsigned char>(c)))
            break;
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return word;
}

// Rewrites the step for a rehearsal; returns what it changed, for the result and the warning.
std::string rehearse(const std::string& script, ParsedStep& step, const MigrationLabel& label) {
    const bool marked = core::has_no_transaction_marker(script);
    std::vector<std::string> unconcurrent;
    std::set<int> commits_around;  // statement numbers the run runs at top level
    for (const auto& s : step.main) {
        if (marked || s.top_level)
            commits_around.insert(s.number);
        if (s.top_level && without_concurrently(script.substr(s.offset, s.length)) !=
                               script.substr(s.offset, s.length))
            unconcurrent.push_back(std::to_string(s.number));
    }
    const std::string rewritten_script = without_concurrently(script);
    std::vector<Statement> rewritten = parse_script(rewritten_script, label);
    std::vector<std::string> skipped;
    std::vector<Statement> kept;
    step.parts.assign(1, {});
    for (auto& s : rewritten) {
        const bool around = commits_around.count(s.number) != 0;
        if (around && !step.parts.back().empty())
            step.parts.emplace_back();
        if (s.top_level) {
            skipped.push_back(std::to_string(s.number) + " (" + first_word(rewritten_script, s) +
                              ")");
            continue;
        }
        kept.push_back(s);
        step.parts.back().push_back(std::move(s));
        if (around)
            step.parts.emplace_back();
    }
    if (step.parts.back().empty())
        step.parts.pop_back();
    step.main = std::move(kept);
    std::string what = "rehearsal";
    if (!unconcurrent.empty())
        what += "; without CONCURRENTLY: statement " + boost::algorithm::join(unconcurrent, ", ");
    if (!skipped.empty())
        what += "; not rehearsed, as it runs only outside a transaction block: statement " +
                boost::algorithm::join(skipped, ", ");
    if (marked)
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
        const MigrationLabel label = label_for(request, m, main_script(request));
        std::vector<Statement> main = parse_script(scripts.main, label);
        ParsedStep step{std::move(scripts), std::move(main), std::nullopt, {}, {}, {}};
        const std::string& script = step.scripts.main;
        if (request.dry_run && has_top_level(script, step.main))
            step.rehearsal = rehearse(script, step, label);
        else if (request.dry_run)
            step.parts.push_back(step.main);
        else
            refuse_top_level(script, step.main, label, request.direction == Direction::Up);
        if (request.direction == Direction::Up)
            step.lint_ignored = check_lint_policy(script, label);
        if (step.scripts.verify)
            step.verify = parse_script(*step.scripts.verify, label_for(request, m, Script::Verify));
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

// Each migration's applied row and history rows, kept in `record` until the run's last
// migration has run (see RunRecord).
void record_step(RunRecord& record, const core::Migration& m, const ParsedStep& step,
                 const RunRequest& request, double ms, int count) {
    const std::string& checksum = step.scripts.checksum;
    if (request.direction == Direction::Up)
        record.applied(m.version.text(), checksum, ms, count);
    else
        record.removed(m.version.text());
    record.history({request.project, m.version.text(),
                    request.direction == Direction::Up ? "apply" : "rollback", ms, checksum});
    for (const auto& ignore : step.lint_ignored)
        record.history({request.project, m.version.text(), "lint-ignore", std::nullopt, checksum,
                        std::nullopt, describe_ignore(ignore)});
}

const std::string& action_of(const RunRequest& request) {
    static const std::string apply = "apply";
    static const std::string rollback = "rollback";
    return request.direction == Direction::Up ? apply : rollback;
}

void run_steps(ResultSet& rows, const std::vector<core::Migration>& plan,
               const std::vector<ParsedStep>& parsed, const RunRequest& request) {
    // This call is one transaction: rows written after the last migration are lost with
    // everything else on any error, as rows written earlier would be.
    RunRecord record(request.project, request.caller);
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& m = plan[i];
        const std::string& script = parsed[i].scripts.main;
        const TimestampTz started = GetCurrentTimestamp();
        const int count = execute_statements(script, parsed[i].main,
                                             label_for(request, m, main_script(request)));
        // A verify script checks the up script's work in the same transaction; its error
        // undoes the migration with everything else.
        if (parsed[i].verify)
            execute_statements(*parsed[i].scripts.verify, *parsed[i].verify,
                               label_for(request, m, Script::Verify));
        const double ms = static_cast<double>(GetCurrentTimestamp() - started) / 1000.0;
        record_step(record, m, parsed[i], request, ms, count);
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::text(action_of(request)), Cell::float8(ms), Cell::int4(count),
                      Cell::null(), Cell::null(), Cell::null(), Cell::null(), Cell::null()});
    }
    InternalScope internal;
    record.write();
}

// Where a rehearsal stopped short of a migration's end, and why.
struct Unrehearsed {
    int statement;
    int line;
    std::string needs;  // what the run commits first: "migration 011"
    bool verify;
};

std::string describe(const Unrehearsed& u) {
    return std::string("not rehearsed from ") + (u.verify ? "verify " : "") + "statement " +
           std::to_string(u.statement) + " (line " + std::to_string(u.line) +
           ") on: it uses a value added to an enum type by " + u.needs +
           ", which the run commits first and a rehearsal in one transaction cannot";
}

// Runs statements in a subtransaction kept on success. A statement refused for using an
// enum value that the run would have committed by then is no error of the run: the
// statements before it are rehearsed again, and where it stopped is returned.
std::optional<Unrehearsed> rehearse_part(const std::string& script,
                                         const std::vector<Statement>& part,
                                         const MigrationLabel& label,
                                         const AddedEnumValues& added,
                                         std::vector<double>& durations, int& count,
                                         bool verify) {
    const std::size_t done_before = durations.size();
    std::exception_ptr refused;  // an unsafe use of a new enum value, to look at below
    std::string message;
    try {
        in_subtransaction([&] { execute_statements(script, part, label, &durations); });
    } catch (const PgError& e) {
        if (!is_unsafe_enum_use(e))
            throw;
        refused = std::current_exception();
        message = e.what();
    }
    if (!refused) {
        count += static_cast<int>(part.size());
        return std::nullopt;
    }
    // Outside the handler: the subtransaction is rolled back, its error copied out.
    const auto needs = core::commit_needed_from(added.still_added(), message);
    if (!needs)
        std::rethrow_exception(refused);
    const std::size_t ok = std::min(durations.size() - done_before, part.size() - 1);
    const Unrehearsed stop{part[ok].number, part[ok].line, *needs, verify};
    durations.resize(done_before);
    if (ok > 0) {
        const std::vector<Statement> before(part.begin(),
                                            part.begin() + static_cast<std::ptrdiff_t>(ok));
        in_subtransaction([&] { execute_statements(script, before, label, &durations); });
        count += static_cast<int>(ok);
    }
    return stop;
}

// A dry run: every migration as the run would do it, in subtransactions of the dry run's
// own, each group of statements the run commits together in one of them. What cannot be
// rehearsed in one transaction is reported in the migration's row, never as an error.
std::vector<std::string> rehearse_steps(ResultSet& rows, const std::vector<core::Migration>& plan,
                                        const std::vector<ParsedStep>& parsed,
                                        const RunRequest& request) {
    std::vector<std::string> unrehearsed;
    RunRecord record(request.project, request.caller);
    AddedEnumValues added;
    std::optional<std::string> stopped_at;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& m = plan[i];
        if (stopped_at) {
            static const std::string followed = "not rehearsed: ";
            const std::string note = followed + "it follows " + *stopped_at +
                                     ", whose rehearsal stopped before its end";
            rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                          Cell::text(action_of(request)), Cell::null(), Cell::int4(0),
                          Cell::null(), Cell::null(), Cell::null(), Cell::null(),
                          Cell::text(note)});
            unrehearsed.push_back(m.version.text() + " (after " + *stopped_at + ")");
            continue;
        }
        const std::string script = runnable(parsed[i].scripts.main, parsed[i]);
        const MigrationLabel label = label_for(request, m, main_script(request));
        // A dry run also reports what the migration did to the tables: locks, sizes and
        // rewrites. Locks are named before the run as well: a relation the migration drops
        // is gone after it.
        const core::RelationState before = capture_relation_state();
        std::set<std::string> needed = statement_locks_now(script);
        std::vector<double> durations;
        const TimestampTz started = GetCurrentTimestamp();
        int count = 0;
        std::optional<Unrehearsed> stop;
        const std::string by = "migration " + m.version.text();
        for (const auto& part : parsed[i].parts) {
            if ((stop = rehearse_part(script, part, label, added, durations, count, false)))
                break;
            added.attribute(by);
        }
        // A value this migration added before one of its top-level statements.
        if (stop && stop->needs == by)
            stop->needs = "an earlier part of this migration (before a statement the run runs "
                          "at top level)";
        if (!stop && parsed[i].verify) {
            std::vector<double> verify_durations;
            int verify_count = 0;
            stop = rehearse_part(*parsed[i].scripts.verify, *parsed[i].verify,
                                 label_for(request, m, Script::Verify), added, verify_durations,
                                 verify_count, true);
        }
        const double ms = static_cast<double>(GetCurrentTimestamp() - started) / 1000.0;
        if (!stop)
            record_step(record, m, parsed[i], request, ms, count);
        needed.merge(statement_locks_now(script));
        const core::DryRunEffects effects =
            core::compare_states(before, capture_relation_state(), needed);
        const Datum bytes = bytes_json(effects.bytes);
        std::optional<std::string> rehearsal;
        if (!parsed[i].rehearsal.empty())
            rehearsal = parsed[i].rehearsal;
        if (stop) {
            rehearsal = (rehearsal ? *rehearsal + "; " : std::string()) + describe(*stop);
            stopped_at = by;
            unrehearsed.push_back(m.version.text() + " from " + (stop->verify ? "verify " : "") +
                                  "statement " + std::to_string(stop->statement) +
                                  " (it needs " + stop->needs + " committed)");
        }
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::text(action_of(request)), Cell::float8(ms), Cell::int4(count),
                      Cell::text_array(&effects.locks), Cell::text_array(&effects.rewritten),
                      Cell::float8_array(&durations), Cell::datum(bytes, false),
                      Cell::text(rehearsal)});
    }
    InternalScope internal;
    record.write();
    return unrehearsed;
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
    std::vector<std::string> unrehearsed;
    in_discarded_subtransaction([&] {
        // A dry run must never queue behind production traffic.
        pg_call([] {
            (void)set_config_option("lock_timeout", "1s", PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_LOCAL, true, 0, false);
        });
        unrehearsed = rehearse_steps(rows, plan, parsed, request);
    });
    if (unrehearsed.empty())
        return;
    const std::string list = boost::algorithm::join(unrehearsed, "; ");
    pg_call([&] {
        ereport(WARNING,
                (errmsg("the dry run could not rehearse everything: %s", list.c_str()),
                 errdetail("A value added to an enum type can be used only after the "
                           "transaction that added it commits. The run commits after each "
                           "migration; a dry run is one transaction, rolled back."),
                 errhint("The rows' rehearsal column says where each rehearsal stopped.")));
    });
}

}  // namespace ms::pg
