// Taking over from another migration tool: which registered migrations that tool's tracking
// table says are applied. The shell reads the table; this decides what its rows mean.
#pragma once

#include "core/plan/planner.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

enum class ImportSource {
    Flyway,            // flyway_schema_history
    GolangMigrate,     // schema_migrations(version bigint, dirty boolean): one row, the current version
    Dbmate,            // schema_migrations(version)
    NodePgMigrate,     // pgmigrations(name)
    TypeOrm,           // migrations(timestamp, name)
    Sqitch,            // sqitch.changes(change)
    Liquibase,         // databasechangelog(id, filename, exectype)
    SchemaMigrations,  // hand-written runners: schema_migrations(version) or (migration_name)
    Table,             // any table, through a TableMapping
};

// A team's own tracking table, named with its columns: "migrations_log(name, run_at)" reads
// the table migrations_log, matching each row's name to a registered migration (by version,
// by name, or by the version that starts a file name) in the order of run_at.
struct TableMapping {
    std::optional<std::string> schema;
    std::string table;
    std::string key_column;                       // a version or a migration's (file) name
    std::optional<std::string> applied_at_column;  // the order the rows were applied in
};

// "[schema.]table(key_column[, applied_at_column])", identifiers as SQL spells them (bare
// ones folded to lower case, "quoted" ones kept). nullopt when `source` has no parenthesis
// (a known tool's name); Failure(InvalidValue) when it has one but is malformed.
std::optional<TableMapping> parse_table_mapping(std::string_view source);

// Throws Failure(InvalidValue) naming the known sources.
ImportSource parse_import_source(std::string_view name);
const char* import_source_name(ImportSource source) noexcept;

// One row of the other tool's table, in the order the tool wrote them.
struct ForeignRecord {
    enum class Status { Applied, Failed, Dirty, Undone };
    std::string key;        // a version, a change name or a file name, as the tool stores it
    std::string alternate;  // a second way to find it (Liquibase's file name), may be empty
    Status status = Status::Applied;
};

enum class ImportOutcome { Imported, AlreadyApplied, NotRegistered };
const char* import_outcome_name(ImportOutcome o) noexcept;

struct ImportLine {
    std::string source_key;              // what the other tool recorded
    std::optional<std::string> version;  // the registered migration it matched
    std::string name;
    ImportOutcome outcome;
};

// Matched migrations in version order, then what matched nothing. A failed or dirty record
// refuses the whole import (Failure Conflict): the other tool left a half-applied state
// that must be resolved there first. A record matches a registered migration by its version,
// by the migration's name (Sqitch changes), or by the version that starts its file name.
// A record is identified by its key and alternate together; a Liquibase changeset whose
// file name starts with a version is that version's (its id only numbers it in the file).
std::vector<ImportLine> plan_import(ImportSource source, const std::vector<ForeignRecord>& records,
                                    const std::vector<Registered>& registered,
                                    const std::vector<Applied>& applied);

}  // namespace ms::core
