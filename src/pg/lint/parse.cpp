#include "pg/lint/parse.hpp"

#include "core/plan/script.hpp"
#include "pg/base/guard.hpp"
#include "pg/lint/literals.hpp"
#include "pg/parse/chunks.hpp"
#include "pg/parse/position.hpp"

extern "C" {
#include "parser/parser.h"
}

#include <algorithm>
#include <exception>

namespace ms::pg {

namespace {

// What the parser raises for a script it cannot read: a syntax error, a bad literal, an
// unsupported form. Anything else (out of memory, a cancel) is no finding and travels on.
bool is_script_problem(int sqlstate) {
    const int category = ERRCODE_TO_CATEGORY(sqlstate);
    return category == ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION ||
           category == ERRCODE_DATA_EXCEPTION || category == ERRCODE_FEATURE_NOT_SUPPORTED;
}

}  // namespace

LintParse::LintParse(const std::string& script)
    : script_(script), exceptions_at_entry_(std::uncaught_exceptions()) {
    context_ = pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "migration lint", ALLOCSET_DEFAULT_SIZES);
    });
    const auto pieces = script_chunks(script, parse_chunk_bytes());
    if (pieces.size() > 1 && parse_in_pieces(pieces))
        return;
    parse_whole();
}

bool LintParse::parse_in_pieces(const std::vector<ScriptChunk>& pieces) {
    const MemoryContext cxt = context_;
    const MemoryContext piece_cxt = pg_call([&] {
        return AllocSetContextCreate(cxt, "migration lint piece", ALLOCSET_DEFAULT_SIZES);
    });
    core::LineCounter lines(script_);
    bool parsed = true;
    for (const auto& piece : pieces) {
        const char* text = script_.data() + piece.offset;
        const std::size_t length = piece.length;
        List* trees = nullptr;
        try {
            trees = pg_call([&] {
                const MemoryContext old = MemoryContextSwitchTo(piece_cxt);
                List* list = raw_parser(pnstrdup(text, length), RAW_PARSE_DEFAULT);
                MemoryContextSwitchTo(old);
                return list;
            });
        } catch (const PgError&) {
            parsed = false;
        }
        if (!parsed)
            break;
        add_statements(trees, piece.offset, piece.offset + piece.length, lines, piece_cxt);
        pg_call([&] { MemoryContextReset(piece_cxt); });
    }
    pg_call([&] { MemoryContextDelete(piece_cxt); });
    if (!parsed)
        statements_.clear();
    return parsed;
}

void LintParse::add_statements(List* trees, std::size_t base, std::size_t piece_end,
                               core::LineCounter& lines, MemoryContext trees_context) {
    const MemoryContext cxt = context_;
    ListCell* cell;
    foreach (cell, trees) {
        const auto* raw = static_cast<const RawStmt*>(lfirst(cell));
        const auto offset = base + static_cast<std::size_t>(raw->stmt_location);
        const auto end = raw->stmt_len == 0 ? piece_end
                                            : offset + static_cast<std::size_t>(raw->stmt_len);
        // The parser counts a statement from just after the previous ';'; its line is the
        // line of its first token, as the runner reports it.
        const auto start = std::min(core::skip_blanks_and_comments(script_, offset), end);
        // Described next to the trees; kept in the lint's own context, copied when the
        // trees are a piece's and go before the next piece is parsed.
        const LintTreeStatement* tree = pg_call([&] {
            const MemoryContext old = MemoryContextSwitchTo(trees_context);
            auto* out = static_cast<LintTreeStatement*>(palloc0(sizeof(LintTreeStatement)));
            describe_for_lint(raw->stmt, out);
            if (trees_context != cxt) {
                MemoryContextSwitchTo(cxt);
                out = copy_lint_tree(out);
            }
            MemoryContextSwitchTo(old);
            return out;
        });
        LintStatement s;
        s.number = static_cast<int>(statements_.size()) + 1;
        s.line = lines.at(start);
        s.offset = start;
        s.end = end;
        s.tree = tree;
        statements_.push_back(s);
    }
}

void LintParse::parse_whole() {
    const MemoryContext cxt = context_;
    const char* text = script_.c_str();
    List* trees = nullptr;
    bool unreadable = false;
    std::string message;
    int position = 0;
    try {
        // Allocations go to the lint's own context, switched inside the guard: a raised error
        // is copied into the caller's context, which outlives this object.
        trees = pg_call([&] {
            const MemoryContext old = MemoryContextSwitchTo(cxt);
            List* parsed = raw_parser(text, RAW_PARSE_DEFAULT);
            MemoryContextSwitchTo(old);
            return parsed;
        });
    } catch (const PgError& e) {
        if (!is_script_problem(e.data()->sqlerrcode))
            throw;
        // Only copies here: nothing that could raise runs inside a handler.
        unreadable = true;
        message = e.what();
        position = e.data()->cursorpos;
    }
    if (unreadable) {
        locate_syntax_error(std::move(message), position);
        return;
    }

    core::LineCounter lines(script_);
    add_statements(trees, 0, script_.size(), lines, cxt);
}

void LintParse::locate_syntax_error(std::string message, int position) {
    LintSyntaxError error{1, 1, std::move(message)};
    if (position > 0) {
        const char* text = script_.c_str();
        const MemoryContext cxt = context_;
        const ScriptPosition where = locate_char_position(text, script_.size(), position);
        error.line = where.line;
        int ended = 0;
        try {
            pg_call([&] {
                const MemoryContext old = MemoryContextSwitchTo(cxt);
                count_semicolons(text, static_cast<int>(where.byte), &ended);
                MemoryContextSwitchTo(old);
            });
        } catch (const PgError&) {
            // The lexer stopped at the error itself; the count up to there stands. Lexing
            // only allocates memory, so nothing else needs undoing.
        }
        error.statement = ended + 1;
        if (where.byte < script_.size() && script_[where.byte] == '\\')
            error.message = "psql meta-command \"" + first_word(script_, where.byte) +
                            "\" is not supported in a migration";
    }
    syntax_error_ = std::move(error);
}

LintParse::~LintParse() {
    // While an error unwinds, the transaction's abort frees the context with its parent.
    if (std::uncaught_exceptions() > exceptions_at_entry_)
        return;
    MemoryContextDelete(context_);
}

std::vector<std::vector<std::string>> LintParse::string_constants_after(std::size_t after) const {
    if (after >= statements_.size())
        return std::vector<std::vector<std::string>>(statements_.size());
    const MemoryContext cxt = context_;
    const char* text = script_.c_str();
    const int from = static_cast<int>(statements_[after].end);
    List* literals = pg_call([&] {
        const MemoryContext old = MemoryContextSwitchTo(cxt);
        List* found = string_constants(text, from);
        MemoryContextSwitchTo(old);
        return found;
    });
    return by_statement(literals);
}

std::vector<std::vector<std::string>> LintParse::by_statement(List* literals) const {
    std::vector<std::vector<std::string>> found(statements_.size());
    ListCell* cell;
    foreach (cell, literals) {
        const auto* literal = static_cast<const LintLiteral*>(lfirst(cell));
        const auto at = static_cast<std::size_t>(literal->location);
        // The first statement that ends after the token holds it.
        const auto it = std::upper_bound(
            statements_.begin(), statements_.end(), at,
            [](std::size_t pos, const LintStatement& s) { return pos < s.end; });
        if (it != statements_.end())
            found[static_cast<std::size_t>(it - statements_.begin())].emplace_back(literal->value);
    }
    return found;
}

std::vector<std::vector<std::string>> LintParse::long_identifiers() const {
    const MemoryContext cxt = context_;
    const char* text = script_.c_str();
    List* found = pg_call([&] {
        const MemoryContext old = MemoryContextSwitchTo(cxt);
        List* list = ms::pg::long_identifiers(text);
        MemoryContextSwitchTo(old);
        return list;
    });
    return by_statement(found);
}

}  // namespace ms::pg
