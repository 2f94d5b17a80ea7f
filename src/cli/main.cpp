// pg_migrate: pushes a local migrations folder to servers running the migrations_schema
// extension and runs its functions there. The server does the migrating; this client only
// carries files and prints answers.
#include "cli/dsn.hpp"
#include "cli/fleet.hpp"
#include "cli/interrupt.hpp"
#include "cli/json.hpp"
#include "cli/options.hpp"
#include "cli/push.hpp"
#include "cli/session.hpp"
#include "cli/table_printer.hpp"
#include "core/failure.hpp"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace ms::cli;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

int usage_error(const std::string& message) {
    std::cerr << "pg_migrate: " << message << "\nTry \"pg_migrate --help\" for usage.\n";
    return exit_usage;
}

int folder_error(const ms::core::Failure& f) {
    std::cerr << "pg_migrate: " << f.what() << "\n";
    if (!f.detail().empty()) std::cerr << "DETAIL:  " << f.detail() << "\n";
    if (!f.hint().empty()) std::cerr << "HINT:  " << f.hint() << "\n";
    return exit_failure;
}

int run_single(const Job& job) {
    const Options& o = job.options;
    const Report r = run_on_database(o.dsn, job, progress_to_stderr(""));
    switch (r.outcome) {
    case Outcome::Unreachable:
        std::cerr << "pg_migrate: could not connect to " << r.label << ": " << r.error << "\n";
        break;
    case Outcome::NoExtension:
        std::cerr << "pg_migrate: " << r.label << ": no extension: " << r.error << "\n";
        break;
    default:
        // Validate's problems are printed even when they fail the command.
        if (o.json) {
            if (r.outcome == Outcome::Ok || !r.result.columns.empty())
                std::cout << json_rows(r.result) << std::endl;
        } else {
            print_table(std::cout, r.result);
        }
        if (!r.error.empty()) std::cerr << r.error << "\n";
    }
    return exit_code(r.outcome);
}

int run(const std::vector<std::string>& args) {
    Options options;
    std::vector<std::string> dsns;
    std::optional<std::vector<ms::core::FolderMigration>> folder;
    try {
        options = parse_options(args);
        if (options.help) {
            std::cout << usage_text();
            return 0;
        }
        // Read before connecting anywhere: a bad folder must not reach any database.
        if (options.dir) folder = load_folder(*options.dir);
        if (options.dsn_file) dsns = read_dsn_file(*options.dsn_file);
    } catch (const UsageError& e) {
        return usage_error(e.what());
    } catch (const ms::core::Failure& f) {
        return folder_error(f);
    }

    const Job job{options, folder ? &*folder : nullptr};
    return options.dsn_file ? run_fleet(dsns, job) : run_single(job);
}

}  // namespace

int main(int argc, char** argv) {
    ms::cli::install_interrupt_handler();
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "pg_migrate: " << e.what() << "\n";
        return exit_failure;
    }
}
