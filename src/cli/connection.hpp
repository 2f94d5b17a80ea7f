// One libpq connection, owned: results and connections are freed on every path, and every
// failed statement becomes an SqlError carrying the server's full report.
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
    using std::runtime_error::runtime_error;
};

using Params = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL

class Connection {
public:
    // Connects as psql would: the DSN (or, when absent, the PG* environment, ~/.pgpass and
    // the service file). Never throws for a refused connection: check ok().
    static Connection open(const std::optional<std::string>& dsn);

    bool ok() const noexcept;
    std::string error_message() const;
    // host, port, database and user actually connected to, for messages.
    std::string describe() const;

    // NOTICEs and WARNINGs, one line at a time, as they arrive during a statement.
    void on_notice(std::function<void(const std::string&)> sink);

    // Values travel as parameters only. Throws SqlError.
    Result exec(const std::string& sql, const Params& params = {});

    // The quoted schema migrations_schema is installed in, or nullopt without it.
    std::optional<std::string> extension_schema();

    std::string quote_identifier(const std::string& name);

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
