// The statement-level walker of the lint: which lock each kind of statement takes and what
// it does. ALTER TABLE's subcommands are in lint_tree_alter.cpp.
#include "pg/lint/tree.hpp"

#include "pg/lint/tree_common.hpp"

extern "C" {
#include "storage/lock.h"
#include "utils/ruleutils.h"
}

namespace ms::pg {

namespace lint_tree {

LintRelation relation_of(const RangeVar* rv) {
    if (rv == nullptr || rv->relname == nullptr)
        return LintRelation{nullptr, nullptr, nullptr};
    return LintRelation{rv->schemaname, rv->relname,
                        quote_qualified_identifier(rv->schemaname, rv->relname)};
}

LintRelation relation_of_names(List* names) {
    // A database name in front is the current database (or the statement fails anyway).
    const int n = list_length(names);
    if (n < 1 || n > 3)
        return LintRelation{nullptr, nullptr, nullptr};
    const char* name = strVal(llast(names));
    const char* schema = n >= 2 ? strVal(list_nth(names, n - 2)) : nullptr;
    return LintRelation{schema, name, quote_qualified_identifier(schema, name)};
}

const char* type_name_text(List* names) {
    const LintRelation name = relation_of_names(names);
    return name.written;
}

LintAction* add_action(LintTreeStatement* out, LintAct act, LintRelation relation) {
    auto* action = static_cast<LintAction*>(palloc0(sizeof(LintAction)));
    action->act = act;
    action->relation = relation;
    out->actions = lappend(out->actions, action);
    return action;
}

void set_lock(LintTreeStatement* out, LOCKMODE mode, LintRelation relation) {
    if (relation.name == nullptr)
        return;
    out->lock_mode = GetLockmodeName(DEFAULT_LOCKMETHOD, mode);
    out->lock_relation = relation;
}

bool option_is_on(List* options, const char* name) {
    ListCell* cell;
    foreach (cell, options) {
        const auto* opt = static_cast<const DefElem*>(lfirst(cell));
        if (strcmp(opt->defname, name) != 0)
            continue;
        if (opt->arg == nullptr)
            return true;
        if (IsA(opt->arg, Integer))
            return intVal(opt->arg) != 0;
        if (IsA(opt->arg, Boolean))
            return boolVal(opt->arg);
        bool value = false;
        return IsA(opt->arg, String) && parse_bool(strVal(opt->arg), &value) && value;
    }
    return false;
}

}  // namespace lint_tree

namespace {

using namespace lint_tree;

void describe_index(const IndexStmt* index, LintTreeStatement* out) {
    const LintRelation table = relation_of(index->relation);
    set_lock(out, index->concurrent ? ShareUpdateExclusiveLock : ShareLock, table);
    if (index->concurrent)
        out->concurrently = "CREATE INDEX CONCURRENTLY";
    LintAction* a = add_action(out, LintAct::CreateIndex, table);
    a->name = index->idxname;
    a->concurrent = index->concurrent;
    a->if_not_exists = index->if_not_exists;
    a->only_parent = index->relation != nullptr && !index->relation->inh;
    // Functions in the expressions and the predicate must be IMMUTABLE.
    a->index_functions = function_calls(index->whereClause);
    ListCell* param;
    foreach (param, index->indexParams) {
        const auto* elem = static_cast<const IndexElem*>(lfirst(param));
        if (elem->expr != nullptr)
            a->index_functions = list_concat(a->index_functions, function_calls(elem->expr));
    }
    // An index lives in its table's schema.
    if (index->idxname != nullptr)
        add_action(out, LintAct::CreateRelation,
                   LintRelation{table.schema, index->idxname,
                                quote_qualified_identifier(table.schema, index->idxname)});
}

void describe_drop(const DropStmt* drop, LintTreeStatement* out) {
    LintAct act;
    switch (drop->removeType) {
    case OBJECT_INDEX: act = LintAct::DropIndex; break;
    case OBJECT_TABLE: act = LintAct::DropTable; break;
    case OBJECT_MATVIEW:
    case OBJECT_VIEW:
    case OBJECT_SEQUENCE:
    case OBJECT_FOREIGN_TABLE:
        if (drop->objects != NIL)
            set_lock(out, AccessExclusiveLock,
                     relation_of_names(static_cast<List*>(linitial(drop->objects))));
        return;
    case OBJECT_SCHEMA:
    case OBJECT_TYPE:
    case OBJECT_DOMAIN: {
        ListCell* object;
        foreach (object, drop->objects) {
            Node* node = static_cast<Node*>(lfirst(object));
            const char* name = IsA(node, String) ? strVal(node)
                               : IsA(node, TypeName)
                                   ? type_name_text(reinterpret_cast<const TypeName*>(node)->names)
                                   : nullptr;
            if (name == nullptr)
                continue;
            LintAction* a = add_action(out, LintAct::DropObject, relation_of(nullptr));
            a->type_name = drop->removeType == OBJECT_SCHEMA ? "schema"
                           : drop->removeType == OBJECT_TYPE ? "type"
                                                             : "domain";
            a->name = name;
            a->logged = drop->behavior == DROP_CASCADE;
        }
        return;
    }
    default: return;
    }
    if (drop->concurrent)
        out->concurrently = "DROP INDEX CONCURRENTLY";
    ListCell* cell;
    foreach (cell, drop->objects) {
        const LintRelation relation = relation_of_names(static_cast<List*>(lfirst(cell)));
        if (relation.name == nullptr)
            continue;
        if (out->lock_mode == nullptr)
            set_lock(out, drop->concurrent ? ShareUpdateExclusiveLock : AccessExclusiveLock,
                     relation);
        add_action(out, act, relation)->concurrent = drop->concurrent;
    }
}

void describe_reindex(const ReindexStmt* reindex, LintTreeStatement* out) {
    // REINDEX SYSTEM has no CONCURRENTLY form to suggest: the server refuses it.
    if (reindex->kind == REINDEX_OBJECT_SYSTEM)
        return;
    const bool concurrent = option_is_on(reindex->params, "concurrently");
    if (concurrent)
        out->concurrently = "REINDEX CONCURRENTLY";
    const LintRelation relation = relation_of(reindex->relation);
    // REINDEX INDEX locks the index exclusively (blocking every query that would use it);
    // REINDEX TABLE takes SHARE on the table, blocking writes.
    set_lock(out,
             concurrent ? ShareUpdateExclusiveLock
             : reindex->kind == REINDEX_OBJECT_INDEX ? AccessExclusiveLock
                                                     : ShareLock,
             relation);
    add_action(out, LintAct::Reindex, relation)->concurrent = concurrent;
}

void describe_rename(const RenameStmt* rename, LintTreeStatement* out) {
    if (rename->renameType == OBJECT_SCHEMA) {
        LintAction* a = add_action(out, LintAct::RenameObject, relation_of(nullptr));
        a->type_name = "schema";
        a->name = rename->subname;
        a->column = rename->newname;
        return;
    }
    const LintRelation relation = relation_of(rename->relation);
    if (rename->renameType == OBJECT_TABLE) {
        set_lock(out, AccessExclusiveLock, relation);
        add_action(out, LintAct::RenameTable, relation)->name = rename->newname;
    } else if (rename->renameType == OBJECT_COLUMN && rename->relationType == OBJECT_TABLE) {
        set_lock(out, AccessExclusiveLock, relation);
        LintAction* a = add_action(out, LintAct::RenameColumn, relation);
        a->column = rename->subname;
        a->name = rename->newname;
    }
}

void describe_vacuum(const VacuumStmt* vacuum, LintTreeStatement* out) {
    const bool full = vacuum->is_vacuumcmd && option_is_on(vacuum->options, "full");
    if (vacuum->rels == NIL) {
        if (full)
            add_action(out, LintAct::FullRewrite, relation_of(nullptr))->name = "VACUUM FULL";
        return;
    }
    ListCell* cell;
    foreach (cell, vacuum->rels) {
        const LintRelation relation =
            relation_of(static_cast<const VacuumRelation*>(lfirst(cell))->relation);
        if (out->lock_mode == nullptr)
            set_lock(out, full ? AccessExclusiveLock : ShareUpdateExclusiveLock, relation);
        if (full)
            add_action(out, LintAct::FullRewrite, relation)->name = "VACUUM FULL";
    }
}

void describe_dml(const RangeVar* rv, const Node* where, const char* what,
                  LintTreeStatement* out) {
    const LintRelation relation = relation_of(rv);
    set_lock(out, RowExclusiveLock, relation);
    if (where == nullptr)
        add_action(out, LintAct::UnboundedDml, relation)->name = what;
}

// The value of SET lock_timeout as written: '5s', 5000 or 0.
const char* setting_value(const VariableSetStmt* set) {
    if (set->kind != VAR_SET_VALUE || set->args == NIL || !IsA(linitial(set->args), A_Const))
        return nullptr;
    const auto* c = static_cast<const A_Const*>(linitial(set->args));
    if (c->isnull)
        return "0";
    switch (nodeTag(&c->val)) {
    case T_Integer: return psprintf("%d", c->val.ival.ival);
    case T_Float: return c->val.fval.fval;
    case T_String: return c->val.sval.sval;
    default: return nullptr;
    }
}

void describe_transaction(const TransactionStmt* t, LintTreeStatement* out) {
    switch (t->kind) {
    case TRANS_STMT_BEGIN:
    case TRANS_STMT_START:
        add_action(out, LintAct::BeginBlock, relation_of(nullptr));
        break;
    case TRANS_STMT_COMMIT:
    case TRANS_STMT_ROLLBACK:
        add_action(out, LintAct::EndBlock, relation_of(nullptr));
        break;
    default:
        break;
    }
}

}  // namespace

void describe_for_lint(Node* stmt, LintTreeStatement* out) {
    switch (nodeTag(stmt)) {
    case T_CreateStmt: {
        const auto* create = reinterpret_cast<const CreateStmt*>(stmt);
        add_action(out, LintAct::CreateRelation, relation_of(create->relation));
        ListCell* element;
        foreach (element, create->tableElts)
            if (IsA(lfirst(element), ColumnDef))
                describe_column_type(static_cast<const ColumnDef*>(lfirst(element)), out,
                                     relation_of(create->relation));
        // CREATE TABLE ... PARTITION OF locks the parent exclusively.
        if (create->partbound != nullptr && create->inhRelations != NIL)
            set_lock(out, AccessExclusiveLock,
                     relation_of(static_cast<const RangeVar*>(linitial(create->inhRelations))));
        break;
    }
    case T_CreateTableAsStmt:
        add_action(out, LintAct::CreateRelation,
                   relation_of(reinterpret_cast<const CreateTableAsStmt*>(stmt)->into->rel));
        break;
    case T_IndexStmt:
        describe_index(reinterpret_cast<const IndexStmt*>(stmt), out);
        break;
    case T_DropStmt:
        describe_drop(reinterpret_cast<const DropStmt*>(stmt), out);
        break;
    case T_ReindexStmt:
        describe_reindex(reinterpret_cast<const ReindexStmt*>(stmt), out);
        break;
    case T_AlterTableStmt:
        describe_alter_table(reinterpret_cast<const AlterTableStmt*>(stmt), out);
        break;
    case T_RenameStmt:
        describe_rename(reinterpret_cast<const RenameStmt*>(stmt), out);
        break;
    case T_TruncateStmt: {
        const auto* truncate = reinterpret_cast<const TruncateStmt*>(stmt);
        ListCell* cell;
        foreach (cell, truncate->relations) {
            const LintRelation relation = relation_of(static_cast<const RangeVar*>(lfirst(cell)));
            if (out->lock_mode == nullptr)
                set_lock(out, AccessExclusiveLock, relation);
            add_action(out, LintAct::Truncate, relation)->logged =
                truncate->behavior == DROP_CASCADE;
        }
        break;
    }
    case T_VacuumStmt:
        describe_vacuum(reinterpret_cast<const VacuumStmt*>(stmt), out);
        break;
    case T_ClusterStmt: {
        const LintRelation relation = relation_of(reinterpret_cast<const ClusterStmt*>(stmt)->relation);
        set_lock(out, AccessExclusiveLock, relation);
        add_action(out, LintAct::FullRewrite, relation)->name = "CLUSTER";
        break;
    }
    case T_AlterEnumStmt: {
        const auto* alter = reinterpret_cast<const AlterEnumStmt*>(stmt);
        if (alter->newVal != nullptr && alter->oldVal != nullptr) {
            LintAction* a = add_action(out, LintAct::RenameObject, relation_of(nullptr));
            a->type_name = "enum value";
            a->name = psprintf("%s.%s", type_name_text(alter->typeName), alter->oldVal);
            a->column = alter->newVal;
            break;
        }
        if (alter->newVal == nullptr)
            break;
        LintAction* a = add_action(out, LintAct::AddEnumValue, relation_of(nullptr));
        a->name = alter->newVal;
        a->type_name = type_name_text(alter->typeName);
        a->if_not_exists = alter->skipIfNewValExists;
        break;
    }
    case T_UpdateStmt: {
        const auto* update = reinterpret_cast<const UpdateStmt*>(stmt);
        describe_dml(update->relation, update->whereClause, "UPDATE", out);
        break;
    }
    case T_DeleteStmt: {
        const auto* del = reinterpret_cast<const DeleteStmt*>(stmt);
        describe_dml(del->relation, del->whereClause, "DELETE", out);
        break;
    }
    case T_InsertStmt:
        set_lock(out, RowExclusiveLock,
                 relation_of(reinterpret_cast<const InsertStmt*>(stmt)->relation));
        break;
    case T_CreateTrigStmt:
        set_lock(out, ShareRowExclusiveLock,
                 relation_of(reinterpret_cast<const CreateTrigStmt*>(stmt)->relation));
        break;
    case T_LockStmt: {
        const auto* lock = reinterpret_cast<const LockStmt*>(stmt);
        if (lock->relations != NIL)
            set_lock(out, lock->mode,
                     relation_of(static_cast<const RangeVar*>(linitial(lock->relations))));
        break;
    }
    case T_VariableSetStmt: {
        const auto* set = reinterpret_cast<const VariableSetStmt*>(stmt);
        const bool all = set->kind == VAR_RESET_ALL;
        if (all || (set->name != nullptr && strcmp(set->name, "lock_timeout") == 0))
            add_action(out, LintAct::SetLockTimeout, relation_of(nullptr))->name =
                all ? nullptr : setting_value(set);
        break;
    }
    case T_TransactionStmt:
        describe_transaction(reinterpret_cast<const TransactionStmt*>(stmt), out);
        break;
    case T_DropdbStmt: {
        LintAction* a = add_action(out, LintAct::DropObject, relation_of(nullptr));
        a->type_name = "database";
        a->name = reinterpret_cast<const DropdbStmt*>(stmt)->dbname;
        break;
    }
    case T_CreateFunctionStmt: {
        const auto* fn = reinterpret_cast<const CreateFunctionStmt*>(stmt);
        LintAction* a = add_action(out, LintAct::CreateFunction, relation_of(nullptr));
        a->name = strVal(llast(fn->funcname));
        a->type_name = "v";  // the default volatility
        ListCell* option;
        foreach (option, fn->options) {
            const auto* opt = static_cast<const DefElem*>(lfirst(option));
            if (strcmp(opt->defname, "volatility") == 0 && opt->arg != nullptr &&
                IsA(opt->arg, String))
                a->type_name = strcmp(strVal(opt->arg), "immutable") == 0 ? "i"
                               : strcmp(strVal(opt->arg), "stable") == 0  ? "s"
                                                                          : "v";
        }
        break;
    }
    case T_CreateDomainStmt: {
        const auto* create = reinterpret_cast<const CreateDomainStmt*>(stmt);
        ListCell* constraint;
        foreach (constraint, create->constraints)
            if (IsA(lfirst(constraint), Constraint) &&
                static_cast<const Constraint*>(lfirst(constraint))->contype == CONSTR_CHECK) {
                add_action(out, LintAct::CreateDomainCheck, relation_of(nullptr))->type_name =
                    type_name_text(create->domainname);
                break;
            }
        break;
    }
    case T_AlterDomainStmt: {
        const auto* alter = reinterpret_cast<const AlterDomainStmt*>(stmt);
        if (alter->subtype != 'C' || alter->def == nullptr || !IsA(alter->def, Constraint))
            break;
        const auto* c = reinterpret_cast<const Constraint*>(alter->def);
        LintAction* a = add_action(out, LintAct::DomainConstraint, relation_of(nullptr));
        a->type_name = type_name_text(alter->typeName);
        a->name = c->conname;
        a->not_valid = c->skip_validation;
        break;
    }
    default:
        break;
    }
    describe_dynamic_sql(stmt, out);
}

namespace {

const char* copy_text(const char* text) {
    return text == nullptr ? nullptr : pstrdup(text);
}

LintRelation copy_relation(const LintRelation& r) {
    return LintRelation{copy_text(r.schema), copy_text(r.name), copy_text(r.written)};
}

List* copy_functions(List* functions) {
    List* out = NIL;
    ListCell* cell;
    foreach (cell, functions) {
        const auto* f = static_cast<const LintFunction*>(lfirst(cell));
        auto* copy = static_cast<LintFunction*>(palloc(sizeof(LintFunction)));
        copy->schema = copy_text(f->schema);
        copy->name = copy_text(f->name);
        out = lappend(out, copy);
    }
    return out;
}

}  // namespace

LintTreeStatement* copy_lint_tree(const LintTreeStatement* in) {
    auto* out = static_cast<LintTreeStatement*>(palloc0(sizeof(LintTreeStatement)));
    out->lock_mode = copy_text(in->lock_mode);
    out->lock_relation = copy_relation(in->lock_relation);
    out->concurrently = copy_text(in->concurrently);
    ListCell* cell;
    foreach (cell, in->actions) {
        const auto* a = static_cast<const LintAction*>(lfirst(cell));
        auto* copy = static_cast<LintAction*>(palloc(sizeof(LintAction)));
        *copy = *a;
        copy->relation = copy_relation(a->relation);
        copy->column = copy_text(a->column);
        copy->name = copy_text(a->name);
        copy->type_name = copy_text(a->type_name);
        copy->type_last_name = copy_text(a->type_last_name);
        copy->not_null_column = copy_text(a->not_null_column);
        copy->default_functions = copy_functions(a->default_functions);
        copy->index_functions = copy_functions(a->index_functions);
        out->actions = lappend(out->actions, copy);
    }
    return out;
}

}  // namespace ms::pg
