// ALTER TABLE for the lint: the lock PostgreSQL itself takes for the subcommands together
// (AlterTableGetLockLevel reads the raw subcommands, as ProcessUtility does), and what each
// subcommand does to existing rows.
#include "pg/lint/tree_common.hpp"

extern "C" {
#include "commands/tablecmds.h"
#include "nodes/nodeFuncs.h"
}

namespace ms::pg::lint_tree {

namespace {

// raw_expression_tree_walker callback: collects every function call as a LintFunction.
bool collect_function_calls(Node* node, void* context) {
    if (node == nullptr)
        return false;
    if (IsA(node, FuncCall)) {
        List* names = reinterpret_cast<FuncCall*>(node)->funcname;
        const int n = list_length(names);
        if (n > 0) {
            auto* f = static_cast<LintFunction*>(palloc(sizeof(LintFunction)));
            f->name = strVal(llast(names));
            f->schema = n >= 2 ? strVal(list_nth(names, n - 2)) : nullptr;
            f->nargs = list_length(reinterpret_cast<FuncCall*>(node)->args);
            auto* found = static_cast<List**>(context);
            *found = lappend(*found, f);
        }
    }
    // Going through void (*)(void), the type that matches every function pointer, keeps
    // -Wcast-function-type quiet about the server's unprototyped walker type.
    return raw_expression_tree_walker(
        node,
        reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect_function_calls)),
        context);
}

}  // namespace

List* function_calls(Node* expr) {
    List* found = NIL;
    (void)collect_function_calls(expr, &found);
    return found;
}

void describe_column_type(const ColumnDef* def, LintTreeStatement* out, LintRelation relation) {
    if (def->typeName == nullptr || def->typeName->names == NIL || def->typeName->pct_type)
        return;
    LintAction* a = add_action(out, LintAct::ColumnType, relation);
    a->column = def->colname;
    a->type_last_name = strVal(llast(def->typeName->names));
    a->modifier_count = list_length(def->typeName->typmods);
}

namespace {

bool is_null_constant(const Node* expr) {
    return expr != nullptr && IsA(expr, A_Const) && reinterpret_cast<const A_Const*>(expr)->isnull;
}

// CHECK (column IS NOT NULL): the column, else null.
const char* not_null_check_column(const Node* expr) {
    if (expr == nullptr || !IsA(expr, NullTest))
        return nullptr;
    const auto* test = reinterpret_cast<const NullTest*>(expr);
    if (test->nulltesttype != IS_NOT_NULL || test->arg == nullptr ||
        !IsA(test->arg, ColumnRef))
        return nullptr;
    List* fields = reinterpret_cast<const ColumnRef*>(test->arg)->fields;
    if (list_length(fields) != 1 || !IsA(linitial(fields), String))
        return nullptr;
    return strVal(linitial(fields));
}

void describe_add_column(const ColumnDef* def, LintAction* a) {
    a->column = def->colname;
    a->not_null = def->is_not_null;
    if (def->typeName != nullptr && def->typeName->names != NIL)
        a->type_last_name = strVal(llast(def->typeName->names));
    ListCell* cell;
    foreach (cell, def->constraints) {
        const auto* c = static_cast<const Constraint*>(lfirst(cell));
        switch (c->contype) {
        case CONSTR_NOTNULL:
            a->not_null = true;
            break;
        case CONSTR_PRIMARY:
            a->not_null = true;
            a->inline_unique = true;
            break;
        case CONSTR_UNIQUE:
            a->inline_unique = true;
            break;
        case CONSTR_FOREIGN:
            a->inline_foreign_key = true;
            break;
        case CONSTR_DEFAULT:
            // DEFAULT NULL is no default: the rows still get NULL.
            if (!is_null_constant(c->raw_expr)) {
                a->has_default = true;
                a->default_functions = function_calls(c->raw_expr);
            }
            break;
        case CONSTR_IDENTITY:
            a->fills_rows = true;
            break;
        case CONSTR_GENERATED:
            a->fills_rows = true;
            break;
        default:
            break;
        }
    }
}

void describe_type_change(const char* column, const ColumnDef* def, LintAction* a) {
    a->column = column;
    a->using_expression = def->raw_default != nullptr;
    const TypeName* type = def->typeName;
    if (type == nullptr || type->pct_type || type->names == NIL)
        return;
    a->type_name = type_name_text(type->names);
    if (a->type_name != nullptr && type->arrayBounds != NIL)
        a->type_name = psprintf("%s[]", a->type_name);
    ListCell* cell;
    foreach (cell, type->typmods) {
        const auto* mod = static_cast<const Node*>(lfirst(cell));
        if (a->modifier_count < 0 || a->modifier_count >= 2 || !IsA(mod, A_Const) ||
            !IsA(&reinterpret_cast<const A_Const*>(mod)->val, Integer)) {
            a->modifier_count = -1;
            continue;
        }
        a->modifiers[a->modifier_count++] =
            reinterpret_cast<const A_Const*>(mod)->val.ival.ival;
    }
}

void describe_constraint(const Constraint* c, LintAction* a) {
    a->name = c->conname;
    switch (c->contype) {
    case CONSTR_CHECK:
        a->constraint = LintConstraint::Check;
        a->not_null_column = not_null_check_column(c->raw_expr);
        break;
    case CONSTR_FOREIGN:
        a->constraint = LintConstraint::ForeignKey;
        a->referenced = relation_of(c->pktable);
        break;
    case CONSTR_UNIQUE: a->constraint = LintConstraint::Unique; break;
    case CONSTR_PRIMARY: a->constraint = LintConstraint::PrimaryKey; break;
    case CONSTR_EXCLUSION: a->constraint = LintConstraint::Exclusion; break;
    default: a->constraint = LintConstraint::Other; break;
    }
    a->not_valid = c->skip_validation;
    a->using_index = c->indexname != nullptr;
}

}  // namespace

void describe_alter_table(const AlterTableStmt* stmt, LintTreeStatement* out) {
    const LintRelation relation = relation_of(stmt->relation);
    set_lock(out, AlterTableGetLockLevel(stmt->cmds), relation);
    ListCell* cell;
    foreach (cell, stmt->cmds) {
        const auto* cmd = static_cast<const AlterTableCmd*>(lfirst(cell));
        switch (cmd->subtype) {
        case AT_AddColumn:
            if (cmd->def != nullptr && IsA(cmd->def, ColumnDef)) {
                describe_add_column(reinterpret_cast<const ColumnDef*>(cmd->def),
                                    add_action(out, LintAct::AddColumn, relation));
                describe_column_type(reinterpret_cast<const ColumnDef*>(cmd->def), out,
                                     relation);
            }
            break;
        case AT_DropNotNull:
            add_action(out, LintAct::DropNotNull, relation)->column = cmd->name;
            break;
        case AT_AlterColumnType:
            if (cmd->def != nullptr && IsA(cmd->def, ColumnDef))
                describe_type_change(cmd->name, reinterpret_cast<const ColumnDef*>(cmd->def),
                                     add_action(out, LintAct::AlterColumnType, relation));
            break;
        case AT_SetNotNull:
            add_action(out, LintAct::SetNotNull, relation)->column = cmd->name;
            break;
        case AT_AddConstraint:
            if (cmd->def != nullptr && IsA(cmd->def, Constraint))
                describe_constraint(reinterpret_cast<const Constraint*>(cmd->def),
                                    add_action(out, LintAct::AddConstraint, relation));
            break;
        case AT_ValidateConstraint:
            add_action(out, LintAct::ValidateConstraint, relation)->name = cmd->name;
            break;
        case AT_DropColumn:
            add_action(out, LintAct::DropColumn, relation)->column = cmd->name;
            break;
        case AT_SetLogged:
        case AT_SetUnLogged:
            add_action(out, LintAct::SetLogged, relation)->logged = cmd->subtype == AT_SetLogged;
            break;
        case AT_DetachPartition: {
            const bool concurrent =
                cmd->def != nullptr && reinterpret_cast<const PartitionCmd*>(cmd->def)->concurrent;
            if (concurrent)
                out->concurrently = "DETACH PARTITION CONCURRENTLY";
            add_action(out, LintAct::DetachPartition, relation)->concurrent = concurrent;
            break;
        }
        default:
            break;
        }
    }
}

}  // namespace ms::pg::lint_tree
