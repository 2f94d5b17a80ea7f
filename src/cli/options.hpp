// The command line of pg_migrate: what to do, where, and with which SQL arguments.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms::cli {

enum class Command { Push, Apply, Run, Status, Rollback, Undo, Validate, Test };

const char* command_name(Command c) noexcept;

struct Options {
    bool help = false;
    Command command = Command::Status;
    std::optional<std::string> dir;  // a local migrations folder to push first

    // Mirrors of the SQL parameters; unset means the SQL default applies.
    std::optional<std::string> project;
    std::optional<std::string> target;
    std::optional<int> steps;
    bool everything = false;
    bool dry_run = false;
    bool out_of_order = false;
    std::optional<std::string> version;  // undo: the one migration to undo

    bool yes = false;    // rollback, undo: no confirmation prompt for destructive down scripts
    bool prune = false;  // push, apply, run: unregister pending migrations not in the folder

    bool json = false;

    std::optional<std::string> dsn;
    std::optional<std::string> dsn_file;
    int jobs = 1;
    bool fail_fast = false;

    std::optional<int> connect_timeout;            // seconds
    std::optional<std::string> lock_timeout;       // as the server's settings read them
    std::optional<std::string> statement_timeout;  // ("5s", "500ms", "500")
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

const char* usage_text() noexcept;

}  // namespace ms::cli
