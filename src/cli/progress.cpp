#include "cli/progress.hpp"

#include "core/client/terminal_text.hpp"

#include <iostream>
#include <mutex>
#include <sstream>

namespace ms::cli {

namespace {
std::mutex stderr_mutex;
std::mutex stdout_mutex;
}  // namespace

ProgressSink progress_to_stderr(std::string prefix) {
    return [prefix = std::move(prefix)](const std::string& text) {
        // Every line carries the prefix, so a fleet's multi-line errors stay attributable;
        // control characters from the server are shown, not obeyed.
        std::ostringstream out;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);)
            out << prefix << core::escape_controls(line) << '\n';
        const std::lock_guard<std::mutex> lock(stderr_mutex);
        std::cerr << out.str() << std::flush;
    };
}

void with_stdout_lock(const std::function<void()>& write) {
    const std::lock_guard<std::mutex> lock(stdout_mutex);
    write();
}

}  // namespace ms::cli
