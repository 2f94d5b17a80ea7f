// What one parsed statement does, as far as the lint rules care: the lock it takes and the
// actions a rule may object to. Plain data only: describe_for_lint() fills it under pg_call,
// where no C++ object may live (CONTRIBUTING.md, "Errors"), and the rules read it afterwards. Strings point
// into the parse tree or are palloc'd next to it.
#pragma once

#include "pg/base/pg.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace ms::pg {

enum class LintAct {
    CreateRelation,      // CREATE TABLE / TABLE AS / MATERIALIZED VIEW / INDEX: new to the script
    CreateIndex,         // name: index name; concurrent, if_not_exists; only_parent: ON ONLY
    DropIndex,           // relation: the index
    Reindex,             // relation: the index or table, or none for SCHEMA/DATABASE/SYSTEM
    AddColumn,           // column, not_null, has_default, fills_rows, default_functions
    AlterColumnType,     // column, type_name, modifiers, using_expression
    SetNotNull,          // column
    AddConstraint,       // name, constraint, not_valid, using_index, not_null_column
    ValidateConstraint,  // name
    DropColumn,          // column
    DropTable,
    Truncate,
    RenameTable,         // name: the new name
    RenameColumn,        // column, name: the new name
    FullRewrite,         // name: "VACUUM FULL" or "CLUSTER"; relation may be none (all)
    SetLogged,           // logged: SET LOGGED (true) or SET UNLOGGED
    AddEnumValue,        // name: the value, type_name: the enum, if_not_exists
    UnboundedDml,        // name: "UPDATE" or "DELETE"
    SetLockTimeout,      // name: the value, or null for RESET / SET ... TO DEFAULT
    BeginBlock,          // BEGIN / START TRANSACTION
    EndBlock,            // COMMIT / END / ROLLBACK
    DetachPartition,     // concurrent; relation: the parent
    DropNotNull,         // column
    RenameObject,        // type_name: what ("schema", "enum value"), name: old, column: new
    DropObject,          // type_name: what ("schema", "type", "database"), name; logged: CASCADE
    ColumnType,          // column, type_last_name, modifier_count (style rules)
    CreateFunction,      // name, logged: volatility given as IMMUTABLE or STABLE (name of it
                         // in type_name: "i", "s" or "v")
    DomainConstraint,    // type_name: the domain, name: constraint, not_valid
    CreateDomainCheck,   // type_name: the domain
    DynamicSql,          // name: "DO block" or the function, type_name: its language
};

enum class LintConstraint { Other, Check, ForeignKey, Unique, PrimaryKey, Exclusion };

// A relation as written; name null: none.
struct LintRelation {
    const char* schema;
    const char* name;
    const char* written;  // quoted, schema-qualified if it was written so
};

// A function called in an expression, as written (schema null: found on the search path).
struct LintFunction {
    const char* schema;
    const char* name;
};

struct LintAction {
    LintAct act;
    LintRelation relation;
    LintRelation referenced;       // ADD CONSTRAINT ... FOREIGN KEY: the referenced table
    const char* column;
    const char* name;
    const char* type_name;         // quoted, for to_regtype; null: not resolvable (%TYPE)
    const char* type_last_name;    // ADD COLUMN: the type's own name, to spot serial
    int modifiers[2];              // the new type's modifiers as written
    int modifier_count;            // -1: modifiers that are not integer constants
    List* default_functions;       // ADD COLUMN default: the LintFunction* it calls
    List* index_functions;         // CREATE INDEX: functions in its expressions and predicate
    const char* not_null_column;   // ADD CONSTRAINT ... CHECK (column IS NOT NULL)
    LintConstraint constraint;
    bool concurrent;
    bool if_not_exists;
    bool only_parent;
    bool not_null;
    bool has_default;
    bool fills_rows;               // identity, serial or stored generated column
    bool not_valid;
    bool using_index;
    bool using_expression;
    bool logged;
    bool inline_unique;            // ADD COLUMN ... UNIQUE / PRIMARY KEY
    bool inline_foreign_key;       // ADD COLUMN ... REFERENCES
};

struct LintTreeStatement {
    const char* lock_mode;       // "AccessExclusiveLock", ...; null: no relation lock
    LintRelation lock_relation;  // the relation it locks (name null: none)
    const char* concurrently;    // "CREATE INDEX CONCURRENTLY", ...; null: not such a form
    List* actions;               // of LintAction*
};

// Fills *out (zeroed by the caller) from one raw statement. C-style; run it under pg_call
// with the parse context current.
void describe_for_lint(Node* stmt, LintTreeStatement* out);

// A copy of *in, strings and lists included, in the current memory context: what outlives
// the parse tree it was described from. C-style, under pg_call.
LintTreeStatement* copy_lint_tree(const LintTreeStatement* in);

}  // namespace ms::pg
