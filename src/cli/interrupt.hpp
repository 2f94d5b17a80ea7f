// Ctrl-C (SIGINT) and SIGTERM. The first asks every open connection's server to cancel its
// running statement and makes the client stop at the next step (no new statement, no new
// database); the second ends the process at once. The handler itself only sets a flag and
// writes to a pipe: the cancel requests, which can block for as long as a network partition
// lasts, are sent by a thread of their own.
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace ms::cli {

// SIGINT, SIGTERM, and SIGPIPE (ignored: a closed stdout is reported, not fatal).
void install_signal_handlers();

// Whether an interrupt arrived.
bool interrupted() noexcept;

// While alive, an interrupt sends a cancel request for the connection's statement.
class CancelOnInterrupt {
public:
    explicit CancelOnInterrupt(PGconn* conn);
    ~CancelOnInterrupt();
    CancelOnInterrupt(const CancelOnInterrupt&) = delete;
    CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

private:
    std::shared_ptr<PGcancel> cancel_;
};

}  // namespace ms::cli
