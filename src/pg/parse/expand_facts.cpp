#include "pg/parse/expand_facts.hpp"

#include "pg/base/guard.hpp"
#include "pg/parse/lexer.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/utility.h"
}

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <string>
#include <vector>

namespace ms::pg {

namespace {

// Plain data: filled under pg_call, where no C++ object may live.
struct RawFact {
    core::EcKind kind;
    const char* what;
    const char* schema;
    const char* table;
    const char* column;
    const char* new_name;
    int type_start;  // -1: none
    int type_limit;  // the next clause's location, -1: up to the end of the subcommand
    int default_start;
    int default_limit;
    bool not_null;
    bool has_using;
    const char* constraint;
    int constraint_start;
    bool not_valid;
    List* columns;  // of String
    const char* index;
    bool cascade;
};

struct RawFacts {
    RawFact* items;
    int count;
    int capacity;
};

RawFact* add_fact(RawFacts* out, core::EcKind kind) {
    if (out->count == out->capacity) {
        out->capacity = out->capacity == 0 ? 4 : out->capacity * 2;
        out->items = out->items == nullptr
                         ? static_cast<RawFact*>(palloc0(sizeof(RawFact) * out->capacity))
                         : static_cast<RawFact*>(repalloc(out->items, sizeof(RawFact) * out->capacity));
    }
    RawFact* f = &out->items[out->count++];
    memset(f, 0, sizeof(RawFact));
    f->kind = kind;
    f->type_start = f->type_limit = f->default_start = f->default_limit = -1;
    f->constraint_start = -1;
    return f;
}

void set_relation(RawFact* f, const RangeVar* rv) {
    f->schema = rv->schemaname;
    f->table = rv->relname;
}

RawFact* unsupported(RawFacts* out, const char* what) {
    RawFact* f = add_fact(out, core::EcKind::Unsupported);
    f->what = what;
    return f;
}

void describe_column_def(const ColumnDef* def, RawFact* f, RawFacts* out) {
    f->column = def->colname;
    f->type_start = def->typeName->location;
    if (def->collClause != nullptr) {
        unsupported(out, "ADD COLUMN ... COLLATE");
        return;
    }
    ListCell* cell;
    const Constraint* prev_default = nullptr;
    foreach (cell, def->constraints) {
        const auto* c = static_cast<const Constraint*>(lfirst(cell));
        if (f->type_limit < 0)
            f->type_limit = c->location;
        if (prev_default != nullptr && f->default_limit < 0)
            f->default_limit = c->location;
        switch (c->contype) {
        case CONSTR_DEFAULT:
            f->default_start = c->location;
            prev_default = c;
            break;
        case CONSTR_NOTNULL:
            f->not_null = true;
            break;
        case CONSTR_NULL:
            break;
        default:
            unsupported(out, "ADD COLUMN with an inline constraint (write it as ADD CONSTRAINT)");
            return;
        }
    }
}

void describe_alter(const AlterTableStmt* stmt, RawFacts* out) {
    if (stmt->objtype != OBJECT_TABLE) {
        unsupported(out, "ALTER of anything but a table");
        return;
    }
    ListCell* cell;
    foreach (cell, stmt->cmds) {
        const auto* cmd = static_cast<const AlterTableCmd*>(lfirst(cell));
        RawFact* f = nullptr;
        switch (cmd->subtype) {
        case AT_AddColumn:
            f = add_fact(out, core::EcKind::AddColumn);
            set_relation(f, stmt->relation);
            describe_column_def(castNode(ColumnDef, cmd->def), f, out);
            break;
        case AT_AlterColumnType: {
            const auto* def = castNode(ColumnDef, cmd->def);
            f = add_fact(out, core::EcKind::AlterColumnType);
            set_relation(f, stmt->relation);
            f->column = cmd->name;
            f->type_start = def->typeName->location;
            f->has_using = def->raw_default != nullptr;
            if (def->collClause != nullptr)
                unsupported(out, "ALTER COLUMN ... TYPE ... COLLATE");
            break;
        }
        case AT_SetNotNull:
        case AT_DropNotNull:
            f = add_fact(out, cmd->subtype == AT_SetNotNull ? core::EcKind::SetNotNull
                                                           : core::EcKind::DropNotNull);
            set_relation(f, stmt->relation);
            f->column = cmd->name;
            break;
        case AT_DropColumn:
            f = add_fact(out, core::EcKind::DropColumn);
            set_relation(f, stmt->relation);
            f->column = cmd->name;
            f->cascade = cmd->behavior == DROP_CASCADE;
            break;
        case AT_AddConstraint: {
            const auto* c = castNode(Constraint, cmd->def);
            core::EcKind kind;
            if (c->contype == CONSTR_CHECK)
                kind = core::EcKind::AddCheck;
            else if (c->contype == CONSTR_FOREIGN)
                kind = core::EcKind::AddForeignKey;
            else if (c->contype == CONSTR_UNIQUE && c->including == NIL && c->options == NIL &&
                     c->indexname == nullptr && c->indexspace == nullptr && !c->deferrable &&
                     !c->nulls_not_distinct)
                kind = core::EcKind::AddUnique;
            else {
                unsupported(out, "ADD CONSTRAINT of this kind");
                break;
            }
            f = add_fact(out, kind);
            set_relation(f, stmt->relation);
            f->constraint = c->conname;
            f->constraint_start = c->location;
            f->not_valid = c->skip_validation;
            f->columns = c->keys;
            break;
        }
        default:
            unsupported(out, "this ALTER TABLE subcommand");
            break;
        }
    }
}

void describe(const Node* stmt, RawFacts* out) {
    switch (nodeTag(stmt)) {
    case T_AlterTableStmt:
        describe_alter(reinterpret_cast<const AlterTableStmt*>(stmt), out);
        return;
    case T_RenameStmt: {
        const auto* r = reinterpret_cast<const RenameStmt*>(stmt);
        if (r->renameType == OBJECT_COLUMN && r->relationType == OBJECT_TABLE) {
            RawFact* f = add_fact(out, core::EcKind::RenameColumn);
            set_relation(f, r->relation);
            f->column = r->subname;
            f->new_name = r->newname;
        } else if (r->renameType == OBJECT_TABLE) {
            RawFact* f = add_fact(out, core::EcKind::RenameTable);
            set_relation(f, r->relation);
            f->new_name = r->newname;
        } else {
            unsupported(out, "this RENAME");
        }
        return;
    }
    case T_IndexStmt: {
        const auto* i = reinterpret_cast<const IndexStmt*>(stmt);
        RawFact* f = add_fact(out, core::EcKind::CreateIndex);
        set_relation(f, i->relation);
        f->index = i->idxname;
        return;
    }
    case T_CreateStmt: {
        RawFact* f = add_fact(out, core::EcKind::CreateTable);
        set_relation(f, reinterpret_cast<const CreateStmt*>(stmt)->relation);
        return;
    }
    case T_DropStmt: {
        const auto* d = reinterpret_cast<const DropStmt*>(stmt);
        if (d->removeType != OBJECT_TABLE && d->removeType != OBJECT_INDEX) {
            unsupported(out, "this DROP");
            return;
        }
        ListCell* cell;
        foreach (cell, d->objects) {
            List* names = static_cast<List*>(lfirst(cell));
            RawFact* f = add_fact(out, d->removeType == OBJECT_TABLE ? core::EcKind::DropTable
                                                                     : core::EcKind::DropIndex);
            const char* name = strVal(llast(names));
            const char* schema = list_length(names) >= 2 ? strVal(list_nth(names, list_length(names) - 2))
                                                          : nullptr;
            f->schema = schema;
            f->table = d->removeType == OBJECT_TABLE ? name : nullptr;
            f->index = d->removeType == OBJECT_INDEX ? name : nullptr;
            f->cascade = d->behavior == DROP_CASCADE;
        }
        return;
    }
    default:
        unsupported(out, GetCommandTagName(CreateCommandTag(const_cast<Node*>(stmt))));
        return;
    }
}

// Where the clause starting at `start` ends: the first ',', ';' or unmatched ')' outside
// parentheses, the keyword USING when `at_using`, or `limit` (>= 0), whichever comes first.
struct SliceEnd {
    int start;
    int limit;
    bool at_using;
    int depth;
    int end;
};

void find_end(const char* text, SliceEnd* s) {
    s->end = static_cast<int>(strlen(text));
    const int using_ = grammar_tokens().using_;
    lex_script(text, [s, using_](int token, const core_YYSTYPE&, int location) {
        if (location < s->start)
            return true;
        if (s->limit >= 0 && location >= s->limit) {
            s->end = location;
            return false;
        }
        if (token == '(' || token == '[')
            ++s->depth;
        else if (token == ')' || token == ']') {
            if (--s->depth < 0) {
                s->end = location;
                return false;
            }
        } else if (s->depth == 0 &&
                   (token == ',' || token == ';' || (s->at_using && token == using_))) {
            s->end = location;
            return false;
        }
        return true;
    });
}

std::string slice(const std::string& text, int start, int limit, bool at_using = false) {
    SliceEnd s{start, limit, at_using, 0, 0};
    pg_call([&] { find_end(text.c_str(), &s); });
    std::string out = text.substr(static_cast<std::size_t>(start),
                                  static_cast<std::size_t>(s.end - start));
    boost::algorithm::trim(out);
    return out;
}

std::string text_or_empty(const char* s) { return s == nullptr ? std::string() : std::string(s); }

}  // namespace

std::vector<core::EcStatement> expand_facts(const std::string& script,
                                            const std::vector<Statement>& statements) {
    std::vector<core::EcStatement> out;
    for (const auto& st : statements) {
        const std::string text = script.substr(st.offset, st.length);
        RawFacts raw{nullptr, 0, 0};
        pg_call([&] {
            List* trees = raw_parser(text.c_str(), RAW_PARSE_DEFAULT);
            ListCell* cell;
            foreach (cell, trees)
                describe(static_cast<const RawStmt*>(lfirst(cell))->stmt, &raw);
        });
        for (int i = 0; i < raw.count; ++i) {
            const RawFact& r = raw.items[i];
            core::EcStatement s;
            s.kind = r.kind;
            s.number = st.number;
            s.line = st.line;
            s.what = text_or_empty(r.what);
            s.text = text;
            boost::algorithm::trim_right_if(s.text, [](char c) { return c == ';' || isspace(c); });
            s.schema = text_or_empty(r.schema);
            s.table = text_or_empty(r.table);
            s.column = text_or_empty(r.column);
            s.new_name = text_or_empty(r.new_name);
            s.not_null = r.not_null;
            s.constraint = text_or_empty(r.constraint);
            s.constraint_not_valid = r.not_valid;
            s.index = text_or_empty(r.index);
            s.cascade = r.cascade;
            if (r.type_start >= 0)
                s.type = slice(text, r.type_start, r.type_limit, true);
            if (r.default_start >= 0) {
                std::string d = slice(text, r.default_start, r.default_limit);
                if (boost::algorithm::istarts_with(d, "default"))
                    d = d.substr(7);
                boost::algorithm::trim(d);
                s.default_expr = d;
            }
            if (r.has_using) {
                // The expression after the USING that ends the type.
                SliceEnd e{r.type_start, -1, true, 0, 0};
                pg_call([&] { find_end(text.c_str(), &e); });
                s.using_expr = slice(text, e.end + 5, -1);
            }
            if (r.constraint_start >= 0)
                s.constraint_text = slice(text, r.constraint_start, -1);
            if (r.columns != NIL) {
                ListCell* cell;
                foreach (cell, r.columns)
                    s.columns.emplace_back(strVal(lfirst(cell)));
            }
            out.push_back(std::move(s));
        }
    }
    return out;
}

}  // namespace ms::pg
