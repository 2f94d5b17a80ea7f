#include "cli/waiting.hpp"

#include "cli/connection.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"

#include <chrono>
#include <thread>

namespace ms::cli {

int wait_for_servers(const Options& o, const std::vector<DsnLine>& dsns) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(o.wait_seconds.value_or(60));
    std::vector<std::optional<std::string>> pending;
    if (o.dsn_file) for (const auto& d : dsns) pending.emplace_back(d.dsn);
    else pending.push_back(o.dsn);
    // Each attempt is short, so that the overall timeout is what bounds the wait.
    const ConnectSettings settings{std::min(o.connect_timeout.value_or(2), 2), std::nullopt};
    while (!pending.empty()) {
        for (auto it = pending.begin(); it != pending.end();) {
            if (server_answers(*it, settings)) it = pending.erase(it);
            else ++it;
        }
        if (pending.empty()) break;
        if (interrupted()) return 130;
        if (Clock::now() >= deadline) {
            for (const auto& d : pending)
                progress_to_stderr("")("pg_migrate: no answer from " +
                                       (d ? mask_dsn(*d) : std::string("the default server")) +
                                       " within " + std::to_string(o.wait_seconds.value_or(60)) +
                                       " s");
            return 2;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return 0;
}

}  // namespace ms::cli
