#include "pg/lint/literals.hpp"

extern "C" {
#include "parser/gramparse.h"
}

#include <cctype>
#include <cstring>

namespace ms::pg {

namespace {

// Token values are garbage once looked at: they go into a context of their own, emptied as
// the lexer goes, so that lexing a large script costs its one copy of the text. What is
// kept is copied into the caller's context.
struct TokenMemory {
    MemoryContext outer;
    MemoryContext tokens;
    long seen;
};

void start_tokens(TokenMemory* m) {
    m->outer = CurrentMemoryContext;
    m->tokens = AllocSetContextCreate(m->outer, "lint lexer tokens", ALLOCSET_DEFAULT_SIZES);
    m->seen = 0;
}

// Called before each token is read.
void next_token(TokenMemory* m) {
    if (++m->seen % 4096 == 0)
        MemoryContextReset(m->tokens);
    MemoryContextSwitchTo(m->tokens);
}

void end_tokens(TokenMemory* m) {
    MemoryContextSwitchTo(m->outer);
    MemoryContextDelete(m->tokens);
}

}  // namespace

List* string_constants(const char* text, int from) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    List* found = NIL;
    core_YYSTYPE value;
    int location = 0;
    TokenMemory memory;
    start_tokens(&memory);
    next_token(&memory);
    for (int token = core_yylex(&value, &location, scanner); token != 0;
         next_token(&memory), token = core_yylex(&value, &location, scanner)) {
        if (token != SCONST || location < from)
            continue;
        MemoryContextSwitchTo(memory.outer);
        auto* literal = static_cast<LintLiteral*>(palloc(sizeof(LintLiteral)));
        literal->location = location;
        literal->value = pstrdup(value.str);
        found = lappend(found, literal);
    }
    end_tokens(&memory);
    scanner_finish(scanner);
    return found;
}

List* long_identifiers(const char* text) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    List* found = NIL;
    core_YYSTYPE value;
    int location = 0;
    TokenMemory memory;
    start_tokens(&memory);
    next_token(&memory);
    for (int token = core_yylex(&value, &location, scanner); token != 0;
         next_token(&memory), token = core_yylex(&value, &location, scanner)) {
        if (token != IDENT)
            continue;
        // The token's value is already truncated; its length as written is in the text.
        const char* start = text + location;
        char* written = nullptr;
        std::size_t length = 0;
        if (*start == '"') {
            written = static_cast<char*>(palloc(strlen(start) + 1));
            for (const char* p = start + 1; *p != '\0'; ++p) {
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    ++p;
                }
                written[length++] = *p;
            }
            written[length] = '\0';
        } else {
            while (start[length] != '\0' &&
                   (isalnum(static_cast<unsigned char>(start[length])) || start[length] == '_' ||
                    start[length] == '$' || static_cast<unsigned char>(start[length]) >= 0x80))
                ++length;
            written = pnstrdup(start, length);
        }
        if (length < NAMEDATALEN)
            continue;
        MemoryContextSwitchTo(memory.outer);
        auto* literal = static_cast<LintLiteral*>(palloc(sizeof(LintLiteral)));
        literal->location = location;
        literal->value = pstrdup(written);
        found = lappend(found, literal);
    }
    end_tokens(&memory);
    scanner_finish(scanner);
    return found;
}

void count_semicolons(const char* text, int end, int* count) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    core_YYSTYPE value;
    int location = 0;
    TokenMemory memory;
    start_tokens(&memory);
    next_token(&memory);
    for (int token = core_yylex(&value, &location, scanner); token != 0 && location < end;
         next_token(&memory), token = core_yylex(&value, &location, scanner))
        if (token == ';')
            ++*count;
    end_tokens(&memory);
    scanner_finish(scanner);
}

}  // namespace ms::pg
