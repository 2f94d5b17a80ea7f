// Ctrl-C (SIGINT) or SIGTERM while a statement runs: every open connection asks its server
// to cancel the statement, so a migration is never left running behind a client that is
// gone; the runner then records the failure as usual. A second signal ends the process.
#pragma once

#include <libpq-fe.h>

namespace ms::cli {

void install_interrupt_handler();

// Whether an interrupt arrived: no new database is started after it.
bool interrupted() noexcept;

// While alive, an interrupt cancels the current statement of the connection.
class CancelOnInterrupt {
public:
    explicit CancelOnInterrupt(PGconn* conn);
    ~CancelOnInterrupt();
    CancelOnInterrupt(const CancelOnInterrupt&) = delete;
    CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

private:
    PGcancel* cancel_ = nullptr;
    int slot_ = -1;
};

}  // namespace ms::cli
