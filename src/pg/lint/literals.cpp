#include "pg/lint/literals.hpp"

#include "pg/parse/lexer.hpp"

#include <cctype>
#include <cstring>

namespace ms::pg {

List* string_constants(const char* text, int from) {
    List* found = NIL;
    const int sconst = grammar_tokens().sconst;
    lex_script(text, [&](int token, const core_YYSTYPE& value, int location) {
        if (token == sconst && location >= from) {
            auto* literal = static_cast<LintLiteral*>(palloc(sizeof(LintLiteral)));
            literal->location = location;
            literal->value = pstrdup(value.str);
            found = lappend(found, literal);
        }
        return true;
    });
    return found;
}

List* long_identifiers(const char* text) {
    List* found = NIL;
    const int ident = grammar_tokens().ident;
    lex_script(text, [&](int token, const core_YYSTYPE&, int location) {
        if (token != ident)
            return true;
        // The token's value is already truncated; its length as written is in the text.
        const char* start = text + location;
        std::size_t length = 0;
        if (*start == '"') {
            for (const char* p = start + 1; *p != '\0'; ++p) {
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    ++p;
                }
                ++length;
            }
        } else {
            while (start[length] != '\0' &&
                   (isalnum(static_cast<unsigned char>(start[length])) || start[length] == '_' ||
                    start[length] == '$' || static_cast<unsigned char>(start[length]) >= 0x80))
                ++length;
        }
        if (length < NAMEDATALEN)
            return true;
        char* written = static_cast<char*>(palloc(length + 1));
        if (*start == '"') {
            std::size_t n = 0;
            for (const char* p = start + 1; n < length; ++p) {
                if (*p == '"')
                    ++p;  // the second of a doubled quote
                written[n++] = *p;
            }
        } else {
            memcpy(written, start, length);
        }
        written[length] = '\0';
        auto* literal = static_cast<LintLiteral*>(palloc(sizeof(LintLiteral)));
        literal->location = location;
        literal->value = written;
        found = lappend(found, literal);
        return true;
    });
    return found;
}

void count_semicolons(const char* text, int end, int* count) {
    lex_script(text, [&](int token, const core_YYSTYPE&, int location) {
        if (location >= end)
            return false;
        if (token == ';')
            ++*count;
        return true;
    });
}

}  // namespace ms::pg
