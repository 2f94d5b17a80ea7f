#include "pg/runner/round_trip.hpp"

#include "core/base/failure.hpp"
#include "core/plan/dry_run.hpp"
#include "core/plan/planner.hpp"
#include "core/schema/diff.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/standby.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/registry/registry.hpp"
#include "pg/registry/runner_lease.hpp"
#include "pg/runner/enum_values.hpp"
#include "pg/runner/script_rewrite.hpp"
#include "pg/runner/statement_executor.hpp"
#include "pg/schema/fingerprint.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <boost/algorithm/string/join.hpp>
#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>
#include <sstream>

namespace ms::pg {

namespace {

using Outcome = RoundTripOutcome;

class RoundTrip {
public:
    explicit RoundTrip(std::string project) : project_(std::move(project)) {}

    // Runs one migration's round trip; false when later migrations cannot be tested.
    bool test(const core::Migration& m, Outcome& out) {
        out.version = m.version.text();
        out.name = m.name;
        std::optional<std::string> up, down;
        {
            InternalScope internal;
            up = load_script(project_, out.version, Script::Up);
            down = load_script(project_, out.version, Script::Down);
        }
        const SchemaFingerprint before = fingerprint();
        const std::string by = "migration " + out.version;
        if (auto error = run("up", m, *up)) {
            if (needs_) {
                out.reversible = "not tested";
                out.detail = "up not tested: " + *error + "; it uses a value added to an enum "
                             "type by " + *needs_ + ", which the run commits first and a test "
                             "in one transaction cannot";
                return false;
            }
            out.reversible = "error";
            out.detail = "up failed: " + *error;
            return false;
        }
        added_.attribute(by);
        const SchemaFingerprint after_up = fingerprint();
        if (!down) {
            // Under migrations_schema.require_down a missing down script fails the test; a
            // forward-only project has none by design.
            out.reversible = project_is_forward_only(project_) ? "forward-only"
                             : down_scripts_required()         ? "no down script (required)"
                                                               : "no down script";
            out.detail = skipped_note();
            return true;
        }
        // Down and up again run in a subtransaction of their own, rolled back whatever
        // happens: the next migration starts from what this one's up script built, as it
        // would in a real apply.
        std::optional<std::string> down_error, again_error, down_needs, again_needs;
        std::vector<core::SchemaChange> undone, redone;
        try {
            in_discarded_subtransaction([&] {
                if ((down_error = run("down", m, *down))) {
                    down_needs = needs_;
                    return;
                }
                undone = compare(before, fingerprint());
                if ((again_error = run("up", m, *up))) {
                    again_needs = needs_;
                    return;
                }
                redone = compare(after_up, fingerprint());
            });
        } catch (const PgError& e) {
            down_error = e.what();
        }
        // A rollback runs after the up script committed; in the test it has not.
        if (down_needs) {
            out.reversible = "not tested";
            out.detail = "down not tested: " + *down_error + "; it uses a value added to an "
                         "enum type by " + *down_needs + ", which a rollback finds committed "
                         "and a test in one transaction cannot";
            return true;
        }
        if (down_error) {
            out.reversible = "error";
            out.detail = "down failed: " + *down_error;
            return true;
        }
        std::vector<std::string> notes;
        std::vector<std::string> json;
        if (!undone.empty()) {
            notes.push_back("down did not restore the schema before up: " +
                            summarize_changes(undone));
            json.push_back(core::changes_json(undone, "down"));
        }
        if (!redone.empty()) {
            notes.push_back("up after down built a different schema than up: " +
                            summarize_changes(redone));
            json.push_back(core::changes_json(redone, "up again"));
        }
        // Something the fingerprint does not see (rows, a sequence's position) can make the
        // up script fail the second time: not reversible either.
        if (again_needs)
            notes.push_back("up after down not tested: " + *again_error +
                            "; it uses a value added to an enum type by " + *again_needs +
                            ", which only a commit between them would allow");
        else if (again_error)
            notes.push_back("up after down failed: " + *again_error);
        if (const auto skipped = skipped_note())
            notes.push_back(*skipped);
        out.reversible =
            undone.empty() && redone.empty() && (!again_error || again_needs) ? "true" : "false";
        if (!notes.empty())
            out.detail = boost::algorithm::join(notes, "; ");
        if (!json.empty()) {
            // Two arrays become one: strip the brackets where they meet.
            std::string merged = json[0];
            if (json.size() == 2)
                merged = merged.substr(0, merged.size() - 1) + ", " + json[1].substr(1);
            out.differences = merged;
        }
        return true;
    }

private:
    SchemaFingerprint fingerprint() {
        InternalScope internal;
        // Asked each time: a migration may create a managed schema.
        return schema_fingerprint(fingerprint_scope());
    }

    std::vector<core::SchemaChange> compare(const SchemaFingerprint& expected,
                                            const SchemaFingerprint& actual) {
        if (expected.sha256 == actual.sha256)
            return {};
        InternalScope internal;
        return core::diff_schemas(fingerprint_attributes(expected.json),
                                  fingerprint_attributes(actual.json));
    }

    // Runs a script in a subtransaction kept on success; the error message otherwise. An
    // error the run would not have (a value added to an enum by an earlier script, which
    // the run commits first) also sets needs_ to what had to commit.
    std::optional<std::string> run(const char* direction, const core::Migration& m,
                                   const std::string& script) {
        needs_.reset();
        const MigrationLabel label{project_, m.version.text(), m.name, direction};
        std::optional<std::string> error;
        bool unsafe_enum_use = false;
        std::string message;
        try {
            // CONCURRENTLY cannot run in a transaction; without it the same object is built.
            const std::string testable = without_concurrently(script);
            std::vector<Statement> runnable;
            for (const auto& s : parse_script(testable, label)) {
                if (s.top_level) {
                    const std::string note = std::string(direction) + " statement " +
                                             std::to_string(s.number) + " (line " +
                                             std::to_string(s.line) + ")";
                    // Up runs twice; its statements are named once.
                    if (std::find(skipped_.begin(), skipped_.end(), note) == skipped_.end())
                        skipped_.push_back(note);
                }
                else
                    runnable.push_back(s);
            }
            in_subtransaction([&] { execute_statements(testable, runnable, label); });
        } catch (const PgError& e) {
            error = describe_error(e.what(), e.data()->context);
            unsafe_enum_use = is_unsafe_enum_use(e);
            message = e.what();
        } catch (const core::Failure& f) {
            error = describe_error(f.what(), f.context().empty() ? nullptr : f.context().c_str());
        }
        // Outside the handler: the subtransaction is rolled back, its error copied out.
        if (unsafe_enum_use)
            needs_ = core::commit_needed_from(added_.still_added(), message);
        return error;
    }

    static std::string describe_error(const std::string& message, const char* context) {
        if (context == nullptr || *context == '\0')
            return message;
        // Of the context lines, the one naming the migration, statement and line.
        std::istringstream lines(context);
        std::string line, where;
        while (std::getline(lines, line))
            if (where.empty() || boost::algorithm::starts_with(line, "migration "))
                where = line;
        return message + " (" + where + ")";
    }

    std::optional<std::string> skipped_note() {
        if (skipped_.empty())
            return std::nullopt;
        std::string note = "not run, as they only run at top level (VACUUM, CALL, DO with "
                           "COMMIT, ...): " +
                           boost::algorithm::join(skipped_, ", ");
        skipped_.clear();
        return note;
    }

    std::string project_;
    std::vector<std::string> skipped_;
    AddedEnumValues added_;
    std::optional<std::string> needs_;
};

}  // namespace

std::vector<RoundTripOutcome> test_round_trips(const std::string& project,
                                               const std::optional<std::string>& target) {
    refuse_on_citus_worker("migrate_test");
    refuse_read_only("migrate_test");
    RunnerScope runner("migrate_test");
    core::ApplyRequest request;
    request.target = target;
    SpiConnection spi;
    std::vector<core::Migration> plan;
    {
        InternalScope internal;
        lock_project(project);
        refuse_while_expanding(project, "migrate_test");
        plan = core::plan_apply(load_registered(project), load_applied(project), request,
                                load_failed(project));
    }
    std::vector<Outcome> outcomes(plan.size());
    std::string hash_before;
    {
        InternalScope internal;
        hash_before = schema_fingerprint(fingerprint_scope()).sha256;
    }
    in_discarded_subtransaction([&] {
        // Like a dry run, a test must never queue behind production traffic.
        pg_call([] {
            (void)set_config_option("lock_timeout", "1s", PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_LOCAL, true, 0, false);
        });
        RoundTrip trip(project);
        for (std::size_t i = 0; i < plan.size(); ++i) {
            if (trip.test(plan[i], outcomes[i]))
                continue;
            const std::string why =
                outcomes[i].reversible == "not tested"
                    ? "migration " + plan[i].version.text() +
                          " before it could not be tested in one transaction"
                    : "migration " + plan[i].version.text() + " failed before it";
            for (std::size_t j = i + 1; j < plan.size(); ++j)
                outcomes[j] = {plan[j].version.text(), plan[j].name, "not tested", why,
                               std::nullopt};
            break;
        }
    });
    {
        InternalScope internal;
        // The rollback is the guarantee; this check makes a broken guarantee loud.
        if (schema_fingerprint(fingerprint_scope()).sha256 != hash_before)
            pg_call([] {
                ereport(WARNING,
                        (errmsg("the schema changed while migrate_test() ran"),
                         errdetail("Another session changed it: the results may mix both.")));
            });
    }
    return outcomes;
}

}  // namespace ms::pg
