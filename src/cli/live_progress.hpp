// One live line on a terminal instead of a NOTICE per migration: "[3/10] 003 add_email ·
// 4.2 s · statement 2 of 5", redrawn every second, the statement read from the server's
// pg_stat_activity over a second connection while a migration runs long. Other messages
// print above it; at the end it gives way to a summary. For the production runner, whose
// NOTICEs say when each migration is done.
#pragma once

#include "cli/connection.hpp"
#include "cli/progress.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ms::cli {

class LiveProgress {
public:
    LiveProgress() = default;
    ~LiveProgress();
    LiveProgress(const LiveProgress&) = delete;
    LiveProgress& operator=(const LiveProgress&) = delete;

    // Before the command: the migrations it will run, in order ("003 add_email"), and where
    // to look for the running statement (the command's connection settings and its
    // backend pid).
    void start(std::vector<std::string> plan, const std::optional<std::string>& dsn,
               const ConnectSettings& settings, int backend_pid);
    // The sink the command's NOTICEs go to.
    ProgressSink sink();
    // Clears the line and prints the summary.
    void finish();

private:
    void on_line(const std::string& line);
    void redraw();  // with mutex_ held
    void tick();

    std::mutex mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    bool started_ = false;
    std::vector<std::string> plan_;
    std::size_t done_ = 0;
    std::string verb_ = "applied";
    std::string statement_;  // from pg_stat_activity
    std::chrono::steady_clock::time_point since_;
    std::optional<std::string> dsn_;
    ConnectSettings settings_;
    int pid_ = 0;
    std::thread ticker_;
};

}  // namespace ms::cli
