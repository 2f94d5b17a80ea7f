#include "pg/parse/chunks.hpp"

#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"

#include "pg/parse/lexer.hpp"

namespace ms::pg {

namespace {

// Byte offsets just after each cut, in a palloc'd array: nothing C++ lives while the lexer
// may raise.
struct Cuts {
    std::size_t* at;
    int count;
    int capacity;
};

void add_cut(Cuts* cuts, std::size_t at) {
    if (cuts->count == cuts->capacity) {
        cuts->capacity *= 2;
        cuts->at = static_cast<std::size_t*>(repalloc(cuts->at, sizeof(std::size_t) * cuts->capacity));
    }
    cuts->at[cuts->count++] = at;
}

// psql's rule for where a statement ends: a ';' outside BEGIN ... END and CASE ... END,
// counting BEGIN and CASE only after a statement's first word (so that BEGIN; itself and
// END; do not nest).
void find_cuts(const char* text, std::size_t target, Cuts* cuts) {
    int words = 0;
    int depth = 0;
    std::size_t piece_start = 0;
    const GrammarTokens& grammar = grammar_tokens();
    lex_script(text, [&](int token, const core_YYSTYPE&, int location) {
        if (token == ';') {
            if (depth == 0) {
                words = 0;
                const std::size_t end = static_cast<std::size_t>(location) + 1;
                if (end - piece_start >= target) {
                    add_cut(cuts, end);
                    piece_start = end;
                }
            }
            return true;
        }
        ++words;
        if (token == grammar.begin || token == grammar.case_) {
            if (words > 1)
                ++depth;
        } else if (token == grammar.end && depth > 0) {
            --depth;
        }
        return true;
    });
}

}  // namespace

std::size_t parse_chunk_bytes() {
    return static_cast<std::size_t>(parse_chunk_kb()) * 1024;
}

std::vector<ScriptChunk> script_chunks(const std::string& script, std::size_t target) {
    if (target == 0 || script.size() <= target)
        return {ScriptChunk{0, script.size()}};
    Cuts cuts{nullptr, 0, 64};
    const char* text = script.c_str();
    try {
        pg_call([&] {
            cuts.at = static_cast<std::size_t*>(palloc(sizeof(std::size_t) * cuts.capacity));
            find_cuts(text, target, &cuts);
        });
    } catch (const PgError&) {
        // An unterminated literal or comment: the parser reports it, for the whole script.
        return {ScriptChunk{0, script.size()}};
    }
    std::vector<ScriptChunk> chunks;
    chunks.reserve(static_cast<std::size_t>(cuts.count) + 1);
    std::size_t start = 0;
    for (int i = 0; i < cuts.count; ++i) {
        chunks.push_back(ScriptChunk{start, cuts.at[i] - start});
        start = cuts.at[i];
    }
    pfree(cuts.at);
    // What follows the last cut (blanks and comments at least) belongs to the last piece.
    if (start < script.size()) {
        if (!chunks.empty() && script.size() - start < target / 4 + 1)
            chunks.back().length += script.size() - start;
        else
            chunks.push_back(ScriptChunk{start, script.size() - start});
    }
    return chunks;
}

}  // namespace ms::pg
