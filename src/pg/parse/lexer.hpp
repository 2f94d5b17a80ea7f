// The server's lexer over a whole script, with token values freed as it goes: a value
// (identifier, literal) is garbage once looked at, and lexing a large script must cost its
// one copy of the text, not that copy again in token strings.
//
// Token numbers are the server's grammar's (gram.h), which differ between major versions and
// are not installed with the headers from 16 on: the ones we compare against are asked of the
// running server's scanner (grammar_tokens()), never compiled in. Single-character tokens
// ('(', ';', ...) are their character in every version.
#pragma once

#include "pg/base/pg.hpp"

extern "C" {
#include "parser/scanner.h"
}

namespace ms::pg {

struct GrammarTokens {
    int ident;
    int sconst;
    int begin;
    int case_;
    int concurrently;
    int end;
    int execute;
    int using_;
};

// The token numbers of the running server, found on first use (C-style: call it where the
// server may raise, which it does not for its own keywords).
const GrammarTokens& grammar_tokens();

// Calls on_token(token, value, location) for each token until it returns false or the text
// ends. on_token runs in the caller's memory context, so what it keeps outlives the token;
// `value` does not outlive the call. C-style: run it under pg_call (the lexer raises on an
// unterminated literal), with nothing in on_token that has a destructor.
template <typename OnToken>
void lex_script(const char* text, OnToken&& on_token) {
    const MemoryContext outer = CurrentMemoryContext;
    const MemoryContext tokens =
        AllocSetContextCreate(outer, "lexer tokens", ALLOCSET_DEFAULT_SIZES);
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    core_YYSTYPE value;
    int location = 0;
    for (long seen = 1;; ++seen) {
        if (seen % 4096 == 0)
            MemoryContextReset(tokens);
        MemoryContextSwitchTo(tokens);
        const int token = core_yylex(&value, &location, scanner);
        MemoryContextSwitchTo(outer);
        if (token == 0 || !on_token(token, value, location))
            break;
    }
    scanner_finish(scanner);
    MemoryContextDelete(tokens);
}

}  // namespace ms::pg
