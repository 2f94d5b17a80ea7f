#include "pg/registry/foreign_tables.hpp"

#include "core/base/failure.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"

extern "C" {
#include "utils/ruleutils.h"
}

namespace ms::pg {

namespace {

using Status = core::ForeignRecord::Status;

const char* table_of(core::ImportSource source) {
    switch (source) {
    case core::ImportSource::Flyway: return "flyway_schema_history";
    case core::ImportSource::GolangMigrate:
    case core::ImportSource::Dbmate:
    case core::ImportSource::SchemaMigrations: return "schema_migrations";
    case core::ImportSource::NodePgMigrate: return "pgmigrations";
    case core::ImportSource::TypeOrm: return "migrations";
    case core::ImportSource::Sqitch: return "changes";
    case core::ImportSource::Liquibase: return "databasechangelog";
    case core::ImportSource::Table: return "";
    }
    return "";
}

std::string quoted(const std::string& identifier) {
    return pg_call([&] { return quote_identifier(identifier.c_str()); });
}

// The table's name as schema-qualified, quoted SQL, from the catalog.
std::string locate_table(core::ImportSource source, const std::optional<std::string>& schema,
                         const std::optional<core::TableMapping>& mapping) {
    std::optional<std::string> in_schema = schema;
    if (!in_schema && source == core::ImportSource::Sqitch)
        in_schema = "sqitch";
    if (mapping && mapping->schema)
        in_schema = mapping->schema;
    const std::string table = mapping ? mapping->table : table_of(source);
    const std::string lookup = in_schema ? quoted(*in_schema) + "." + quoted(table) : quoted(table);
    const auto rows = spi_query_caller_names(
        "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
        "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)",
        {text_arg(lookup)});
    if (rows == 0)
        throw core::Failure(core::FailureKind::NotFound,
                            std::string(mapping ? "the" : core::import_source_name(source)) +
                                " table \"" + table +
                                "\" not found",
                            in_schema ? "Looked in schema \"" + *in_schema + "\"."
                                      : std::string("Looked on the search_path."),
                            "Pass source_schema => the schema that holds it.");
    return spi_required_text(0, 1);
}

bool has_column(const std::string& table, const char* column) {
    return spi_query(
               "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) "
               "$1::pg_catalog.regclass AND attname OPERATOR(pg_catalog.=) $2 "
               "AND NOT attisdropped",
               {text_arg(table), text_arg(std::string(column))}) > 0;
}

// A mapped table: each column must exist (named in the error otherwise); the key is read as
// text, in the order of the applied-at column when there is one, then of the key.
std::string mapped_query(const core::TableMapping& mapping, const std::string& table) {
    for (const auto* column : {&mapping.key_column, mapping.applied_at_column
                                                        ? &*mapping.applied_at_column
                                                        : nullptr})
        if (column != nullptr && !has_column(table, column->c_str()))
            throw core::Failure(core::FailureKind::NotFound,
                                "table " + table + " has no column \"" + *column + "\"", {},
                                "Name the table's version or name column, then its applied-at "
                                "column: table(name, run_at).");
    const std::string key = quoted(mapping.key_column);
    std::string order = key;
    if (mapping.applied_at_column)
        order = quoted(*mapping.applied_at_column) + " NULLS LAST, " + key;
    return "SELECT " + key + "::text, '', 'applied' FROM " + table + " ORDER BY " + order;
}

std::string query_for(core::ImportSource source, const std::string& table) {
    switch (source) {
    case core::ImportSource::Table:
        break;
    case core::ImportSource::Flyway:
        return "SELECT version::pg_catalog.text, '', CASE WHEN NOT success THEN 'failed' "
               "WHEN type OPERATOR(pg_catalog.~~) 'UNDO%' "
               "OR type OPERATOR(pg_catalog.=) 'DELETE' THEN 'undone' ELSE 'applied' END "
               "FROM " + table + " WHERE version IS NOT NULL ORDER BY installed_rank";
    case core::ImportSource::GolangMigrate:
        return "SELECT version::pg_catalog.text, '', CASE WHEN dirty THEN 'dirty' ELSE 'applied' END "
               "FROM " + table;
    case core::ImportSource::Dbmate:
        return "SELECT version::pg_catalog.text, '', 'applied' FROM " + table + " ORDER BY version";
    case core::ImportSource::NodePgMigrate:
        return "SELECT name::pg_catalog.text, '', 'applied' FROM " + table + " ORDER BY run_on, id";
    case core::ImportSource::TypeOrm:
        return "SELECT \"timestamp\"::pg_catalog.text, name::pg_catalog.text, 'applied' FROM " + table + " ORDER BY id";
    case core::ImportSource::Sqitch:
        return "SELECT change::pg_catalog.text, '', 'applied' FROM " + table + " ORDER BY committed_at";
    case core::ImportSource::Liquibase:
        // SKIPPED changesets never ran; FAILED ones are half-applied.
        return "SELECT id::pg_catalog.text, filename::pg_catalog.text, "
               "CASE WHEN exectype OPERATOR(pg_catalog.=) 'FAILED' THEN 'failed' "
               "WHEN exectype OPERATOR(pg_catalog.=) 'SKIPPED' THEN 'undone' ELSE 'applied' END "
               "FROM " + table + " ORDER BY orderexecuted";
    case core::ImportSource::SchemaMigrations:
        if (has_column(table, "version"))
            return "SELECT version::pg_catalog.text, '', 'applied' FROM " + table + " ORDER BY 1";
        if (has_column(table, "migration_name"))
            return "SELECT migration_name::pg_catalog.text, '', 'applied' FROM " + table + " ORDER BY 1";
        throw core::Failure(core::FailureKind::NotFound,
                            "table " + table + " has neither a version nor a migration_name column",
                            {}, "Hand-written runners are read by one of those two columns.");
    }
    return {};
}

Status status_from(const std::string& text) {
    if (text == "failed")
        return Status::Failed;
    if (text == "dirty")
        return Status::Dirty;
    return text == "undone" ? Status::Undone : Status::Applied;
}

}  // namespace

std::vector<core::ForeignRecord> read_foreign_records(
    core::ImportSource source, const std::optional<std::string>& schema,
    const std::optional<core::TableMapping>& mapping) {
    if (source == core::ImportSource::Table && !mapping)
        throw core::Failure(core::FailureKind::InvalidValue,
                            "the import source \"table\" needs its columns", {},
                            "Name a table with its columns: migrations_log(name, run_at).");
    const std::string table = locate_table(source, schema, mapping);
    // The table may be a view calling functions of the caller's: whatever they do is not the
    // runner's work (not exempt from the drift log or migrations_schema.ddl_guard).
    std::uint64_t rows = 0;
    {
        CallerQueryScope caller_query;
        const std::string query =
            mapping ? mapped_query(*mapping, table) : query_for(source, table);
        rows = spi_query(query.c_str(), {});
    }
    std::vector<core::ForeignRecord> records;
    records.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i) {
        auto key = spi_text(i, 1);
        if (!key)
            continue;
        records.push_back(core::ForeignRecord{std::move(*key), spi_text(i, 2).value_or(""),
                                              status_from(spi_required_text(i, 3))});
    }
    return records;
}

}  // namespace ms::pg
