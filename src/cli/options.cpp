#include "cli/options.hpp"

#include "cli/dsn.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <regex>

namespace ms::cli {

namespace {

// Options that only some commands have: one a command would silently ignore is refused, so
// that `apply --steps 2` cannot be mistaken for a partial apply.
enum Param : unsigned {
    P_TARGET = 1u << 0,
    P_STEPS = 1u << 1,
    P_EVERYTHING = 1u << 2,
    P_DRY_RUN = 1u << 3,
    P_OUT_OF_ORDER = 1u << 4,
    P_YES = 1u << 5,
    P_PRUNE = 1u << 6,
    P_STOP_ON_DRIFT = 1u << 7,
    P_SOURCE_SCHEMA = 1u << 8,
    P_LAYOUT = 1u << 9,
    P_TIMEOUT = 1u << 10,
    P_DESIRED = 1u << 11,
    P_NO_ONLINE = 1u << 12,
    P_RENAME = 1u << 13,
    P_FORCE = 1u << 14,
};

const std::pair<Param, const char*> param_names[] = {
    {P_TARGET, "--target"},       {P_STEPS, "--steps"},
    {P_EVERYTHING, "--everything"}, {P_DRY_RUN, "--dry-run"},
    {P_OUT_OF_ORDER, "--out-of-order"}, {P_YES, "--yes"},
    {P_PRUNE, "--prune"},         {P_STOP_ON_DRIFT, "--stop-on-drift"},
    {P_SOURCE_SCHEMA, "--source-schema"}, {P_LAYOUT, "--layout"},
    {P_TIMEOUT, "--timeout"},     {P_DESIRED, "--desired"},
    {P_NO_ONLINE, "--no-online"}, {P_RENAME, "--rename"},
    {P_FORCE, "--force"},
};

// What a command reads from its positional arguments, in order.
enum class Arg { Dir, Version, Source, Name, Tool, Dest };

struct CommandSpec {
    Command command;
    const char* word;
    std::vector<Arg> required;
    bool optional_dir;  // a last, optional DIR (lint: DIR or FILE)
    unsigned params;
    const char* usage;  // arguments, for the help
    const char* summary;
};

const std::vector<CommandSpec>& commands() {
    static const std::vector<CommandSpec> table = {
        {Command::Push, "push", {Arg::Dir}, false, P_PRUNE, "DIR",
         "register every migration of a local folder, in one transaction"},
        {Command::Apply, "apply", {}, true, P_TARGET | P_DRY_RUN | P_OUT_OF_ORDER | P_PRUNE |
                                                P_STOP_ON_DRIFT,
         "[DIR]", "migrate_apply(): all pending, in one transaction"},
        {Command::Run, "run", {}, true, P_TARGET | P_OUT_OF_ORDER | P_PRUNE | P_STOP_ON_DRIFT, "[DIR]",
         "CALL migrate_run(): one transaction per migration"},
        {Command::Start, "start", {}, true, 0, "[DIR]",
         "CALL migrate_start(): expand the next expand and contract migration, backfill, "
         "and show both versions with the backfill's progress"},
        {Command::Complete, "complete", {}, false, 0, "",
         "CALL migrate_complete(): contract; refused while the old version's clients are "
         "connected"},
        {Command::Abort, "abort", {}, false, 0, "",
         "CALL migrate_abort(): remove what start added"},
        {Command::Status, "status", {}, true, 0, "[DIR]",
         "migrate_status(), and a one-line summary"},
        {Command::Rollback, "rollback", {}, true,
         P_TARGET | P_STEPS | P_EVERYTHING | P_DRY_RUN | P_YES, "[DIR]",
         "CALL migrate_run_rollback(): the newest migrations' down scripts"},
        {Command::Undo, "undo", {Arg::Version}, true, P_DRY_RUN | P_OUT_OF_ORDER | P_YES | P_FORCE,
         "VERSION [DIR]", "exactly that migration's down script"},
        {Command::Validate, "validate", {}, true, 0, "[DIR]",
         "migrate_validate(); exits 1 if it reports an error"},
        {Command::Test, "test", {}, true, P_TARGET, "[DIR]",
         "migrate_test(): up, down, up again, rolled back; exits 1 unless all reversible"},
        {Command::Lint, "lint", {}, true, 0, "[DIR|FILE]",
         "migrate_lint() of a file, or of the pending migrations; exits 1 on an error"},
        {Command::Drift, "drift", {}, false, 0, "", "migrate_drift(); exits 1 if it finds any"},
        {Command::History, "history", {}, false, 0, "", "migrate_history()"},
        {Command::Baseline, "baseline", {Arg::Version}, true, 0, "VERSION [DIR]",
         "migrate_baseline(): mark everything up to VERSION applied"},
        {Command::Import, "import", {Arg::Source}, true, P_SOURCE_SCHEMA, "SOURCE [DIR]",
         "migrate_import(): take over another tool's records (flyway, golang-migrate, ...)"},
        {Command::Repair, "repair", {}, false, 0, "", "migrate_repair()"},
        {Command::Verify, "verify", {}, false, 0, "",
         "migrate_verify(): run verify scripts again; exits 1 unless all pass"},
        {Command::Unregister, "unregister", {Arg::Version}, false, 0, "VERSION",
         "migrate_unregister(): forget a pending or failed migration"},
        {Command::Fingerprint, "fingerprint", {}, false, 0, "", "migrate_schema_fingerprint()"},
        {Command::Hash, "hash", {}, false, 0, "", "migrate_schema_hash()"},
        {Command::New, "new", {Arg::Name}, true, P_LAYOUT, "NAME [DIR]",
         "write the next migration's up and down files in the folder's layout"},
        {Command::Generate, "generate", {Arg::Name}, true, P_LAYOUT | P_DESIRED | P_NO_ONLINE | P_RENAME,
         "NAME --desired PATH|DSN [DIR]",
         "write the migration from the database's schema to the desired one (a schema file "
         "or folder, a migrations folder, or a database), up and down"},
        {Command::Convert, "convert", {Arg::Tool, Arg::Dir, Arg::Dest}, false, 0,
         "typeorm SRC DEST", "write SQL migrations from TypeORM migration classes"},
        {Command::Wait, "wait", {}, false, P_TIMEOUT, "",
         "wait until the server accepts connections (--timeout S, default 60)"},
    };
    return table;
}

const CommandSpec* spec_of(const std::string& word) {
    for (const auto& s : commands())
        if (word == s.word) return &s;
    if (word == "create") return spec_of("new");  // golang-migrate's and typeorm's word
    return nullptr;
}

const CommandSpec& spec_of(Command c) {
    for (const auto& s : commands())
        if (s.command == c) return s;
    return commands().front();
}

// A version as people type it ("003", "1.2", "20240101120000"): what `rollback 003` means
// when there is no folder of that name.
bool looks_like_version(const std::string& word) {
    return !word.empty() && word.find_first_not_of("0123456789._") == std::string::npos &&
           std::isdigit(static_cast<unsigned char>(word[0]));
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

// A timeout as the server reads it, with its unit: a bare "5" would be 5 ms to the server,
// which nobody typing it means. 0 (no timeout) needs none.
std::string duration(const std::string& option, const std::string& text) {
    static const std::regex form(R"(\s*([0-9]+)\s*(us|ms|s|min|h|d)?\s*)");
    std::smatch m;
    if (!std::regex_match(text, m, form))
        throw UsageError(option + " needs a duration such as 500ms, 5s or 1min, not \"" + shown_argument(text) +
                         "\"");
    if (!m[2].matched && m[1].str().find_first_not_of('0') != std::string::npos)
        throw UsageError(option + " needs a unit: " + m[1].str() + "ms, " + m[1].str() + "s or " + m[1].str() +
                         "min (the server would read a bare " + m[1].str() + " as milliseconds)");
    return m[1].str() + m[2].str();
}

void take_positionals(Options& o, const CommandSpec& spec, const std::vector<std::string>& words) {
    std::size_t next = 1;
    for (const Arg a : spec.required) {
        if (next >= words.size())
            throw UsageError(std::string(spec.word) + " needs " +
                             (spec.usage[0] ? spec.usage : "no argument") + " (pg_migrate " +
                             spec.word + " " + spec.usage + ")");
        const std::string& w = words[next++];
        switch (a) {
        case Arg::Dir: o.dir = w; break;
        case Arg::Version: o.version = w; break;
        case Arg::Source: o.source = w; break;
        case Arg::Name: o.name = w; break;
        case Arg::Tool: o.from = w; break;
        case Arg::Dest: o.dest = w; break;
        }
    }
    if (spec.optional_dir && next < words.size()) o.dir = words[next++];
    if (next < words.size())
        throw UsageError("unexpected argument \"" + shown_argument(words[next]) + "\"");
}

}  // namespace

const char* command_name(Command c) noexcept {
    return spec_of(c).word;
}

bool needs_database(Command c) noexcept {
    return c != Command::New && c != Command::Convert;
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
                                      : name == "-v" ? "--verbose"
                                                     : name;
        // --rename is the one option that is a list: each names another object.
        if (canonical != "--rename" && std::find(seen.begin(), seen.end(), canonical) != seen.end())
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
        else if (name == "--version") o.version_flag = flag();
        else if (name == "--project") o.project = value();
        else if (name == "--target") o.target = value(), given |= P_TARGET;
        else if (name == "--steps") o.steps = parse_int(name, value(), 1), given |= P_STEPS;
        else if (name == "--everything") o.everything = flag(), given |= P_EVERYTHING;
        else if (name == "--dry-run") o.dry_run = flag(), given |= P_DRY_RUN;
        else if (name == "--out-of-order") o.out_of_order = flag(), given |= P_OUT_OF_ORDER;
        else if (name == "--force") o.force = flag(), given |= P_FORCE;
        else if (name == "--yes" || name == "-y") o.yes = flag(), given |= P_YES;
        else if (name == "--prune") o.prune = flag(), given |= P_PRUNE;
        else if (name == "--stop-on-drift") o.stop_on_drift = flag(), given |= P_STOP_ON_DRIFT;
        else if (name == "--source-schema") o.source_schema = value(), given |= P_SOURCE_SCHEMA;
        else if (name == "--layout") o.layout = value(), given |= P_LAYOUT;
        else if (name == "--desired") o.desired = value(), given |= P_DESIRED;
        else if (name == "--no-online") o.online = !flag(), given |= P_NO_ONLINE;
        else if (name == "--rename") {
            const std::string r = value();
            const auto eq = r.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == r.size())
                throw UsageError("--rename needs old=new (schema.table or schema.table.column), not \"" +
                                 shown_argument(r) + "\"");
            o.renames.push_back(r);
            given |= P_RENAME;
        }
        else if (name == "--timeout") o.wait_seconds = parse_int(name, value(), 1), given |= P_TIMEOUT;
        else if (name == "--wait") {
            // --wait=5 and --wait 5 alike; a bare --wait waits the default 60 s.
            const bool number_follows = !inline_value && i + 1 < args.size() && !args[i + 1].empty() &&
                                        args[i + 1].find_first_not_of("0123456789") == std::string::npos;
            if (number_follows) inline_value = args[++i];
            o.wait_seconds = inline_value ? parse_int(name, *inline_value, 1) : 60;
        }
        else if (name == "--verbose" || name == "-v") o.verbose = flag();
        else if (name == "--json") o.json = flag();
        else if (name == "--dsn") o.dsn = value();
        else if (name == "--dsn-file") o.dsn_file = value();
        else if (name == "--jobs" || name == "-j")
            o.jobs = parse_int(name, value(), 1), jobs_given = true;
        else if (name == "--fail-fast") o.fail_fast = flag();
        else if (name == "--connect-timeout") o.connect_timeout = parse_int(name, value(), 1);
        else if (name == "--lock-timeout") o.lock_timeout = duration(name, value());
        else if (name == "--statement-timeout") o.statement_timeout = duration(name, value());
        else if (name == "--password" || name == "-W") o.force_password_prompt = flag();
        else if (name == "--no-password" || name == "-w") o.never_prompt = flag();
        else throw UsageError("unknown option \"" + shown_argument(arg) + "\"");
    }
    if (o.help || o.version_flag)
        return o;

    if (positional.empty())
        throw UsageError("no command given");
    const CommandSpec* spec = spec_of(positional[0]);
    if (spec == nullptr)
        throw UsageError("unknown command \"" + shown_argument(positional[0]) + "\"");
    o.command = spec->command;
    take_positionals(o, *spec, positional);

    // "rollback 003" means "undo 003" to most people and "down to 003" to others; a folder
    // named 003 would be a third reading. Without such a folder, say which is which.
    if (o.command == Command::Rollback && o.dir && looks_like_version(*o.dir) &&
        !std::filesystem::is_directory(*o.dir))
        throw UsageError("\"" + *o.dir + "\" is not a folder. To undo migration " + *o.dir +
                         " alone: pg_migrate undo " + *o.dir + "; to roll back the migrations "
                         "after it (it stays applied): pg_migrate rollback --target " + *o.dir);
    if (o.prune && !o.dir)
        throw UsageError("--prune needs a migrations folder to compare the registry with");
    if (o.command == Command::Generate && !o.desired)
        throw UsageError("generate needs --desired: a schema file or folder, a migrations folder, "
                         "or the connection string of a database with the desired schema");
    if (o.command == Command::Generate && o.dsn_file)
        throw UsageError("generate writes one migration from one database's schema: give --dsn, "
                         "not --dsn-file");
    if (o.json && (o.command == Command::Generate || o.command == Command::New ||
                   o.command == Command::Convert || o.command == Command::Wait))
        throw UsageError(std::string("--json does not apply to ") + spec->word +
                         ": it prints the paths it writes (or nothing), one a line");
    if (o.command == Command::Convert && o.from != std::string("typeorm"))
        throw UsageError("convert knows typeorm, not \"" + shown_argument(*o.from) + "\"");

    if (const unsigned stray = given & ~spec->params)
        for (const auto& [bit, option] : param_names)
            if (stray & bit)
                throw UsageError(std::string(option) + " does not apply to " + spec->word);
    // Each names a different end point; together one of them would be ignored.
    const int endpoints = ((given & P_TARGET) != 0) + ((given & P_STEPS) != 0) +
                          ((given & P_EVERYTHING) != 0);
    if (endpoints > 1)
        throw UsageError("--target, --steps and --everything exclude each other");
    if (o.dsn && o.dsn_file)
        throw UsageError("--dsn and --dsn-file exclude each other");
    if ((jobs_given || o.fail_fast) && !o.dsn_file)
        throw UsageError("--jobs and --fail-fast need --dsn-file");
    if (o.force_password_prompt && o.never_prompt)
        throw UsageError("-W and -w exclude each other");
    if (!needs_database(o.command) && (o.dsn || o.dsn_file))
        throw UsageError(std::string(spec->word) + " works on files only; it takes no --dsn");
    return o;
}

bool wants_json(const std::vector<std::string>& args) {
    for (const auto& a : args) {
        if (a == "--") return false;
        if (a == "--json") return true;
    }
    return false;
}

std::string usage_text() {
    std::string text =
        "pg_migrate: schema migrations for servers running the migrations_schema extension.\n\n"
        "Usage:\n";
    for (const auto& s : commands()) {
        std::string line = std::string("  pg_migrate ") + s.word + (s.usage[0] ? " " : "") + s.usage;
        if (line.size() < 40) line.append(40 - line.size(), ' ');
        else line += "\n" + std::string(40, ' ');
        text += line + s.summary + "\n";
    }
    text += R"(
With DIR, apply, run, rollback, undo, baseline and import push the folder (committed) first;
status, validate, test, lint and --dry-run compare it with the registry without writing: the
folder is registered in a transaction that is rolled back, and the differences are reported.

Migration options (as the SQL parameters of the same names):
  --project NAME        project (default 'default'; status, validate, history, drift: all)
  --target VERSION      apply, run, test: up to and including; rollback: down to (stays
                        applied; to undo one version, use undo)
  --steps N             rollback: how many (default 1)
  --everything          rollback: all of them
  --dry-run             apply, rollback, undo: rehearse everything, then roll it back
  --out-of-order        apply: allow pending migrations older than the newest applied;
                        undo: allow undoing one below the newest applied
  --force               undo --out-of-order: go ahead although the down script also drops
                        what later migrations made (named in a warning)
  --yes, -y             rollback, undo: do not ask before down scripts that drop data
                        (asked only when stdin is a terminal)
  --prune               push, apply, run: unregister the pending migrations the folder no
                        longer has (never applied ones)
  --stop-on-drift       apply, run: refuse a database whose schema changed outside
                        migrations (migrate_drift)
  --source-schema NAME  import: where the other tool's table is
  --layout NAME         new, generate: numbered, golang-migrate, flyway or diesel (needed
                        for a folder without migrations yet)
  --desired PATH|DSN    generate: the schema wanted: a .sql file or a folder of them, a
                        migrations folder (its end state), or a database's connection
                        string; files are built in a scratch database made from template0
                        on the target's server and dropped afterwards
  --no-online           generate: plain CREATE INDEX and constraints validated at once (for
                        empty databases) instead of CONCURRENTLY and NOT VALID + VALIDATE
  --rename OLD=NEW      generate: a table (schema.table) or column (schema.table.column) was
                        renamed, not dropped and added; may be given more than once

Output:
  --json                a JSON array of objects, one per row (values are strings or null);
                        a failed command prints one object (outcome, error, sqlstate)
  --verbose, -v         every NOTICE as it arrives, also on a terminal (where run and
                        apply otherwise show one live progress line)

Connection (libpq conventions):
  --dsn STRING          a connection string or URI; without it PGHOST, PGPORT, PGUSER,
                        PGDATABASE, PGPASSWORD, ~/.pgpass and PGSERVICE apply
  --dsn-file FILE       run against every database listed (one connection string per line;
                        blank lines and # comments are ignored), then print a summary
  --jobs N, -j N        with --dsn-file: at most N databases at once (default 1)
  --fail-fast           with --dsn-file: start no new database after the first that fails
  --connect-timeout S   give up connecting after S seconds (default: the DSN's
                        connect_timeout, else PGCONNECT_TIMEOUT, else 10)
  --wait[=S]            wait up to S seconds (default 60) for the server to accept
                        connections first
  --password, -W        ask for the password before connecting
  --no-password, -w     never ask (on a terminal pg_migrate asks when the server wants one)

Timeouts (values as the server reads them: 500ms, 5s, 1min):
  --lock-timeout T      run: migrations_schema.lock_timeout (each migration's lock waits,
                        retried); other commands: the session's lock_timeout
  --statement-timeout T run: migrations_schema.statement_timeout (each statement of a
                        migration); other commands: the session's statement_timeout

  --version             the version of pg_migrate
  --help, -h            this text

Ctrl-C (or SIGTERM) asks the server to cancel the running statement and stops before the
next one; a second one quits at once.

Exit status: 0 success; 1 a migration failed (an SQL error from the command, a bad folder,
an error finding, drift, or, with --dsn-file, any database that is not ok); 2 usage error,
connection failure, a connection lost during the command, or a database without the
extension; 130 interrupted.
)";
    return text;
}

}  // namespace ms::cli
