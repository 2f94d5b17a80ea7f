#include "cli/session.hpp"

#include "cli/command.hpp"
#include "cli/connection.hpp"
#include "cli/dsn.hpp"
#include "cli/push.hpp"

#include <algorithm>
#include <chrono>

namespace ms::cli {

namespace {

// migrate_validate() reports problems as rows and succeeds; for CI an error among them
// must still fail the command, while warnings alone do not.
long validation_errors(const Table& t) {
    const auto col = std::find(t.columns.begin(), t.columns.end(), "severity");
    if (col == t.columns.end()) return 0;
    const auto c = static_cast<std::size_t>(col - t.columns.begin());
    return std::count_if(t.rows.begin(), t.rows.end(),
                         [c](const auto& row) { return row[c] == std::string("error"); });
}

// migrate_test() succeeds whatever it finds; in CI a down script that does not undo its up
// script (or fails) must fail the command. "no down script" is a choice, not a defect.
long irreversible(const Table& t) {
    const auto col = std::find(t.columns.begin(), t.columns.end(), "reversible");
    if (col == t.columns.end()) return 0;
    const auto c = static_cast<std::size_t>(col - t.columns.begin());
    return std::count_if(t.rows.begin(), t.rows.end(), [c](const auto& row) {
        return row[c] != std::string("true") && row[c] != std::string("no down script");
    });
}

}  // namespace

const char* outcome_name(Outcome o) noexcept {
    switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Failed: return "failed";
    case Outcome::Unreachable: return "unreachable";
    case Outcome::NoExtension: return "no extension";
    case Outcome::Skipped: return "skipped";
    }
    return "?";
}

int exit_code(Outcome o) noexcept {
    switch (o) {
    case Outcome::Ok: return 0;
    case Outcome::Unreachable:
    case Outcome::NoExtension: return 2;
    case Outcome::Failed:
    case Outcome::Skipped: return 1;
    }
    return 1;
}

Report run_on_database(const std::optional<std::string>& dsn, const Job& job,
                       const ProgressSink& progress) {
    const auto started = std::chrono::steady_clock::now();
    const Options& o = job.options;
    Report report;
    report.label = dsn ? mask_dsn(*dsn) : "the default server (PG* environment)";
    const auto secrets = dsn ? passwords_in(*dsn) : std::vector<std::string>{};
    const auto finish = [&](Outcome outcome, const std::string& error = {}) {
        report.outcome = outcome;
        report.error = redact(error, secrets);
        report.duration_ms = std::chrono::duration<double, std::milli>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();
        return report;
    };

    try {
        Connection conn = Connection::open(dsn);
        if (!conn.ok()) return finish(Outcome::Unreachable, conn.error_message());
        if (!dsn) report.label = conn.describe();
        conn.on_notice(progress);

        const auto schema = conn.extension_schema();
        if (!schema)
            return finish(Outcome::NoExtension,
                          "the extension migrations_schema is not installed in this database "
                          "(CREATE EXTENSION migrations_schema)");
        if (job.folder) {
            Table pushed;
            try {
                pushed = push(conn, *schema, *job.folder, o.project.value_or("default"));
            } catch (const SqlError& e) {
                return finish(Outcome::Failed,
                              std::string("push rolled back, nothing was registered: ") +
                                  e.what());
            }
            if (o.command == Command::Push) {
                report.result = std::move(pushed);
                return finish(Outcome::Ok);
            }
            progress("pushed " + push_summary(pushed));
        }
        const Call call = build_call(o, *schema);
        const Result result = conn.exec(call.sql, call.params);
        report.result = to_table(result.get());
        if (o.command == Command::Validate)
            if (const long errors = validation_errors(report.result))
                return finish(Outcome::Failed,
                              "validate reported " + std::to_string(errors) +
                                  (errors == 1 ? " error" : " errors"));
        if (o.command == Command::Test)
            if (const long bad = irreversible(report.result))
                return finish(Outcome::Failed,
                              "test found " + std::to_string(bad) +
                                  (bad == 1 ? " migration" : " migrations") +
                                  " whose round trip is not exact or failed");
        return finish(Outcome::Ok);
    } catch (const std::exception& e) {
        // SqlError mostly; anything else must not escape a fleet worker's thread either.
        return finish(Outcome::Failed, e.what());
    }
}

}  // namespace ms::cli
