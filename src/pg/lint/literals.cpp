#include "pg/lint/literals.hpp"

extern "C" {
#include "parser/gramparse.h"
}

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
