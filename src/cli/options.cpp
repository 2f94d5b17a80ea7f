#include "cli/options.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace ms::cli {

namespace {

// Which SQL parameters each command has: an option the command would silently ignore is
// refused, so that `apply --steps 2` cannot be mistaken for a partial apply.
enum Param : unsigned {
    P_TARGET = 1u << 0,
    P_STEPS = 1u << 1,
    P_EVERYTHING = 1u << 2,
    P_DRY_RUN = 1u << 3,
    P_OUT_OF_ORDER = 1u << 4,
};

unsigned params_of(Command c) {
    switch (c) {
    case Command::Apply:
        return P_TARGET | P_DRY_RUN | P_OUT_OF_ORDER;
    case Command::Run:
    case Command::Test:
        return P_TARGET;
    case Command::Rollback:
        return P_TARGET | P_STEPS | P_EVERYTHING | P_DRY_RUN;
    case Command::Push:
    case Command::Status:
    case Command::Validate:
        return 0;
    }
    return 0;
}

std::optional<Command> parse_command(const std::string& word) {
    if (word == "push") return Command::Push;
    if (word == "apply") return Command::Apply;
    if (word == "run") return Command::Run;
    if (word == "status") return Command::Status;
    if (word == "rollback") return Command::Rollback;
    if (word == "validate") return Command::Validate;
    if (word == "test") return Command::Test;
    return std::nullopt;
}

int parse_int(const std::string& option, const std::string& text, int min) {
    errno = 0;
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE || value < min || value > INT_MAX)
        throw UsageError(option + " needs a whole number of at least " + std::to_string(min) +
                         ", not \"" + text + "\"");
    return static_cast<int>(value);
}

}  // namespace

const char* command_name(Command c) noexcept {
    switch (c) {
    case Command::Push: return "push";
    case Command::Apply: return "apply";
    case Command::Run: return "run";
    case Command::Status: return "status";
    case Command::Rollback: return "rollback";
    case Command::Validate: return "validate";
    case Command::Test: return "test";
    }
    return "?";
}

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    std::vector<std::string> positional;
    unsigned given = 0;
    bool jobs_given = false;
    bool options_done = false;

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        std::string name = arg;
        std::optional<std::string> inline_value;
        if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = arg.substr(0, eq);
            inline_value = arg.substr(eq + 1);
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
            return args[++i];
        };
        auto flag = [&]() {
            if (inline_value) throw UsageError(name + " takes no value");
            return true;
        };

        if (name == "--help" || name == "-h") o.help = flag();
        else if (name == "--project") o.project = value();
        else if (name == "--target") o.target = value(), given |= P_TARGET;
        else if (name == "--steps") o.steps = parse_int(name, value(), 1), given |= P_STEPS;
        else if (name == "--everything") o.everything = flag(), given |= P_EVERYTHING;
        else if (name == "--dry-run") o.dry_run = flag(), given |= P_DRY_RUN;
        else if (name == "--out-of-order") o.out_of_order = flag(), given |= P_OUT_OF_ORDER;
        else if (name == "--json") o.json = flag();
        else if (name == "--dsn") o.dsn = value();
        else if (name == "--dsn-file") o.dsn_file = value();
        else if (name == "--jobs" || name == "-j")
            o.jobs = parse_int(name, value(), 1), jobs_given = true;
        else if (name == "--fail-fast") o.fail_fast = flag();
        else throw UsageError("unknown option \"" + arg + "\"");
    }
    if (o.help)
        return o;

    if (positional.empty())
        throw UsageError("no command given");
    const auto command = parse_command(positional[0]);
    if (!command)
        throw UsageError("unknown command \"" + positional[0] + "\"");
    o.command = *command;
    if (positional.size() > 2)
        throw UsageError("unexpected argument \"" + positional[2] + "\"");
    if (positional.size() == 2)
        o.dir = positional[1];
    if (o.command == Command::Push && !o.dir)
        throw UsageError("push needs a migrations folder");

    if (const unsigned stray = given & ~params_of(o.command)) {
        const char* which = (stray & P_TARGET) ? "--target"
                            : (stray & P_STEPS) ? "--steps"
                            : (stray & P_EVERYTHING) ? "--everything"
                            : (stray & P_DRY_RUN) ? "--dry-run"
                                                  : "--out-of-order";
        throw UsageError(std::string(which) + " does not apply to " + command_name(o.command));
    }
    if (o.dsn && o.dsn_file)
        throw UsageError("--dsn and --dsn-file exclude each other");
    if ((jobs_given || o.fail_fast) && !o.dsn_file)
        throw UsageError("--jobs and --fail-fast need --dsn-file");
    return o;
}

const char* usage_text() noexcept {
    return R"(pg_migrate: schema migrations for servers running the migrations_schema extension.

Usage:
  pg_migrate push DIR [options]         register every migration of a local folder
  pg_migrate apply [options] [DIR]      migrate_apply(): all pending, in one transaction
  pg_migrate run [options] [DIR]        CALL migrate_run(): one transaction per migration
  pg_migrate status [options] [DIR]     migrate_status()
  pg_migrate rollback [options] [DIR]   migrate_rollback()
  pg_migrate validate [options] [DIR]   migrate_validate(); exits 1 if it reports an error
  pg_migrate test [options] [DIR]       migrate_test(): up, down, up again of every pending
                                        migration, rolled back; exits 1 unless all reversible

With DIR, the folder is pushed (in one transaction, committed) before the command runs.

Migration options (as the SQL parameters of the same names):
  --project NAME        project (push, apply, run, rollback, test: 'default';
                        status, validate: all)
  --target VERSION      apply, run, test: up to and including; rollback: down to (stays
                        applied)
  --steps N             rollback: how many (default 1)
  --everything          rollback: all of them
  --dry-run             apply, rollback: run everything, then roll it back
  --out-of-order        apply: allow pending migrations older than the newest applied

Output:
  --json                a JSON array of objects, one per row (values are strings or null)

Connection (libpq conventions):
  --dsn STRING          a connection string or URI; without it PGHOST, PGPORT, PGUSER,
                        PGDATABASE, PGPASSWORD, ~/.pgpass and PGSERVICE apply
  --dsn-file FILE       run against every database listed (one connection string per line;
                        blank lines and # comments are ignored), then print a summary
  --jobs N, -j N        with --dsn-file: at most N databases at once (default 1)
  --fail-fast           with --dsn-file: start no new database after the first that fails

  --help, -h            this text

Exit status: 0 success; 1 a migration failed (an SQL error from the command, a bad folder,
or, with --dsn-file, any database that is not ok); 2 usage error, connection failure or a
database without the extension.
)";
}

}  // namespace ms::cli
