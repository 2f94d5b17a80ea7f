// One libpq connection, owned: results and connections are freed on every path, every
// failed statement becomes an SqlError carrying the server's full report, and no wait on
// the network outlasts an interrupt.
#pragma once

#include "cli/interrupt.hpp"
#include "cli/table.hpp"

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ms::cli {

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// The statement failed; what() is the server's message with DETAIL, HINT and CONTEXT.
class SqlError : public std::runtime_error {
public:
    SqlError(const std::string& message, std::string sqlstate = {})
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    std::string sqlstate_;
};

// The connection broke while a statement was in flight: whether it committed is unknown.
class ConnectionLost : public SqlError {
public:
    using SqlError::SqlError;
};

// An interrupt stopped the work: before a statement was sent, or a statement the server
// did not finish within the grace period after the cancel request.
class Interrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An interrupt stopped the wait for a statement the server had started and did not end
// within the grace period: it may still commit.
class OutcomeUnknown : public Interrupted {
public:
    using Interrupted::Interrupted;
};

using Params = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL

struct ConnectSettings {
    // Seconds; nullopt leaves libpq's own rule (the DSN, PGCONNECT_TIMEOUT, else none).
    std::optional<int> connect_timeout;
    // Typed at a prompt; it wins over the DSN's and the environment's.
    std::optional<std::string> password;
};

// Whether a server answers connections (PQpingParams), within connect_timeout.
bool server_answers(const std::optional<std::string>& dsn, const ConnectSettings& s);

class Connection {
public:
    // Connects as psql would: the DSN (or, when absent, the PG* environment, ~/.pgpass and
    // the service file). Never throws for a refused connection: check ok(). An interrupt
    // while connecting abandons the attempt at once (throws Interrupted).
    static Connection open(const std::optional<std::string>& dsn, const ConnectSettings& s);
    // The same, also after an interrupt (to find out what an interrupted command did),
    // bounded by the settings' connect_timeout only.
    static Connection open_despite_interrupt(const std::optional<std::string>& dsn, const ConnectSettings& s);

    bool ok() const noexcept;
    // Closes the connection now (the server ends its session when it notices).
    void close() noexcept {
        cancel_.reset();
        conn_.reset();
    }
    std::string error_message() const;
    // The server asked for a password and none was given.
    bool needs_password() const;
    // host, port, database and user actually connected to, for messages.
    std::string describe() const;
    // TLS or GSSAPI encryption in use.
    bool encrypted() const;
    // Over a Unix-domain socket or to a loopback address.
    bool local() const;

    // NOTICEs and WARNINGs, one line at a time, as they arrive during a statement.
    void on_notice(std::function<void(const std::string&)> sink);

    // Values travel as parameters only. Throws SqlError, ConnectionLost or Interrupted.
    // After an interrupt nothing new is sent, and a running statement gets the grace
    // period to end after the cancel request before the connection is abandoned.
    Result exec(const std::string& sql, const Params& params = {});
    // For cleanup that must happen also after an interrupt (dropping a scratch database):
    // sent even then, bounded by a statement_timeout of `seconds` on the server. Throws
    // SqlError; a second interrupt (SIGTERM) still ends the process.
    void exec_cleanup(const std::string& sql, int seconds);
    // One statement, sent also after an interrupt, the wait bounded by `seconds` on the
    // client. For the check after an interrupt. Throws SqlError.
    Result exec_despite_interrupt(const std::string& sql, const Params& params, int seconds);

    // A setting the server reports (client_encoding), as last reported.
    std::string parameter(const char* name) const;
    int server_version() const;
    int backend_pid() const;

    // The quoted schema migrations_schema is installed in, or nullopt without it.
    std::optional<std::string> extension_schema();

    std::string quote_identifier(const std::string& name);
    std::string quote_literal(const std::string& value);
    // The SCRAM-SHA-256 verifier of a password, computed here: the password itself never
    // travels in a statement (which a server may log).
    std::string password_verifier(const std::string& password, const std::string& role);

private:
    struct ConnDeleter {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    std::unique_ptr<PGconn, ConnDeleter> conn_;
    // Declared after conn_, so it is gone before the connection is closed.
    std::unique_ptr<CancelOnInterrupt> cancel_;
    // Heap-held so that its address, given to libpq, survives moves of the Connection.
    std::unique_ptr<std::function<void(const std::string&)>> notice_sink_;
};

Table to_table(const PGresult* result);

}  // namespace ms::cli
