#include "cli/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace ms::cli {

namespace {

using Clock = std::chrono::steady_clock;

// How long a statement may take to end after its cancel request before the client stops
// waiting for the server (which may be behind a partition) and closes the connection.
constexpr std::chrono::seconds cancel_grace{5};
constexpr int tick_ms = 100;
// Without any connect_timeout, a host that accepts the connection and never answers would
// hold the client (and a whole fleet) for as long as the kernel keeps retrying.
constexpr const char* default_connect_timeout = "10";
// About 25 s of silence (10 s idle, then 3 probes 5 s apart) ends a session, as does data
// left unacknowledged for 30 s. Ignored on Unix-domain sockets.
constexpr std::pair<const char*, const char*> tcp_liveness[] = {
    {"keepalives", "1"},          {"keepalives_idle", "10"}, {"keepalives_interval", "5"},
    {"keepalives_count", "3"},    {"tcp_user_timeout", "30000"}};

// Type OIDs of int2, int4, int8, float4, float8, numeric: right-aligned like psql does.
bool is_numeric_type(Oid type) {
    return type == 20 || type == 21 || type == 23 || type == 700 || type == 701 || type == 1700;
}

std::string trim_end(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

void forward_notice(void* arg, const char* message) {
    auto* sink = static_cast<std::function<void(const std::string&)>*>(arg);
    std::istringstream lines(message);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) (*sink)(line);
}

// The keywords of PQconnectdbParams. The DSN is expanded in place of dbname, and later
// keywords take precedence over earlier ones: the default connect_timeout comes first (the
// DSN may override it), then the DSN, then what the command line and the client insist on
// (results in UTF-8 for JSON; the server's history names the client unless the DSN sets
// application_name itself).
struct ConnectParams {
    std::vector<std::string> keywords;
    std::vector<std::string> values;

    void add(const char* k, std::string v) {
        keywords.emplace_back(k);
        values.push_back(std::move(v));
    }

    // The null-terminated arrays libpq reads; they point into this object.
    std::pair<std::vector<const char*>, std::vector<const char*>> arrays() const {
        std::vector<const char*> k, v;
        for (std::size_t i = 0; i < keywords.size(); ++i) {
            k.push_back(keywords[i].c_str());
            v.push_back(values[i].c_str());
        }
        k.push_back(nullptr);
        v.push_back(nullptr);
        return {std::move(k), std::move(v)};
    }
};

ConnectParams connect_params(const std::optional<std::string>& dsn, const ConnectSettings& s) {
    ConnectParams p;
    if (!s.connect_timeout && std::getenv("PGCONNECT_TIMEOUT") == nullptr)
        p.add("connect_timeout", default_connect_timeout);
    // A peer behind a partition sends nothing, not even a reset: without keepalives and a
    // bound on unacknowledged data, a TCP session would wait for it for hours (the kernel's
    // retransmission limit). Before the DSN, which may choose other values.
    for (const auto& [keyword, value] : tcp_liveness) p.add(keyword, value);
    if (dsn) p.add("dbname", *dsn);
    if (s.connect_timeout) p.add("connect_timeout", std::to_string(*s.connect_timeout));
    if (s.password) p.add("password", *s.password);
    p.add("fallback_application_name", "pg_migrate");
    p.add("client_encoding", "UTF8");
    return p;
}

// The blocking connect runs on a thread of its own, so that libpq keeps its own rules
// (connect_timeout per host, several hosts, target_session_attrs) and an interrupt still
// ends the wait at once: the abandoned attempt finishes in the background and is closed.
struct Attempt {
    ConnectParams params;
    std::mutex mutex;
    std::condition_variable done_cv;
    PGconn* conn = nullptr;
    bool done = false;
    bool abandoned = false;

    void run() {
        const auto [k, v] = params.arrays();
        PGconn* c = PQconnectdbParams(k.data(), v.data(), 1);
        const std::lock_guard<std::mutex> lock(mutex);
        if (abandoned) {
            PQfinish(c);
            return;
        }
        conn = c;
        done = true;
        done_cv.notify_all();
    }
};

PGconn* connect(ConnectParams params, bool despite_interrupt = false) {
    auto attempt = std::make_shared<Attempt>();
    attempt->params = std::move(params);
    try {
        std::thread([attempt] { attempt->run(); }).detach();
    } catch (const std::system_error&) {
        attempt->run();  // no thread to spare: connect in place, without the early exit
    }
    std::unique_lock<std::mutex> lock(attempt->mutex);
    while (!attempt->done) {
        if (interrupted() && !despite_interrupt) {
            attempt->abandoned = true;
            throw Interrupted("interrupted while connecting");
        }
        attempt->done_cv.wait_for(lock, std::chrono::milliseconds(tick_ms));
    }
    return attempt->conn;
}

}  // namespace

Connection Connection::open_despite_interrupt(const std::optional<std::string>& dsn,
                                              const ConnectSettings& s) {
    Connection c;
    c.conn_.reset(connect(connect_params(dsn, s), true));
    if (c.ok()) PQsetnonblocking(c.conn_.get(), 1);
    return c;
}

Connection Connection::open(const std::optional<std::string>& dsn, const ConnectSettings& s) {
    Connection c;
    c.conn_.reset(connect(connect_params(dsn, s)));
    if (c.ok()) {
        c.cancel_ = std::make_unique<CancelOnInterrupt>(c.conn_.get());
        // Sending must not block either: a large push into a frozen connection would.
        PQsetnonblocking(c.conn_.get(), 1);
    }
    return c;
}

bool server_answers(const std::optional<std::string>& dsn, const ConnectSettings& s) {
    const ConnectParams params = connect_params(dsn, s);
    const auto [k, v] = params.arrays();
    // PQPING_REJECT is a server that is up but not accepting yet (starting, recovering).
    return PQpingParams(k.data(), v.data(), 1) == PQPING_OK;
}

bool Connection::needs_password() const {
    return conn_ && PQconnectionNeedsPassword(conn_.get()) != 0;
}

bool Connection::ok() const noexcept {
    return conn_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

std::string Connection::error_message() const {
    return conn_ ? trim_end(PQerrorMessage(conn_.get())) : "out of memory";
}

std::string Connection::describe() const {
    PGconn* c = conn_.get();
    std::string host = PQhost(c) ? PQhost(c) : "";
    return "host=" + host + " port=" + PQport(c) + " dbname=" + PQdb(c) + " user=" + PQuser(c);
}

bool Connection::encrypted() const {
    return PQsslInUse(conn_.get()) != 0 || PQgssEncInUse(conn_.get()) != 0;
}

bool Connection::local() const {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    if (getpeername(PQsocket(conn_.get()), reinterpret_cast<sockaddr*>(&peer), &length) != 0)
        return false;
    if (peer.ss_family == AF_UNIX) return true;
    if (peer.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&peer);
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (peer.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
        return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

void Connection::on_notice(std::function<void(const std::string&)> sink) {
    notice_sink_ = std::make_unique<std::function<void(const std::string&)>>(std::move(sink));
    PQsetNoticeProcessor(conn_.get(), forward_notice, notice_sink_.get());
}

std::string Connection::parameter(const char* name) const {
    const char* value = PQparameterStatus(conn_.get(), name);
    return value ? value : "";
}

int Connection::backend_pid() const {
    return PQbackendPID(conn_.get());
}

int Connection::server_version() const {
    return PQserverVersion(conn_.get());
}

Result Connection::exec(const std::string& sql, const Params& params) {
    PGconn* c = conn_.get();
    const auto lost = [&] {
        return ConnectionLost("connection to the server lost: " + error_message());
    };
    if (interrupted()) throw Interrupted("interrupted; no further statement was sent");

    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (!PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr,
                           values.data(), nullptr, nullptr, 0)) {
        if (!ok()) throw lost();
        throw SqlError(error_message());
    }

    std::optional<Clock::time_point> interrupt_seen;
    // Until the next result can be read without blocking.
    const auto wait_for_result = [&] {
        for (;;) {
            const int unsent = PQflush(c);
            if (unsent < 0) throw lost();
            if (unsent == 0 && !PQisBusy(c)) return;
            pollfd fd{PQsocket(c), static_cast<short>(POLLIN | (unsent ? POLLOUT : 0)), 0};
            if (::poll(&fd, 1, tick_ms) > 0 && (fd.revents & (POLLIN | POLLERR | POLLHUP)) &&
                !PQconsumeInput(c))
                throw lost();
            if (interrupted()) {
                // Still sending: the statement has not started on the server, and closing
                // the connection mid-message ends the session's transaction there.
                if (unsent > 0)
                    throw Interrupted("interrupted while the statement was being sent; it "
                                      "never started");
                if (!interrupt_seen) interrupt_seen = Clock::now();
                else if (Clock::now() - *interrupt_seen > cancel_grace)
                    throw OutcomeUnknown(
                        "interrupted; the server did not end the statement within " +
                        std::to_string(cancel_grace.count()) +
                        " s of the cancel request, so the client stopped waiting and closed "
                        "the connection (the server ends the session when it notices)");
            }
        }
    };

    Result last;
    std::optional<SqlError> failure;
    for (;;) {
        wait_for_result();
        Result r(PQgetResult(c));
        if (!r) break;
        const auto status = PQresultStatus(r.get());
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            last = std::move(r);
        } else if (!failure) {
            const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
            failure.emplace(trim_end(PQresultErrorMessage(r.get())), state ? state : "");
        }
    }
    if (!ok()) throw lost();
    if (failure) throw *failure;
    if (!last) throw SqlError("the server sent no result");
    return last;
}

Result Connection::exec_despite_interrupt(const std::string& sql, const Params& params, int seconds) {
    PGconn* c = conn_.get();
    if (!ok()) throw SqlError(error_message());
    // The interrupt flag, which stops exec(), is ignored: this runs because of it. The
    // deadline ends the wait for a server behind a partition.
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const int sent = params.empty()
                         ? PQsendQuery(c, sql.c_str())  // several statements may go as one
                         : PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                             values.data(), nullptr, nullptr, 0);
    if (!sent) throw SqlError(error_message());
    Result last;
    std::optional<std::string> failure;
    for (;;) {
        for (;;) {
            const int unsent = PQflush(c);
            if (unsent < 0) throw SqlError(error_message());
            if (unsent == 0 && !PQisBusy(c)) break;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0)
                throw SqlError("the server did not answer within " + std::to_string(seconds) + " s");
            pollfd fd{PQsocket(c), static_cast<short>(POLLIN | (unsent ? POLLOUT : 0)), 0};
            if (::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), tick_ms))) > 0 &&
                (fd.revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(c))
                throw SqlError(error_message());
        }
        Result r(PQgetResult(c));
        if (!r) break;
        const auto status = PQresultStatus(r.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) last = std::move(r);
        else if (!failure) failure = trim_end(PQresultErrorMessage(r.get()));
    }
    if (failure) throw SqlError(*failure);
    if (!last) throw SqlError("the server sent no result");
    return last;
}

void Connection::exec_cleanup(const std::string& sql, int seconds) {
    // statement_timeout ends it on a server that answers, the client's deadline the wait
    // for one that does not. Two calls: DROP DATABASE refuses to run in a multi-statement
    // string.
    exec_despite_interrupt("SET statement_timeout = '" + std::to_string(seconds) +
                               "s'; SET client_min_messages = warning",
                           {}, seconds + 2);
    exec_despite_interrupt(sql, {}, seconds + 2);
}

std::optional<std::string> Connection::extension_schema() {
    const Result r = exec(
        "SELECT n.nspname FROM pg_catalog.pg_extension e "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
        "WHERE e.extname OPERATOR(pg_catalog.=) 'migrations_schema'::pg_catalog.name");
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return quote_identifier(PQgetvalue(r.get(), 0, 0));
}

std::string Connection::quote_identifier(const std::string& name) {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeIdentifier(conn_.get(), name.c_str(), name.size()), &PQfreemem);
    if (!quoted) throw SqlError(error_message());
    return quoted.get();
}

std::string Connection::quote_literal(const std::string& value) {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeLiteral(conn_.get(), value.c_str(), value.size()), &PQfreemem);
    if (!quoted) throw SqlError(error_message());
    return quoted.get();
}

std::string Connection::password_verifier(const std::string& password, const std::string& role) {
    std::unique_ptr<char, decltype(&PQfreemem)> verifier(
        PQencryptPasswordConn(conn_.get(), password.c_str(), role.c_str(), "scram-sha-256"), &PQfreemem);
    if (!verifier) throw SqlError(error_message());
    return verifier.get();
}

Table to_table(const PGresult* result) {
    Table t;
    const int columns = PQnfields(result);
    for (int c = 0; c < columns; ++c) {
        t.columns.emplace_back(PQfname(result, c));
        t.right_aligned.push_back(is_numeric_type(PQftype(result, c)));
    }
    const int rows = PQntuples(result);
    for (int r = 0; r < rows; ++r) {
        auto& row = t.rows.emplace_back();
        for (int c = 0; c < columns; ++c) {
            if (PQgetisnull(result, r, c)) row.emplace_back();
            else row.emplace_back(std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
        }
    }
    return t;
}

}  // namespace ms::cli
