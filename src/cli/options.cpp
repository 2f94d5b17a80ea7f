#include "cli/options.hpp"

#include "cli/dsn.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>

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
    P_YES = 1u << 5,
    P_PRUNE = 1u << 6,
};

// A version as people type it ("003", "1.2", "20240101120000"): what `rollback 003` means
// when there is no folder of that name.
bool looks_like_version(const std::string& word) {
    return !word.empty() && word.find_first_not_of("0123456789._") == std::string::npos &&
           std::isdigit(static_cast<unsigned char>(word[0]));
}

unsigned params_of(Command c) {
    switch (c) {
    case Command::Apply:
        return P_TARGET | P_DRY_RUN | P_OUT_OF_ORDER | P_PRUNE;
    case Command::Run:
        return P_TARGET | P_PRUNE;
    case Command::Test:
        return P_TARGET;
    case Command::Rollback:
        return P_TARGET | P_STEPS | P_EVERYTHING | P_DRY_RUN | P_YES;
    case Command::Undo:
        return P_DRY_RUN | P_OUT_OF_ORDER | P_YES;
    case Command::Push:
        return P_PRUNE;
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
    if (word == "undo") return Command::Undo;
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
                         ", not \"" + shown_argument(text) + "\"");
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
    case Command::Undo: return "undo";
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
    std::vector<std::string> seen;

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
        } else if (arg.size() > 2 && arg[0] == '-' && arg[1] == 'j') {
            name = "-j";  // -j4, as make and pg_restore spell it
            inline_value = arg.substr(2);
        }
        // Given twice, an option would silently mean its last spelling: a second --dsn in
        // a deploy script must not redirect the migration without anyone noticing.
        const std::string canonical = name == "-j"   ? "--jobs"
                                      : name == "-h" ? "--help"
                                      : name == "-y" ? "--yes"
                                                     : name;
        if (std::find(seen.begin(), seen.end(), canonical) != seen.end())
            throw UsageError(canonical + " is given more than once");
        seen.push_back(canonical);
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
        else if (name == "--yes" || name == "-y") o.yes = flag(), given |= P_YES;
        else if (name == "--prune") o.prune = flag(), given |= P_PRUNE;
        else if (name == "--json") o.json = flag();
        else if (name == "--dsn") o.dsn = value();
        else if (name == "--dsn-file") o.dsn_file = value();
        else if (name == "--jobs" || name == "-j")
            o.jobs = parse_int(name, value(), 1), jobs_given = true;
        else if (name == "--fail-fast") o.fail_fast = flag();
        else if (name == "--connect-timeout") o.connect_timeout = parse_int(name, value(), 1);
        else if (name == "--lock-timeout") o.lock_timeout = value();
        else if (name == "--statement-timeout") o.statement_timeout = value();
        else throw UsageError("unknown option \"" + shown_argument(arg) + "\"");
    }
    if (o.help)
        return o;

    if (positional.empty())
        throw UsageError("no command given");
    const auto command = parse_command(positional[0]);
    if (!command)
        throw UsageError("unknown command \"" + shown_argument(positional[0]) + "\"");
    o.command = *command;
    std::size_t next = 1;
    if (o.command == Command::Undo) {
        if (positional.size() < 2)
            throw UsageError("undo needs the version to undo (pg_migrate undo 003)");
        o.version = positional[next++];
    }
    if (positional.size() > next + 1)
        throw UsageError("unexpected argument \"" + shown_argument(positional[next + 1]) + "\"");
    if (positional.size() == next + 1)
        o.dir = positional[next];
    if (o.command == Command::Push && !o.dir)
        throw UsageError("push needs a migrations folder");
    // "rollback 003" means "undo 003" to most people and "down to 003" to others; a folder
    // named 003 would be a third reading. Without such a folder, say which is which.
    if (o.command == Command::Rollback && o.dir && looks_like_version(*o.dir) &&
        !std::filesystem::is_directory(*o.dir))
        throw UsageError("\"" + *o.dir + "\" is not a folder. To undo migration " + *o.dir +
                         " alone: pg_migrate undo " + *o.dir + "; to roll back the migrations "
                         "after it (it stays applied): pg_migrate rollback --target " + *o.dir);
    if (o.prune && !o.dir)
        throw UsageError("--prune needs a migrations folder to compare the registry with");

    if (const unsigned stray = given & ~params_of(o.command)) {
        const char* which = (stray & P_TARGET)       ? "--target"
                            : (stray & P_STEPS)      ? "--steps"
                            : (stray & P_EVERYTHING) ? "--everything"
                            : (stray & P_DRY_RUN)    ? "--dry-run"
                            : (stray & P_YES)        ? "--yes"
                            : (stray & P_PRUNE)      ? "--prune"
                                                     : "--out-of-order";
        throw UsageError(std::string(which) + " does not apply to " + command_name(o.command));
    }
    // Each names a different end point; together one of them would be ignored.
    const int endpoints = ((given & P_TARGET) != 0) + ((given & P_STEPS) != 0) +
                          ((given & P_EVERYTHING) != 0);
    if (endpoints > 1)
        throw UsageError("--target, --steps and --everything exclude each other");
    if (o.dsn && o.dsn_file)
        throw UsageError("--dsn and --dsn-file exclude each other");
    if ((jobs_given || o.fail_fast) && !o.dsn_file)
        throw UsageError("--jobs and --fail-fast need --dsn-file");
    return o;
}

bool wants_json(const std::vector<std::string>& args) {
    for (const auto& a : args) {
        if (a == "--") return false;
        if (a == "--json") return true;
    }
    return false;
}

const char* usage_text() noexcept {
    return R"(pg_migrate: schema migrations for servers running the migrations_schema extension.

Usage:
  pg_migrate push DIR [options]         register every migration of a local folder
  pg_migrate apply [options] [DIR]      migrate_apply(): all pending, in one transaction
  pg_migrate run [options] [DIR]        CALL migrate_run(): one transaction per migration
  pg_migrate status [options] [DIR]     migrate_status()
  pg_migrate rollback [options] [DIR]   CALL migrate_run_rollback(): the newest migrations'
                                        down scripts, one transaction each (--dry-run:
                                        migrate_rollback() in a rolled-back transaction)
  pg_migrate undo VERSION [options] [DIR]
                                        exactly that migration's down script
  pg_migrate validate [options] [DIR]   migrate_validate(); exits 1 if it reports an error
  pg_migrate test [options] [DIR]       migrate_test(): up, down, up again of every pending
                                        migration, rolled back; exits 1 unless all reversible

With DIR, the folder is pushed (in one transaction, committed) before the command runs.

Migration options (as the SQL parameters of the same names):
  --project NAME        project (push, apply, run, rollback, test: 'default';
                        status, validate: all)
  --target VERSION      apply, run, test: up to and including; rollback: down to (stays
                        applied; to undo one version, use undo)
  --steps N             rollback: how many (default 1)
  --everything          rollback: all of them
  --dry-run             apply, rollback: run everything, then roll it back
  --out-of-order        apply: allow pending migrations older than the newest applied;
                        undo: allow undoing one below the newest applied
  --yes, -y             rollback, undo: do not ask before down scripts that drop data
                        (asked only when stdin is a terminal)
  --prune               push, apply, run: unregister the pending migrations the folder no
                        longer has (never applied ones)

Output:
  --json                a JSON array of objects, one per row (values are strings or null)

Connection (libpq conventions):
  --dsn STRING          a connection string or URI; without it PGHOST, PGPORT, PGUSER,
                        PGDATABASE, PGPASSWORD, ~/.pgpass and PGSERVICE apply
  --dsn-file FILE       run against every database listed (one connection string per line;
                        blank lines and # comments are ignored), then print a summary
  --jobs N, -j N        with --dsn-file: at most N databases at once (default 1)
  --fail-fast           with --dsn-file: start no new database after the first that fails
  --connect-timeout S   give up connecting after S seconds (default: the DSN's
                        connect_timeout, else PGCONNECT_TIMEOUT, else 10)

Timeouts (values as the server reads them: 500ms, 5s, 1min):
  --lock-timeout T      run: migrations_schema.lock_timeout (each migration's lock waits,
                        retried); other commands: the session's lock_timeout
  --statement-timeout T run: migrations_schema.statement_timeout (each statement of a
                        migration); other commands: the session's statement_timeout

  --help, -h            this text

Ctrl-C (or SIGTERM) asks the server to cancel the running statement and stops before the
next one; a second one quits at once. Read-only commands (status, validate, test, and
--dry-run) given a folder compare it with the registry without writing: the folder is
registered in a transaction that is rolled back, and the differences are reported.

Exit status: 0 success; 1 a migration failed (an SQL error from the command, a bad folder,
or, with --dsn-file, any database that is not ok); 2 usage error, connection failure, a
connection lost during the command, or a database without the extension; 130 interrupted.
)";
}

}  // namespace ms::cli
