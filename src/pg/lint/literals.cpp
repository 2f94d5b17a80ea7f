#include "pg/lint/literals.hpp"

extern "C" {
#include "parser/gramparse.h"
}

#include <cctype>
#include <cstring>

namespace ms::pg {

List* string_constants(const char* text, int from) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    List* found = NIL;
    core_YYSTYPE value;
    int location = 0;
    for (int token = core_yylex(&value, &location, scanner); token != 0;
         token = core_yylex(&value, &location, scanner)) {
        if (token != SCONST || location < from)
            continue;
        auto* literal = static_cast<LintLiteral*>(palloc(sizeof(LintLiteral)));
        literal->location = location;
        literal->value = value.str;
        found = lappend(found, literal);
    }
    scanner_finish(scanner);
    return found;
}

List* long_identifiers(const char* text) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    List* found = NIL;
    core_YYSTYPE value;
    int location = 0;
    for (int token = core_yylex(&value, &location, scanner); token != 0;
         token = core_yylex(&value, &location, scanner)) {
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
        auto* literal = static_cast<LintLiteral*>(palloc(sizeof(LintLiteral)));
        literal->location = location;
        literal->value = written;
        found = lappend(found, literal);
    }
    scanner_finish(scanner);
    return found;
}

void count_semicolons(const char* text, int end, int* count) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
    core_YYSTYPE value;
    int location = 0;
    for (int token = core_yylex(&value, &location, scanner); token != 0 && location < end;
         token = core_yylex(&value, &location, scanner))
        if (token == ';')
            ++*count;
    scanner_finish(scanner);
}

}  // namespace ms::pg
