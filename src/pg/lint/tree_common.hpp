// Helpers shared by the C-style parse-tree walkers of the lint (lint_tree*.cpp). They
// palloc and may raise: call them only under pg_call, like describe_for_lint().
#pragma once

#include "pg/lint/tree.hpp"

extern "C" {
#include "storage/lockdefs.h"
}

namespace ms::pg::lint_tree {

LintRelation relation_of(const RangeVar* rv);
// A qualified name list (DROP TABLE a.b); a name of more than three parts gives none.
LintRelation relation_of_names(List* names);

// A type's qualified name list as to_regtype() reads it: schema.name, quoted; a database
// name in front is dropped (to_regtype would raise on it), a longer list gives null.
const char* type_name_text(List* names);

// Appends a zeroed action of this kind on this relation.
LintAction* add_action(LintTreeStatement* out, LintAct act, LintRelation relation);

// Sets the statement's lock and the relation it is taken on.
void set_lock(LintTreeStatement* out, LOCKMODE mode, LintRelation relation);

// A DefElem option that is on (VACUUM (FULL), REINDEX (CONCURRENTLY)); never raises for a
// malformed value, which the statement itself would reject at run time.
bool option_is_on(List* options, const char* name);

// Every function an expression calls: a List of LintFunction*.
List* function_calls(Node* expr);

// A column's type, for the style rules.
void describe_column_type(const ColumnDef* def, LintTreeStatement* out, LintRelation relation);

// ALTER TABLE: the lock of all subcommands together, and the actions of each.
void describe_alter_table(const AlterTableStmt* stmt, LintTreeStatement* out);

// DO and CREATE FUNCTION / PROCEDURE: a body that runs SQL built at run time.
void describe_dynamic_sql(Node* stmt, LintTreeStatement* out);

}  // namespace ms::pg::lint_tree
