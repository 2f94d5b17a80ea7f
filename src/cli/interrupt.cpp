#include "cli/interrupt.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace ms::cli {

namespace {

std::atomic<int> signals_received{0};
int wake_pipe[2] = {-1, -1};

// Leaked on purpose: the canceller thread may still be inside PQcancel when main returns,
// and must not find these destroyed.
struct Registry {
    std::mutex mutex;
    std::vector<std::shared_ptr<PGcancel>> cancels;
};
Registry& registry() {
    static Registry* r = new Registry;
    return *r;
}

void say(const char* text) {
    std::size_t n = 0;
    while (text[n] != '\0') ++n;
    ssize_t ignored = ::write(STDERR_FILENO, text, n);
    (void)ignored;
}

// Async-signal-safe: an atomic, write(2) and _exit(2), nothing else.
extern "C" void on_interrupt(int) {
    const int saved_errno = errno;
    if (signals_received.fetch_add(1) > 0) {
        say("pg_migrate: interrupted again; quitting now\n");
        _exit(130);
    }
    say("pg_migrate: interrupted; stopping (interrupt again to quit at once)\n");
    if (wake_pipe[1] >= 0) {
        ssize_t ignored = ::write(wake_pipe[1], "x", 1);
        (void)ignored;
    }
    errno = saved_errno;
}

void send_cancels() {
    std::vector<std::shared_ptr<PGcancel>> cancels;
    {
        const std::lock_guard<std::mutex> lock(registry().mutex);
        cancels = registry().cancels;
    }
    // Said before asking: the server may answer the cancel, and the client end, before a
    // message written afterwards would be.
    if (!cancels.empty())
        std::cerr << "pg_migrate: asking the server to cancel the running statement"
                  << (cancels.size() > 1 ? "s" : "") << std::endl;
    for (const auto& cancel : cancels) {
        char error[256];
        // Blocks while the server is unreachable; the rest of the client does not wait
        // for it.
        PQcancel(cancel.get(), error, sizeof error);
    }
}

void canceller() {
    for (;;) {
        char byte;
        const ssize_t n = ::read(wake_pipe[0], &byte, 1);
        if (n == 1) send_cancels();
        else if (n == 0 || errno != EINTR) return;
    }
}

}  // namespace

void install_signal_handlers() {
    std::signal(SIGPIPE, SIG_IGN);
    if (::pipe2(wake_pipe, O_CLOEXEC) == 0) {
        try {
            std::thread(canceller).detach();
        } catch (const std::system_error&) {
            // Without the thread, interrupts still stop the client at the next step.
        }
    }
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() noexcept {
    return signals_received.load() > 0;
}

CancelOnInterrupt::CancelOnInterrupt(PGconn* conn)
    : cancel_(PQgetCancel(conn), [](PGcancel* c) { PQfreeCancel(c); }) {
    if (!cancel_) return;
    const std::lock_guard<std::mutex> lock(registry().mutex);
    registry().cancels.push_back(cancel_);
}

CancelOnInterrupt::~CancelOnInterrupt() {
    if (!cancel_) return;
    // The canceller holds its own reference while it uses one: nothing to wait for.
    const std::lock_guard<std::mutex> lock(registry().mutex);
    auto& v = registry().cancels;
    v.erase(std::remove(v.begin(), v.end(), cancel_), v.end());
}

}  // namespace ms::cli
