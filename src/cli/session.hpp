// Everything pg_migrate does to one database: connect, check for the extension, push the
// folder, run the command. The single-database mode and every fleet worker share it.
#pragma once

#include "cli/live_progress.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "cli/table.hpp"
#include "core/folder/folder.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ms::cli {

enum class Outcome {
    Ok, Failed, Unreachable, NoExtension, ConnectionLost, Interrupted, Declined, Drifted, Skipped,
    // The client stopped waiting for a command that writes (an interrupt, a lost
    // connection) and could not find out whether the server committed it.
    Unknown
};

const char* outcome_name(Outcome o) noexcept;

// 0 ok; 1 the migration (or the pushed folder) failed; 2 the database could not be used
// or the connection was lost; 3 outcome unknown; 130 interrupted.
int exit_code(Outcome o) noexcept;

// Asked before down scripts that drop data run: the rows are (version, name, statement).
// Returns whether to go on.
using Confirm = std::function<bool(const Table& destructive)>;

// Asks for a password at the terminal; nullopt: nobody typed one.
using AskPassword = std::function<std::optional<std::string>()>;

struct Job {
    const Options& options;
    const std::vector<core::FolderMigration>* folder;  // nullptr: nothing to push
    Confirm confirm = nullptr;                          // nullptr: nobody to ask
    AskPassword ask_password = nullptr;                 // nullptr: never prompt
    LiveProgress* live = nullptr;  // a terminal's live line for run, apply, rollback, undo
};

struct Report {
    std::string label;  // the DSN with its password masked, or where the defaults led
    Outcome outcome = Outcome::Skipped;
    Table result;       // the command's rows (push: one per migration)
    std::string error;     // why it is not ok
    std::string sqlstate;  // of the server's error, when there was one
    std::vector<std::string> notes;  // lines shown under the rows (not in --json)
    double duration_ms = 0;
};

// Never throws (a fleet worker has nowhere to throw to): whatever happens ends up in the
// report.
Report run_on_database(const std::optional<std::string>& dsn, const Job& job,
                       const ProgressSink& progress);

// Whether the command only reads: given a folder, it is compared, not registered.
bool read_only(const Options& o) noexcept;

}  // namespace ms::cli
