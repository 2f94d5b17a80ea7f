#include "cli/progress.hpp"

#include <iostream>
#include <mutex>

namespace ms::cli {

namespace {
std::mutex stderr_mutex;
std::mutex stdout_mutex;
}  // namespace

ProgressSink progress_to_stderr(std::string prefix) {
    return [prefix = std::move(prefix)](const std::string& line) {
        const std::lock_guard<std::mutex> lock(stderr_mutex);
        std::cerr << prefix << line << std::endl;
    };
}

void with_stdout_lock(const std::function<void()>& write) {
    const std::lock_guard<std::mutex> lock(stdout_mutex);
    write();
}

}  // namespace ms::cli
