#include "pg/parse/lexer.hpp"

namespace ms::pg {

namespace {

// A keyword's token: its index in the server's keyword list maps to its token number.
int keyword_token(const char* keyword) {
    const int index = ScanKeywordLookup(keyword, &ScanKeywords);
    if (index < 0)
        elog(ERROR, "the server's scanner has no keyword \"%s\"", keyword);
    return ScanKeywordTokens[index];
}

// The first token of a sample the scanner reads as one token of the kind wanted.
int first_token(const char* sample) {
    int found = 0;
    lex_script(sample, [&](int token, const core_YYSTYPE&, int) {
        found = token;
        return false;
    });
    return found;
}

}  // namespace

const GrammarTokens& grammar_tokens() {
    static GrammarTokens tokens;
    static bool known = false;
    if (!known) {
        tokens.ident = first_token("an_identifier");
        tokens.sconst = first_token("'a string'");
        tokens.begin = keyword_token("begin");
        tokens.case_ = keyword_token("case");
        tokens.concurrently = keyword_token("concurrently");
        tokens.end = keyword_token("end");
        tokens.execute = keyword_token("execute");
        tokens.using_ = keyword_token("using");
        known = true;
    }
    return tokens;
}

}  // namespace ms::pg
