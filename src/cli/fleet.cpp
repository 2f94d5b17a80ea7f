#include "cli/fleet.hpp"

#include "cli/dsn.hpp"
#include "cli/interrupt.hpp"
#include "cli/json.hpp"
#include "cli/status_summary.hpp"
#include "cli/table_printer.hpp"
#include "core/client/terminal_text.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <map>
#include <system_error>
#include <thread>

#include <sys/mman.h>

namespace ms::cli {

namespace {

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

std::string duration_text(const Report& r) {
    return std::to_string(std::llround(r.duration_ms));
}

// As each database finishes: its rows on stdout, its error on stderr.
void print_section(const Report& r, const ProgressSink& progress) {
    with_stdout_lock([&] {
        std::cout << "== " << core::escape_controls(r.label) << ": " << outcome_name(r.outcome)
                  << "\n";
        print_table(std::cout, r.result);
        std::cout << std::flush;
    });
    if (!r.error.empty()) progress(r.error);
}

// For status, one row per database with where it stands, so that promotion (staging first,
// then production) is a glance.
Table status_summary(const std::vector<Report>& reports) {
    Table t;
    t.columns = {"database", "outcome", "newest", "applied", "pending", "failed", "modified",
                 "missing", "error"};
    t.right_aligned = {false, false, false, true, true, true, true, true, false};
    for (const auto& r : reports) {
        const bool ran = r.outcome == Outcome::Ok;
        const StatusCounts c = count_states(r.result);
        const auto n = [&](const char* state) {
            return ran ? std::optional(std::to_string(c.by_state.at(state))) : std::nullopt;
        };
        t.rows.push_back({r.label, std::string(outcome_name(r.outcome)),
                          ran ? c.newest_applied : std::nullopt, n("applied"), n("pending"),
                          n("failed"), n("modified"), n("missing"), first_line(r.error)});
    }
    return t;
}

void print_summary(const std::vector<Report>& reports, Command command) {
    Table t;
    t.columns = {"database", "outcome", "rows", "duration_ms", "error"};
    t.right_aligned = {false, false, true, true, false};
    std::map<Outcome, int> counts;
    for (const auto& r : reports) {
        ++counts[r.outcome];
        const bool ran = r.outcome == Outcome::Ok || r.outcome == Outcome::Failed;
        t.rows.push_back({r.label, std::string(outcome_name(r.outcome)),
                          ran ? std::optional(std::to_string(r.result.rows.size())) : std::nullopt,
                          r.outcome == Outcome::Skipped ? std::nullopt
                                                        : std::optional(duration_text(r)),
                          first_line(r.error)});
    }
    if (command == Command::Status) t = status_summary(reports);
    std::cout << "\n";
    print_table(std::cout, t);
    std::cout << reports.size() << " databases:";
    const char* sep = " ";
    for (const auto& [outcome, n] : counts) {
        std::cout << sep << n << ' ' << outcome_name(outcome);
        sep = ", ";
    }
    std::cout << std::endl;
}

void print_json(const std::vector<Report>& reports) {
    std::cout << "[";
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const Report& r = reports[i];
        std::cout << (i == 0 ? "\n" : ",\n") << "{\"database\": " << json_string(r.label)
                  << ", \"outcome\": " << json_string(std::string(outcome_name(r.outcome)))
                  << ", \"rows\": " << r.result.rows.size()
                  << ", \"duration_ms\": " << duration_text(r) << ", \"error\": "
                  << json_string(r.error.empty() ? std::nullopt : std::optional(r.error))
                  << ", \"sqlstate\": "
                  << json_string(r.sqlstate.empty() ? std::nullopt : std::optional(r.sqlstate))
                  << ", \"result\": " << json_rows(r.result) << "}";
    }
    std::cout << (reports.empty() ? "]" : "\n]") << std::endl;
}

}  // namespace

int run_fleet(const std::vector<DsnLine>& dsns, const Job& job) {
    const Options& o = job.options;
    std::vector<Report> reports(dsns.size());
    for (std::size_t i = 0; i < dsns.size(); ++i) reports[i].label = mask_dsn(dsns[i].dsn);

    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    const auto worker = [&] {
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= dsns.size()) return;
            // Under --fail-fast, or after Ctrl-C, the databases not started yet stay
            // "skipped".
            if (stop.load() || interrupted()) continue;
            // Nothing may escape a thread (that would end the process): under a memory
            // limit even the bookkeeping around a database can fail, and then that database
            // is reported failed while the others go on.
            try {
                const ProgressSink progress = progress_to_stderr("[" + reports[i].label + "] ");
                reports[i] = run_on_database(dsns[i].dsn, job, progress);
                if (!o.json) print_section(reports[i], progress);
                else if (!reports[i].error.empty()) progress(reports[i].error);
            } catch (const std::exception& e) {
                reports[i].outcome = Outcome::Failed;
                reports[i].error = e.what();
            }
            if (reports[i].outcome != Outcome::Ok && o.fail_fast) stop.store(true);
        }
    };

    // A libpq built without thread safety would share state between connections.
    std::size_t workers = PQisthreadsafe() ? static_cast<std::size_t>(o.jobs) : 1;
    workers = std::min(workers, dsns.size());
    std::vector<std::thread> threads;
    // Under an address-space limit, thread stacks are created until the limit is reached,
    // which would leave the workers no room for their own allocations. Space held back
    // while they are created, and given back after, is the room they work in.
    constexpr std::size_t headroom = 64u << 20;
    void* reserve = workers > 1 ? ::mmap(nullptr, headroom, PROT_NONE,
                                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                                : MAP_FAILED;
    for (std::size_t w = 1; w < workers; ++w) {
        try {
            threads.emplace_back(worker);
        } catch (const std::system_error& e) {
            // Under a memory or process limit: fewer workers, same work.
            progress_to_stderr("")("pg_migrate: warning: started " +
                                   std::to_string(threads.size() + 1) + " of " +
                                   std::to_string(workers) + " workers (" + e.what() + ")");
            break;
        }
    }
    if (reserve != MAP_FAILED) ::munmap(reserve, headroom);
    worker();
    for (auto& t : threads) t.join();

    with_stdout_lock([&] {
        if (o.json) print_json(reports);
        else print_summary(reports, o.command);
    });
    if (std::any_of(reports.begin(), reports.end(), [](const Report& r) { return r.outcome == Outcome::Unknown; }))
        return 3;
    if (interrupted()) return 130;
    const bool all_ok = std::all_of(reports.begin(), reports.end(),
                                    [](const Report& r) { return r.outcome == Outcome::Ok; });
    return all_ok ? 0 : 1;
}

}  // namespace ms::cli
