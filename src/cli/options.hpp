// The command line of pg_migrate: what to do, where, and with which SQL arguments.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms::cli {

enum class Command {
    Push, Apply, Run, Status, Rollback, Undo, Validate, Test,
    Lint, Drift, History, Baseline, Import, Repair, Verify, Unregister, Fingerprint, Hash,
    New, Convert, Wait, Generate, Start, Complete, Abort,
};

const char* command_name(Command c) noexcept;

struct Options {
    bool help = false;
    bool version_flag = false;  // --version
    Command command = Command::Status;
    std::optional<std::string> dir;  // a local migrations folder (lint: or one file)

    // Mirrors of the SQL parameters; unset means the SQL default applies.
    std::optional<std::string> project;
    std::optional<std::string> target;
    std::optional<int> steps;
    bool everything = false;
    bool dry_run = false;
    bool out_of_order = false;
    bool force = false;
    std::optional<std::string> version;        // undo, baseline, unregister
    std::optional<std::string> source;         // import: the other tool's table
    std::optional<std::string> source_schema;  // import

    std::optional<std::string> name;    // new: the migration's name
    std::optional<std::string> layout;  // new, generate: for a folder without migrations yet
    std::optional<std::string> desired;  // generate: schema file or folder, migrations folder, DSN
    bool online = true;                  // generate: false with --no-online
    std::vector<std::string> renames;    // generate: old=new, as given
    std::optional<std::string> from;    // convert: the tool ("typeorm")
    std::optional<std::string> dest;    // convert: the folder to write
    std::optional<std::string> lint_text;  // lint FILE: the file's text, read before connecting

    bool yes = false;    // rollback, undo: no confirmation prompt for destructive down scripts
    bool prune = false;  // push, apply, run: unregister pending migrations not in the folder
    bool stop_on_drift = false;  // apply, run: refuse a database whose schema drifted
    bool verbose = false;        // every NOTICE, even on a terminal

    bool json = false;

    std::optional<std::string> dsn;
    std::optional<std::string> dsn_file;
    int jobs = 1;
    bool fail_fast = false;

    std::optional<int> connect_timeout;            // seconds
    std::optional<std::string> lock_timeout;       // as the server's settings read them
    std::optional<std::string> statement_timeout;  // ("5s", "500ms", "500")
    bool force_password_prompt = false;            // -W
    bool never_prompt = false;                     // -w
    std::optional<int> wait_seconds;               // wait --timeout, or --wait on the others
};

// A command line that cannot mean anything; the client exits with status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws UsageError. args excludes the program name.
Options parse_options(const std::vector<std::string>& args);

// Whether the command line asks for JSON, read leniently: a usage error is reported as JSON
// too when it does.
bool wants_json(const std::vector<std::string>& args);

// Whether the command talks to a database at all (new and convert only touch files).
bool needs_database(Command c) noexcept;

std::string usage_text();

}  // namespace ms::cli
