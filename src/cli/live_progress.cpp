#include "cli/live_progress.hpp"

#include "core/client/terminal_text.hpp"

#include <iostream>
#include <regex>

namespace ms::cli {

namespace {

// "applied migration 003 (add_email) in 12 ms", "rolled back migration ..."
const std::regex& finished_pattern() {
    static const std::regex r(R"(^NOTICE:  (applied|rolled back) migration (\S+) \((.*)\) in (\d+) ms$)");
    return r;
}

// "migrate_run: project "x" migration 003 "name" statement 2 of 5", as run_progress sets it.
std::string statement_of(const std::string& activity) {
    const auto at = activity.find(" statement ");
    return at == std::string::npos ? "" : activity.substr(at + 1);
}

}  // namespace

LiveProgress::~LiveProgress() {
    finish();
}

void LiveProgress::start(std::vector<std::string> plan, const std::optional<std::string>& dsn,
                         const ConnectSettings& settings, int backend_pid) {
    const std::lock_guard<std::mutex> lock(mutex_);
    plan_ = std::move(plan);
    dsn_ = dsn;
    settings_ = settings;
    pid_ = backend_pid;
    since_ = std::chrono::steady_clock::now();
    started_ = true;
    try {
        ticker_ = std::thread([this] { tick(); });
    } catch (const std::system_error&) {
        // Without the ticker the line is redrawn only as NOTICEs arrive.
    }
    redraw();
}

ProgressSink LiveProgress::sink() {
    return [this](const std::string& line) { on_line(line); };
}

void LiveProgress::on_line(const std::string& line) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::smatch m;
    if (std::regex_match(line, m, finished_pattern())) {
        ++done_;
        verb_ = m[1];
        statement_.clear();
        since_ = std::chrono::steady_clock::now();
        redraw();
        return;
    }
    // Anything else (warnings, lint findings, retries) keeps its own line above.
    std::cerr << "\r\x1b[K" << core::escape_controls(line) << "\n";
    redraw();
}

void LiveProgress::redraw() {
    if (!started_) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds);
    // n of N counts the migration running now: [1/3] while the first one runs.
    const std::size_t n = std::min(done_ + 1, plan_.size());
    std::string text = "[" + std::to_string(n) + "/" + std::to_string(plan_.size()) + "]";
    if (done_ < plan_.size()) text += " " + plan_[done_] + " · " + elapsed;
    else text += " done";
    if (!statement_.empty()) text += " · " + statement_;
    std::cerr << "\r\x1b[K" << core::escape_controls(text) << std::flush;
}

void LiveProgress::tick() {
    std::optional<Connection> side;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        stop_cv_.wait_for(lock, std::chrono::seconds(1));
        if (stopping_) break;
        // A migration that runs long: which of its statements, as the server says.
        const bool slow = std::chrono::steady_clock::now() - since_ > std::chrono::seconds(2);
        if (slow && pid_ != 0) {
            lock.unlock();
            std::string running;
            try {
                if (!side) side = Connection::open(dsn_, settings_);
                if (side->ok()) {
                    const Result r = side->exec(
                        "SELECT query FROM pg_catalog.pg_stat_activity "
                        "WHERE pid OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
                        {std::to_string(pid_)});
                    if (PQntuples(r.get()) == 1) running = statement_of(PQgetvalue(r.get(), 0, 0));
                }
            } catch (const std::exception&) {
                // The live line is a courtesy: without the side connection it shows less.
            }
            lock.lock();
            statement_ = running;
        }
        redraw();
    }
}

void LiveProgress::finish() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (!started_) return;
        stopping_ = true;
    }
    stop_cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    const std::lock_guard<std::mutex> lock(mutex_);
    started_ = false;
    std::cerr << "\r\x1b[K" << verb_ << " " << done_ << " of " << plan_.size()
              << (plan_.size() == 1 ? " migration" : " migrations") << std::endl;
}

}  // namespace ms::cli
