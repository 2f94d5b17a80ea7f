// migrate_lint(sql) and migrate_lint_pending(project) -> SETOF (version,) statement, line,
// rule, severity, lock_mode, relation, relation_bytes, row_estimate, message, hint: the
// lint findings of one script, or of every pending migration's up script in version order.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/lint/lint.hpp"
#include "pg/lint/pending.hpp"

namespace ms::pg {

namespace {

Cell bigint_cell(const std::optional<long long>& v) {
    // int8 is passed by value on the 64-bit platforms PostgreSQL 15 builds for.
    return v ? Cell::datum(Int64GetDatum(static_cast<int64>(*v)), false) : Cell::null();
}

Cell float8_cell(const std::optional<double>& v) {
    return v ? Cell::float8(*v) : Cell::null();
}

Cell text_or_null(const std::string& s) {
    return s.empty() ? Cell::null() : Cell::text(s);
}

void add_finding(ResultSet& rows, const LintFinding& f, const std::string* version) {
    const Cell cells[] = {Cell::int4(f.statement),          Cell::int4(f.line),
                          Cell::text(f.rule),               Cell::text(f.severity),
                          text_or_null(f.lock_mode),        text_or_null(f.relation),
                          bigint_cell(f.relation_bytes),    float8_cell(f.row_estimate),
                          Cell::text(f.message),            text_or_null(f.hint)};
    if (version == nullptr)
        rows.add_row({cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6],
                      cells[7], cells[8], cells[9]});
    else
        rows.add_row({Cell::text(*version), cells[0], cells[1], cells[2], cells[3], cells[4],
                      cells[5], cells[6], cells[7], cells[8], cells[9]});
}

Datum lint_body(FunctionCallInfo fcinfo) {
    const std::string sql = required_text(fcinfo, 0, "sql");
    ResultSet rows(fcinfo);
    SpiConnection spi;
    // The script's names resolve as the caller's, with the caller's rights and search_path.
    for (const auto& f : lint_script(sql).findings)
        add_finding(rows, f, nullptr);
    return Datum(0);
}

Datum lint_pending_body(FunctionCallInfo fcinfo) {
    const std::string project = project_argument(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    lint_pending(project, [&](const std::string& version, const LintFinding& f) {
        add_finding(rows, f, &version);
    });
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_lint, ms::pg::lint_body)
MS_SQL_FUNCTION(migrate_lint_pending, ms::pg::lint_pending_body)
