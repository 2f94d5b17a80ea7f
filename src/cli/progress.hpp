// Progress on stderr: server NOTICEs and the client's own steps. With several databases
// at work, whole lines are written under one lock and prefixed with the database, so that
// they never interleave mid-line.
#pragma once

#include <functional>
#include <string>

namespace ms::cli {

using ProgressSink = std::function<void(const std::string&)>;

// A sink writing "prefix line" to stderr; prefix may be empty.
ProgressSink progress_to_stderr(std::string prefix);

// Runs write under the lock that guards stdout, for output written by several threads.
void with_stdout_lock(const std::function<void()>& write);

}  // namespace ms::cli
