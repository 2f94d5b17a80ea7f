#include "cli/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <thread>

#include <unistd.h>

namespace ms::cli {

namespace {

// A signal handler may only touch lock-free atomics: one slot per open connection (a fleet
// opens at most --jobs at a time).
constexpr int max_slots = 1024;
std::atomic<PGcancel*> slots[max_slots];
std::atomic<int> handlers_running{0};
volatile std::sig_atomic_t got_interrupt = 0;

void say(const char* text) {
    std::size_t n = 0;
    while (text[n] != '\0') ++n;
    ssize_t ignored = ::write(STDERR_FILENO, text, n);
    (void)ignored;
}

extern "C" void on_interrupt(int) {
    got_interrupt = 1;
    handlers_running.fetch_add(1);
    int asked = 0;
    for (auto& slot : slots) {
        if (PGcancel* cancel = slot.load()) {
            char error[256];
            // PQcancel is safe to call from a signal handler (libpq documents it so).
            if (PQcancel(cancel, error, sizeof error)) ++asked;
        }
    }
    handlers_running.fetch_sub(1);
    say(asked > 0 ? "pg_migrate: interrupted; asked the server to cancel the running statement\n"
                  : "pg_migrate: interrupted\n");
}

}  // namespace

void install_interrupt_handler() {
    struct sigaction action{};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // The second Ctrl-C gets the default action: the process ends at once.
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() noexcept {
    return got_interrupt != 0;
}

CancelOnInterrupt::CancelOnInterrupt(PGconn* conn) : cancel_(PQgetCancel(conn)) {
    if (cancel_ == nullptr)
        return;
    for (int i = 0; i < max_slots; ++i) {
        PGcancel* expected = nullptr;
        if (slots[i].compare_exchange_strong(expected, cancel_)) {
            slot_ = i;
            return;
        }
    }
}

CancelOnInterrupt::~CancelOnInterrupt() {
    if (slot_ >= 0) {
        slots[slot_].store(nullptr);
        // A handler that read the slot before it was cleared may still be using it.
        while (handlers_running.load() > 0)
            std::this_thread::yield();
    }
    if (cancel_ != nullptr)
        PQfreeCancel(cancel_);
}

}  // namespace ms::cli
