// pg_migrate: pushes a local migrations folder to servers running the migrations_schema
// extension and runs its functions there. The server does the migrating; this client only
// carries files and prints answers.
#include "cli/dsn.hpp"
#include "cli/file_commands.hpp"
#include "cli/fleet.hpp"
#include "cli/generate.hpp"
#include "cli/interrupt.hpp"
#include "cli/json.hpp"
#include "cli/options.hpp"
#include "cli/prompts.hpp"
#include "cli/push.hpp"
#include "cli/session.hpp"
#include "cli/status_summary.hpp"
#include "cli/table_printer.hpp"
#include "cli/waiting.hpp"
#include "core/base/failure.hpp"
#include "core/client/terminal_text.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using namespace ms::cli;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr int exit_interrupted = 130;

std::string json_error(const std::string& outcome, const std::string& error,
                       const std::optional<std::string>& database = std::nullopt,
                       const std::string& sqlstate = {}, const Table* result = nullptr) {
    std::string out = "{\"database\": " + json_string(database) +
                      ", \"outcome\": " + json_string(outcome) +
                      ", \"error\": " + json_string(error) + ", \"sqlstate\": " +
                      json_string(sqlstate.empty() ? std::nullopt : std::optional(sqlstate));
    if (result) out += ", \"result\": " + json_rows(*result);
    return out + "}";
}

void say(const std::string& message) {
    progress_to_stderr("")(message);
}

int usage_error(const std::string& message, bool json) {
    say("pg_migrate: " + message + "\nTry \"pg_migrate --help\" for usage.");
    if (json) std::cout << json_error("usage error", message) << std::endl;
    return exit_usage;
}

int folder_error(const ms::core::Failure& f, bool json) {
    std::string text = f.what();
    if (!f.detail().empty()) text += "\nDETAIL:  " + f.detail();
    if (!f.hint().empty()) text += "\nHINT:  " + f.hint();
    say("pg_migrate: " + text);
    if (json) std::cout << json_error("failed", text) << std::endl;
    return exit_failure;
}

int run_single(const Job& job) {
    const Options& o = job.options;
    const Report r = run_on_database(o.dsn, job, progress_to_stderr(""));
    std::string message = r.error;
    switch (r.outcome) {
    case Outcome::Unreachable:
        message = "pg_migrate: could not connect to " + r.label + ": " + r.error;
        break;
    case Outcome::NoExtension:
        message = "pg_migrate: " + r.label + ": no extension: " + r.error;
        break;
    case Outcome::Interrupted:
    case Outcome::ConnectionLost:
    case Outcome::Unknown:
        message = "pg_migrate: " + r.error;
        break;
    case Outcome::Ok:
        // after an interrupt, what a new connection found the server had done
        if (!message.empty()) message = "pg_migrate: " + message;
        break;
    default:
        break;
    }
    const bool printed_rows = r.outcome == Outcome::Ok || !r.result.columns.empty();
    if (o.json) {
        if (r.outcome == Outcome::Ok) std::cout << json_rows(r.result) << std::endl;
        else
            std::cout << json_error(outcome_name(r.outcome), r.error, r.label, r.sqlstate,
                                    printed_rows ? &r.result : nullptr)
                      << std::endl;
    } else if (printed_rows && r.outcome != Outcome::Interrupted) {
        // Validate's problems are printed even when they fail the command.
        print_table(std::cout, r.result);
        if (o.command == Command::Status)
            std::cout << summary_line(count_states(r.result)) << "\n";
        for (const auto& note : r.notes) std::cout << note << "\n";
    }
    if (!message.empty()) say(message);
    return exit_code(r.outcome);
}

bool drops_data_on_confirmation(const Options& o) {
    return (o.command == Command::Rollback || o.command == Command::Undo) && !o.dry_run &&
           !o.yes;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) throw UsageError("could not read \"" + path + "\"");
    return text.str();
}

int run(const std::vector<std::string>& args) {
    const bool json = wants_json(args);
    Options options;
    std::vector<DsnLine> dsns;
    std::optional<std::vector<ms::core::FolderMigration>> folder;
    try {
        options = parse_options(args);
        if (options.help) {
            std::cout << usage_text();
            return 0;
        }
        if (options.version_flag) {
            std::cout << "pg_migrate " PG_MIGRATE_VERSION "\n";
            return 0;
        }
        if (options.command == Command::New) return new_migration(options);
        if (options.command == Command::Convert) return convert_migrations(options);
        if (options.command == Command::Generate) return generate_migration_files(options);
        // lint FILE lints that file's text; lint DIR the folder's pending migrations.
        if (options.command == Command::Lint && options.dir &&
            std::filesystem::is_regular_file(*options.dir)) {
            options.lint_text = read_text_file(*options.dir);
            options.dir.reset();
        }
        // Read before connecting anywhere: a bad folder must not reach any database.
        if (options.dir) folder = load_folder(*options.dir);
        if (options.dsn_file) dsns = read_dsn_file(*options.dsn_file, !read_only(options));
    } catch (const UsageError& e) {
        return usage_error(e.what(), json);
    } catch (const ms::core::Failure& f) {
        return folder_error(f, json);
    }
    if (interrupted()) {
        say("pg_migrate: interrupted before connecting; nothing was sent");
        return exit_interrupted;
    }

    const bool terminal = isatty(STDIN_FILENO) != 0;
    if (options.dsn_file && terminal && drops_data_on_confirmation(options))
        return usage_error("a rollback over a fleet is not confirmed database by database: "
                           "check migrate_rollback_plan() and add --yes",
                           json);
    if (options.command == Command::Wait || options.wait_seconds) {
        const int waited = wait_for_servers(options, dsns);
        if (options.command == Command::Wait || waited != 0) return waited;
    }
    Job job{options, folder ? &*folder : nullptr};
    if (terminal && drops_data_on_confirmation(options)) job.confirm = ask_before_dropping;
    // As psql: a password is asked for on a terminal when the server wants one (-W: always,
    // -w: never); a fleet never asks, each of its databases has its own.
    if (terminal && !options.never_prompt && !options.dsn_file) job.ask_password = ask_password;
    // On a terminal one live line replaces a NOTICE per migration; -v keeps the stream.
    LiveProgress live;
    if (isatty(STDERR_FILENO) && !options.verbose && !options.json && !options.dsn_file)
        job.live = &live;
    return options.dsn_file ? run_fleet(dsns, job) : run_single(job);
}

// Passwords live in this process (arguments, environment, DSN files): it must never leave
// them in a core file, whatever ends it.
void refuse_core_dumps() {
    const rlimit none{0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

// glibc gives each thread that allocates an arena of its own, reserving 64 MiB of address
// space apiece: under a memory limit, a fleet's threads would exhaust it with reservations
// and fail allocations that the work needs. The threads mostly wait on the network; one
// shared arena costs them nothing.
void share_malloc_arenas() {
    mallopt(M_ARENA_MAX, 1);
}

// Threads here run libpq and little else: 2 MiB of stack is plenty, and a fleet of them
// under a memory limit reserves a quarter of what the 8 MiB default would.
void small_thread_stacks() {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return;
    if (pthread_attr_setstacksize(&attr, 2u << 20) == 0) pthread_setattr_default_np(&attr);
    pthread_attr_destroy(&attr);
}

// A connection string on the command line is readable by every user of the machine (ps,
// /proc/PID/cmdline) for as long as the process runs. Once copied, each one is overwritten
// in place with its masked form, so that a password shows at most for the first moments.
// (PGPASSWORD, ~/.pgpass or a DSN file keep it off the command line altogether.)
void scrub_arguments(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const std::string shown = shown_argument(arg);
        if (shown == arg) continue;
        const std::size_t room = arg.size();
        std::fill(argv[i], argv[i] + room, '\0');
        std::copy_n(shown.begin(), std::min(room, shown.size()), argv[i]);
    }
}

}  // namespace

int main(int argc, char** argv) {
    refuse_core_dumps();
    share_malloc_arenas();
    small_thread_stacks();
    install_signal_handlers();
    const std::vector<std::string> args(argv + 1, argv + argc);
    scrub_arguments(argc, argv);
    int status;
    try {
        status = run(args);
    } catch (const std::exception& e) {
        say(std::string("pg_migrate: ") + e.what());
        status = exit_failure;
    }
    // With SIGPIPE ignored, a reader that went away (| head) shows up here: the work was
    // done, its output was not delivered.
    std::cout.flush();
    if (!std::cout) {
        say("pg_migrate: could not write the output to stdout (the reader closed it?); "
            "the command itself ran to its end");
        if (status == 0) status = exit_failure;
    }
    return status;
}
