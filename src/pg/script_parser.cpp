#include "pg/script_parser.hpp"

#include "core/failure.hpp"
#include "pg/guard.hpp"
#include "pg/script_position.hpp"

#include <algorithm>

extern "C" {
#include "nodes/parsenodes.h"
#include "parser/parser.h"
}

namespace ms::pg {

namespace {

core::StatementKind kind_of(const RawStmt* raw) {
    if (!IsA(raw->stmt, TransactionStmt))
        return core::StatementKind::Ordinary;
    const auto* t = reinterpret_cast<const TransactionStmt*>(raw->stmt);
    switch (t->kind) {
    case TRANS_STMT_BEGIN:
    case TRANS_STMT_START:
        return t->options == NIL ? core::StatementKind::Begin
                                 : core::StatementKind::BeginWithOptions;
    case TRANS_STMT_COMMIT:
        return t->chain ? core::StatementKind::OtherTransaction : core::StatementKind::Commit;
    default:
        return core::StatementKind::OtherTransaction;
    }
}

// Plain data only: error callbacks run inside ereport, where no C++ object may live.
struct ParseContext {
    const char* script;
    std::size_t size;
    const char* label;
    std::size_t error_byte;  // where the parser stopped, for the meta-command check
};

// Turns the parser's character position into "line N" and shows the offending line
// instead of pointing into the caller's "SELECT migrate_apply()".
void parse_error_context(void* arg) {
    auto* ctx = static_cast<ParseContext*>(arg);
    const int pos = geterrposition();
    if (pos <= 0) {
        errcontext("%s", ctx->label);
        return;
    }
    const ScriptPosition where = locate_char_position(ctx->script, ctx->size, pos);
    ctx->error_byte = where.byte;
    errposition(0);
    report_position(ctx->script, where);
    errcontext("%s, line %d", ctx->label, where.line);
}

}  // namespace

std::vector<Statement> parse_script(const std::string& script, const MigrationLabel& label) {
    // The parse trees are only needed for their positions; a private context frees them
    // at once instead of keeping every tree of a large script until the statement ends.
    const MemoryContext parse_cxt = pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "migration parse",
                                     ALLOCSET_DEFAULT_SIZES);
    });
    const MemoryContext old = MemoryContextSwitchTo(parse_cxt);

    ParseContext ctx{script.c_str(), script.size(),
                     pg_call([&] { return pstrdup(label.describe().c_str()); }),
                     std::string::npos};
    ErrorContextCallback callback{error_context_stack, parse_error_context, &ctx};
    error_context_stack = &callback;
    List* trees = nullptr;
    try {
        trees = pg_call([&] { return raw_parser(script.c_str(), RAW_PARSE_DEFAULT); });
    } catch (const PgError&) {
        error_context_stack = callback.previous;
        MemoryContextSwitchTo(old);
        // A backslash where the parser stopped is a psql meta-command (\i, \set, \connect):
        // name it instead of showing a bare syntax error.
        const auto at = ctx.error_byte;
        if (at < script.size() && script[at] == '\\')
            throw core::Failure(core::FailureKind::Syntax,
                                "psql meta-command \"" + first_word(script, at) +
                                    "\" is not supported in a migration",
                                {},
                                "Migrations are plain SQL run by the server; psql variables, "
                                "\\i includes and \\connect are not available.")
                .with_context(label.describe() + ", line " + std::to_string(core::line_at(script, at)));
        throw;
    }
    error_context_stack = callback.previous;

    std::vector<Statement> all;
    std::vector<core::StatementKind> kinds;
    // Lines are counted incrementally: a script of a million statements stays linear.
    core::LineCounter lines(script);
    ListCell* cell;
    foreach (cell, trees) {
        const auto* raw = static_cast<const RawStmt*>(lfirst(cell));
        const auto offset = static_cast<std::size_t>(raw->stmt_location);
        const auto length = raw->stmt_len == 0 ? script.size() - offset
                                               : static_cast<std::size_t>(raw->stmt_len);
        // Statements start after the previous ';', blanks and comments included; they run
        // from their first token, so that positions in errors match the line reported.
        const auto start = std::min(core::skip_blanks_and_comments(script, offset), offset + length);
        all.push_back(Statement{start, offset + length - start, lines.at(start),
                                static_cast<int>(all.size()) + 1});
        kinds.push_back(kind_of(raw));
    }
    MemoryContextSwitchTo(old);
    MemoryContextDelete(parse_cxt);

    std::vector<std::size_t> run;
    try {
        run = core::statements_to_run(kinds);
    } catch (const core::TransactionControlError& e) {
        const Statement& s = all[e.index()];
        throw core::Failure(core::FailureKind::Unsupported, e.what(), {}, e.hint())
            .with_context(label.describe() + ", statement " + std::to_string(s.number) +
                          ", line " + std::to_string(s.line));
    }
    std::vector<Statement> result;
    result.reserve(run.size());
    for (const auto i : run)
        result.push_back(all[i]);
    return result;
}

}  // namespace ms::pg
