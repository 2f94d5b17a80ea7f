#include "pg/registry/expansion.hpp"

#include "core/base/failure.hpp"
#include "pg/base/spi.hpp"

#include <string>

namespace ms::pg {

namespace {

Expansion expansion_row(std::uint64_t row) {
    return Expansion{spi_required_text(row, 1), spi_required_text(row, 2),
                     spi_required_text(row, 3), spi_required_text(row, 4),
                     spi_required_text(row, 5), spi_required_text(row, 6)};
}

SqlArg int8_text_arg(std::optional<std::int64_t> value) {
    return text_arg(value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt);
}

}  // namespace

std::optional<Expansion> load_expansion(const std::string& project) {
    if (spi_query("SELECT project, version, checksum, old_schema, new_schema, phase "
                  "FROM migrations_schema.expansion WHERE project OPERATOR(pg_catalog.=) $1",
                  {text_arg(project)}) == 0)
        return std::nullopt;
    return expansion_row(0);
}

std::vector<Expansion> load_expansions() {
    std::vector<Expansion> out;
    // Under an install script older than the table, there is none.
    spi_query("SELECT pg_catalog.to_regclass('migrations_schema.expansion') IS NOT NULL", {});
    if (!spi_bool(0, 1))
        return out;
    const auto rows = spi_query("SELECT project, version, checksum, old_schema, new_schema, phase "
                                "FROM migrations_schema.expansion",
                                {});
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(expansion_row(i));
    return out;
}

void refuse_while_expanding(const std::string& project, const char* procedure) {
    // Under an install script older than the table, nothing can be expanding.
    spi_query("SELECT pg_catalog.to_regclass('migrations_schema.expansion') IS NOT NULL", {});
    if (!spi_bool(0, 1))
        return;
    const auto e = load_expansion(project);
    if (!e)
        return;
    throw core::Failure(
        core::FailureKind::Conflict,
        std::string(procedure) + "() cannot run while the expand and contract migration " +
            e->version + " of project \"" + project + "\" is in progress",
        "CALL migrate_start() started it as expand and contract (phase " + e->phase +
            "); its version schemas \"" + e->old_schema + "\" and \"" + e->new_schema +
            "\" are live and their views hold the tables it changes.",
        "Finish it first: CALL migrate_complete() (pg_migrate complete) or CALL "
        "migrate_abort() (pg_migrate abort); nothing was changed.");
}

void insert_expansion(const Expansion& e, const std::string& caller) {
    spi_query("INSERT INTO migrations_schema.expansion "
              "(project, version, checksum, old_schema, new_schema, phase, started_by) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {text_arg(e.project), text_arg(e.version), text_arg(e.checksum),
               text_arg(e.old_schema), text_arg(e.new_schema), text_arg(e.phase),
               text_arg(caller)});
}

void set_expansion_phase(const std::string& project, const std::string& phase) {
    spi_query("UPDATE migrations_schema.expansion SET phase = $2 "
              "WHERE project OPERATOR(pg_catalog.=) $1",
              {text_arg(project), text_arg(phase)});
}

void delete_expansion(const std::string& project) {
    spi_query("DELETE FROM migrations_schema.expansion WHERE project OPERATOR(pg_catalog.=) $1",
              {text_arg(project)});
}

void insert_steps(const std::string& project, const std::string& phase,
                  const std::vector<StoredStep>& steps) {
    int n = 0;
    for (const auto& s : steps)
        spi_query("INSERT INTO migrations_schema.expansion_step "
                  "(project, phase, n, stage, top_level, statement, line, sql) "
                  "VALUES ($1, $2, $3, $4, $5::pg_catalog.bool, $6, $7, $8)",
                  {text_arg(project), text_arg(phase), int4_arg(++n), text_arg(s.when),
                   text_arg(std::string(s.step.top_level ? "true" : "false")),
                   int4_arg(s.step.statement), int4_arg(s.line), text_arg(s.step.sql)});
}

std::vector<StoredStep> load_steps(const std::string& project, const std::string& phase) {
    const auto rows = spi_query("SELECT stage, top_level, statement::pg_catalog.text, "
                                "line::pg_catalog.text, sql FROM migrations_schema.expansion_step "
                                "WHERE project OPERATOR(pg_catalog.=) $1 "
                                "AND phase OPERATOR(pg_catalog.=) $2 ORDER BY n",
                                {text_arg(project), text_arg(phase)});
    std::vector<StoredStep> out;
    for (std::uint64_t i = 0; i < rows; ++i) {
        StoredStep s;
        s.when = spi_required_text(i, 1);
        s.step.top_level = spi_bool(i, 2);
        s.step.statement = std::stoi(spi_required_text(i, 3));
        s.line = std::stoi(spi_required_text(i, 4));
        s.step.sql = spi_required_text(i, 5);
        out.push_back(std::move(s));
    }
    return out;
}

void insert_backfill(const std::string& project, const BackfillState& b) {
    spi_query("INSERT INTO migrations_schema.backfill "
              "(project, schema_name, table_name, key_column, key_type, check_sql) "
              "VALUES ($1, $2, $3, $4, $5, $6)",
              {text_arg(project), text_arg(b.schema), text_arg(b.table), text_arg(b.key),
               text_arg(b.key_type), text_arg(b.check)});
}

std::vector<BackfillState> load_backfill(const std::string& project) {
    const auto rows = spi_query(
        "SELECT schema_name, table_name, key_column, key_type, check_sql, last_key, "
        "rows_done::pg_catalog.text, rows_total::pg_catalog.text, done "
        "FROM migrations_schema.backfill WHERE project OPERATOR(pg_catalog.=) $1 "
        "ORDER BY schema_name, table_name",
        {text_arg(project)});
    std::vector<BackfillState> out;
    for (std::uint64_t i = 0; i < rows; ++i) {
        BackfillState b;
        b.schema = spi_required_text(i, 1);
        b.table = spi_required_text(i, 2);
        b.key = spi_required_text(i, 3);
        b.key_type = spi_required_text(i, 4);
        b.check = spi_required_text(i, 5);
        b.last_key = spi_text(i, 6);
        b.rows_done = std::stoll(spi_required_text(i, 7));
        if (auto total = spi_text(i, 8))
            b.rows_total = std::stoll(*total);
        b.done = spi_bool(i, 9);
        out.push_back(std::move(b));
    }
    return out;
}

void record_backfill_batch(const std::string& project, const BackfillState& b,
                           const std::optional<std::string>& last_key, std::int64_t rows,
                           std::optional<std::int64_t> total, bool done) {
    spi_query("UPDATE migrations_schema.backfill SET last_key = $4, "
              "rows_done = rows_done OPERATOR(pg_catalog.+) $5::pg_catalog.int8, "
              "rows_total = COALESCE($6::pg_catalog.int8, rows_total), done = $7::pg_catalog.bool "
              "WHERE project OPERATOR(pg_catalog.=) $1 AND schema_name OPERATOR(pg_catalog.=) $2 "
              "AND table_name OPERATOR(pg_catalog.=) $3",
              {text_arg(project), text_arg(b.schema), text_arg(b.table), text_arg(last_key),
               text_arg(std::to_string(rows)), int8_text_arg(total),
               text_arg(std::string(done ? "true" : "false"))});
}

}  // namespace ms::pg
