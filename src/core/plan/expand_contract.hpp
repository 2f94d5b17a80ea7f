// Expand and contract from a plain script: which statements of a migration can run in two
// phases while an old and a new version of an application share the database, and what each
// phase does. Start (expand) makes only additive changes and publishes two schemas of views,
// one per version, over the physical tables; triggers keep an old and a new column in step
// while both live; a backfill fills the new column of existing rows. Complete (contract)
// removes what only the old version needed and applies the constraints. Abort removes what
// start added. The shell reads the statements with the server's parser and the tables from
// the catalog; everything decided here is SQL text for it to run.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

// "-- migrate:expand-contract" among the comment lines that open the script.
bool has_expand_contract_marker(std::string_view script);

// Every "-- migrate:down-expression [table.]column = expression" line of the script: the
// old column's value computed from the new one, for a type change whose way back is not a
// cast. Keys are "column" or "table.column" as written (lower-cased unless quoted). A
// malformed directive throws Failure(Syntax) naming its line.
std::map<std::string, std::string> down_expressions(std::string_view script);

// The schema of views a version's clients put on their search_path: "<project>_<version>".
// A name longer than the server keeps (63 bytes) throws Failure(InvalidValue).
std::string version_schema_name(const std::string& project, const std::string& version);

// What one statement (or one subcommand of an ALTER TABLE) asks for, as the parser read it.
enum class EcKind {
    AddColumn,        // ALTER TABLE t ADD COLUMN c type [DEFAULT d] [NOT NULL]
    RenameColumn,     // ALTER TABLE t RENAME COLUMN a TO b
    AlterColumnType,  // ALTER TABLE t ALTER COLUMN c TYPE type [USING expr]
    SetNotNull,       // ALTER TABLE t ALTER COLUMN c SET NOT NULL
    DropNotNull,      // ALTER TABLE t ALTER COLUMN c DROP NOT NULL
    AddCheck,         // ALTER TABLE t ADD CONSTRAINT n CHECK (...)
    AddForeignKey,    // ALTER TABLE t ADD CONSTRAINT n FOREIGN KEY (...) REFERENCES ...
    AddUnique,        // ALTER TABLE t ADD CONSTRAINT n UNIQUE (cols)
    DropColumn,       // ALTER TABLE t DROP COLUMN c
    RenameTable,      // ALTER TABLE t RENAME TO u
    CreateIndex,      // CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON t ...
    DropIndex,        // DROP INDEX [CONCURRENTLY] name
    CreateTable,      // CREATE TABLE t (...)
    DropTable,        // DROP TABLE t
    Unsupported,      // anything else: `what` says what it is
};

struct EcStatement {
    EcKind kind = EcKind::Unsupported;
    int number = 0;  // 1-based statement number in the script
    int line = 0;
    std::string what;      // for Unsupported and refusals: the command, e.g. "ALTER TABLE ... SET DEFAULT"
    std::string text;      // the statement's text (CREATE TABLE, CREATE INDEX)
    std::string schema;    // the relation's schema, resolved by the shell
    std::string table;     // the relation (DROP INDEX: the index's table is not needed)
    std::string column;
    std::string new_name;  // RENAME COLUMN / RENAME TO
    std::string type;      // ADD COLUMN, TYPE: as written
    std::optional<std::string> default_expr;
    bool not_null = false;
    std::optional<std::string> using_expr;
    std::string constraint;          // ADD CONSTRAINT: its name ("" when unnamed)
    std::string constraint_text;     // "CONSTRAINT n CHECK (...)", as written
    bool constraint_not_valid = false;  // written NOT VALID already
    std::vector<std::string> columns;   // UNIQUE (cols)
    std::string index;                  // CREATE / DROP INDEX: the index name
    bool cascade = false;               // DROP ... CASCADE
};

struct EcColumn {
    std::string name;
    std::string type;  // format_type() text
    bool not_null = false;
    bool has_default = false;
    // Used by an index, a constraint or a default: a copy under another type would not
    // carry them over, so a type change is refused.
    bool constrained = false;
};

// A table of the schema the migration changes, as the catalog has it before start.
struct EcTable {
    std::string schema;
    std::string name;
    std::vector<EcColumn> columns;
    std::string key;  // its single-column primary key ("" when it has none)
};

// One piece of work: SQL run in a transaction of its own, or at top level by the background
// worker (CREATE / DROP INDEX CONCURRENTLY).
struct EcStep {
    std::string sql;
    bool top_level = false;
    int statement = 0;  // the script statement it comes from (0: the machinery's own)
};

// A phase: `before` steps each on their own (scans that must not hold strong locks, index
// builds), then `main` in one short transaction, then `after` steps each on their own.
struct EcPhase {
    std::vector<EcStep> before;
    std::vector<EcStep> main;
    std::vector<EcStep> after;
};

// A table whose new columns the backfill fills: no-op updates of key ranges fire the sync
// triggers. `check` counts the rows whose new columns disagree with the old ones.
struct EcBackfill {
    std::string schema;
    std::string table;
    std::string key;
    std::string check;
};

// A view of the old version: `name` in the old version's schema, created when missing.
struct EcView {
    std::string name;
    std::string sql;
};

struct EcPlan {
    std::string old_schema;
    std::string new_schema;
    EcPhase start;     // additive changes, the new version's views, the sync triggers
    std::vector<EcView> old_views;
    std::vector<EcBackfill> backfill;
    EcPhase complete;  // drops the sync triggers and the old version's schema first
    EcPhase abort;     // drops the new version's schema and the sync triggers first
};

struct EcNames {
    std::string project;
    std::string version;
    std::string old_schema;  // the schema of the version before this one
    std::string new_schema;
};

// Decides the whole plan, or throws Failure(Unsupported) naming the first statement that an
// expand/contract migration cannot hold (with `statement` and `line` set in its context).
EcPlan plan_expand_contract(const std::vector<EcStatement>& statements,
                            const std::vector<EcTable>& tables,
                            const std::map<std::string, std::string>& down,
                            const EcNames& names);

// "identifier" with inner quotes doubled: every generated name is quoted, so a keyword or
// a mixed-case name is never misread.
std::string quote_name(const std::string& name);

}  // namespace ms::core
