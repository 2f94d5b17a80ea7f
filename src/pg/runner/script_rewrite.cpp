#include "pg/runner/script_rewrite.hpp"

#include "pg/base/guard.hpp"
#include "pg/parse/lexer.hpp"

#include <vector>

namespace ms::pg {

std::string without_concurrently(const std::string& script) {
    std::vector<int> at;
    try {
        pg_call([&] {
            const int concurrently = grammar_tokens().concurrently;
            lex_script(script.c_str(), [&](int token, const core_YYSTYPE&, int location) {
                if (token == concurrently)
                    at.push_back(location);
                return true;
            });
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
