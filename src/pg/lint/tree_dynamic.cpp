// Dynamic SQL, which no linter can read: a DO block or a function whose PL/pgSQL body
// EXECUTEs a string (format() + EXECUTE included), or a body in another procedural language
// (PL/Perl, PL/Python, ...), which runs whatever SQL its code builds. SQL-language bodies are
// statements of their own and run only what they say.
#include "pg/lint/tree_common.hpp"
#include "pg/parse/lexer.hpp"

extern "C" {
#include "catalog/namespace.h"
}

namespace ms::pg::lint_tree {

namespace {

// The body's tokens as the server's lexer reads them (PL/pgSQL is lexed by the same
// scanner): EXECUTE inside a string or a comment does not count.
bool executes_strings(const char* body) {
    bool found = false;
    const int execute = grammar_tokens().execute;
    lex_script(body, [&](int token, const core_YYSTYPE&, int) {
        found = token == execute;
        return !found;
    });
    return found;
}

void add_if_dynamic(const char* what, const char* language, const char* body,
                    LintTreeStatement* out) {
    const bool plpgsql = pg_strcasecmp(language, "plpgsql") == 0;
    if (pg_strcasecmp(language, "sql") == 0 || pg_strcasecmp(language, "c") == 0 ||
        pg_strcasecmp(language, "internal") == 0)
        return;
    if (plpgsql && (body == nullptr || !executes_strings(body)))
        return;
    LintAction* a = add_action(out, LintAct::DynamicSql, relation_of(nullptr));
    a->name = what;
    a->type_name = plpgsql ? "plpgsql" : pstrdup(language);
}

const char* string_option(List* options, const char* name) {
    ListCell* cell;
    foreach (cell, options) {
        const auto* option = static_cast<const DefElem*>(lfirst(cell));
        if (strcmp(option->defname, name) != 0 || option->arg == nullptr)
            continue;
        if (IsA(option->arg, String))
            return strVal(option->arg);
        // CREATE FUNCTION's AS is a list: the body, or a C function's file and symbol.
        if (IsA(option->arg, List) && list_length(castNode(List, option->arg)) >= 1 &&
            IsA(linitial(castNode(List, option->arg)), String))
            return strVal(linitial(castNode(List, option->arg)));
    }
    return nullptr;
}

}  // namespace

void describe_dynamic_sql(Node* stmt, LintTreeStatement* out) {
    if (IsA(stmt, DoStmt)) {
        List* args = reinterpret_cast<DoStmt*>(stmt)->args;
        const char* language = string_option(args, "language");
        add_if_dynamic("the DO block", language != nullptr ? language : "plpgsql",
                       string_option(args, "as"), out);
    } else if (IsA(stmt, CreateFunctionStmt)) {
        const auto* create = reinterpret_cast<const CreateFunctionStmt*>(stmt);
        if (create->sql_body != nullptr)
            return;
        const char* language = string_option(create->options, "language");
        if (language == nullptr)
            return;  // the server refuses it
        add_if_dynamic(psprintf("%s %s", create->is_procedure ? "procedure" : "function",
                                NameListToQuotedString(create->funcname)),
                       language, string_option(create->options, "as"), out);
    }
}

}  // namespace ms::pg::lint_tree
