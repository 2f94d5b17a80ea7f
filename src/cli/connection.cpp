#include "cli/connection.hpp"

#include <sstream>

namespace ms::cli {

namespace {

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

}  // namespace

Connection Connection::open(const std::optional<std::string>& dsn) {
    // The DSN is expanded in place of dbname; the later keywords then take precedence, so
    // results always arrive in UTF-8 (the JSON output needs it), and the server's history
    // names the client unless the DSN sets application_name itself.
    const char* keywords[] = {"dbname", "fallback_application_name", "client_encoding", nullptr};
    const char* values[] = {dsn ? dsn->c_str() : nullptr, "pg_migrate", "UTF8", nullptr};
    Connection c;
    c.conn_.reset(PQconnectdbParams(keywords, values, 1));
    if (c.ok())
        c.cancel_ = std::make_unique<CancelOnInterrupt>(c.conn_.get());
    return c;
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

void Connection::on_notice(std::function<void(const std::string&)> sink) {
    notice_sink_ = std::make_unique<std::function<void(const std::string&)>>(std::move(sink));
    PQsetNoticeProcessor(conn_.get(), forward_notice, notice_sink_.get());
}

Result Connection::exec(const std::string& sql, const Params& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw SqlError(trim_end(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_.get())));
    return r;
}

std::optional<std::string> Connection::extension_schema() {
    const Result r = exec(
        "SELECT n.nspname FROM pg_catalog.pg_extension e "
        "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'migrations_schema'");
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return quote_identifier(PQgetvalue(r.get(), 0, 0));
}

std::string Connection::quote_identifier(const std::string& name) {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeIdentifier(conn_.get(), name.c_str(), name.size()), &PQfreemem);
    if (!quoted) throw SqlError(error_message());
    return quoted.get();
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
