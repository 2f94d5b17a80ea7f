#include "pg/runner/script_rewrite.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "parser/gramparse.h"
}

#include <vector>

namespace ms::pg {

std::string without_concurrently(const std::string& script) {
    std::vector<int> at;
    try {
        pg_call([&] {
            core_yy_extra_type extra;
            core_yyscan_t scanner =
                scanner_init(script.c_str(), &extra, &ScanKeywords, ScanKeywordTokens);
            core_YYSTYPE value;
            int location = 0;
            for (int token = core_yylex(&value, &location, scanner); token != 0;
                 token = core_yylex(&value, &location, scanner))
                if (token == CONCURRENTLY)
                    at.push_back(location);
            scanner_finish(scanner);
        });
    } catch (const PgError&) {
        return script;
    }
    static const std::size_t keyword_length = sizeof("CONCURRENTLY") - 1;
    std::string out = script;
    for (const int location : at)
        out.replace(static_cast<std::size_t>(location), keyword_length, keyword_length, ' ');
    return out;
}

}  // namespace ms::pg
