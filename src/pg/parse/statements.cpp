#include "pg/parse/statements.hpp"

#include "core/base/failure.hpp"
#include "core/plan/run_plan.hpp"
#include "pg/base/guard.hpp"
#include "pg/parse/chunks.hpp"
#include "pg/parse/position.hpp"

extern "C" {
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/ruleutils.h"
}

#include <algorithm>

namespace ms::pg {

namespace {

// Plain data: describe() runs under pg_call, where no C++ object may be created.
struct Facts {
    bool top_level = false;
    const char* concurrent_index = nullptr;
    const char* relation = nullptr;
};

const char* relation_name(const RangeVar* rv) {
    return rv == nullptr ? nullptr : quote_qualified_identifier(rv->schemaname, rv->relname);
}

bool has_true_option(List* options, const char* name) {
    ListCell* cell;
    foreach (cell, options) {
        const auto* opt = static_cast<const DefElem*>(lfirst(cell));
        if (strcmp(opt->defname, name) == 0)
            return opt->arg == nullptr || defGetBoolean(const_cast<DefElem*>(opt));
    }
    return false;
}

// Fills the runner's facts about one statement from its parse tree.
void describe(const Node* stmt, Facts& s) {
    switch (nodeTag(stmt)) {
    case T_IndexStmt: {
        const auto* index = reinterpret_cast<const IndexStmt*>(stmt);
        s.relation = relation_name(index->relation);
        if (index->concurrent) {
            s.top_level = true;
            if (index->idxname != nullptr)
                s.concurrent_index = pstrdup(index->idxname);
        }
        break;
    }
    case T_DropStmt:
        s.top_level = reinterpret_cast<const DropStmt*>(stmt)->concurrent;
        break;
    case T_ReindexStmt:
        s.top_level = has_true_option(reinterpret_cast<const ReindexStmt*>(stmt)->params,
                                      "concurrently");
        break;
    case T_AlterTableStmt: {
        const auto* alter = reinterpret_cast<const AlterTableStmt*>(stmt);
        s.relation = relation_name(alter->relation);
        ListCell* cell;
        foreach (cell, alter->cmds) {
            const auto* cmd = static_cast<const AlterTableCmd*>(lfirst(cell));
            if (cmd->subtype == AT_DetachPartition && cmd->def != nullptr &&
                reinterpret_cast<const PartitionCmd*>(cmd->def)->concurrent)
                s.top_level = true;
        }
        break;
    }
    case T_RenameStmt:
        s.relation = relation_name(reinterpret_cast<const RenameStmt*>(stmt)->relation);
        break;
    case T_CreateTrigStmt:
        s.relation = relation_name(reinterpret_cast<const CreateTrigStmt*>(stmt)->relation);
        break;
    case T_TruncateStmt: {
        const auto* truncate = reinterpret_cast<const TruncateStmt*>(stmt);
        if (truncate->relations != NIL)
            s.relation = relation_name(static_cast<const RangeVar*>(linitial(truncate->relations)));
        break;
    }
    case T_VacuumStmt:
        s.top_level = reinterpret_cast<const VacuumStmt*>(stmt)->is_vacuumcmd;
        break;
    case T_ClusterStmt:
        s.top_level = reinterpret_cast<const ClusterStmt*>(stmt)->relation == nullptr;
        break;
    case T_AlterSystemStmt:
    case T_CreatedbStmt:
    case T_DropdbStmt:
    case T_CreateTableSpaceStmt:
    case T_DropTableSpaceStmt:
    case T_CallStmt:
        s.top_level = true;
        break;
    case T_DoStmt: {
        ListCell* cell;
        foreach (cell, reinterpret_cast<const DoStmt*>(stmt)->args) {
            const auto* opt = static_cast<const DefElem*>(lfirst(cell));
            if (strcmp(opt->defname, "as") == 0 &&
                core::body_controls_transactions(strVal(opt->arg)))
                s.top_level = true;
        }
        break;
    }
    case T_SelectStmt: {
        // Citus's create_distributed_table_concurrently() refuses to run in a transaction
        // block, like CREATE INDEX CONCURRENTLY: SELECT create_distributed_table_concurrently(...)
        // runs at top level. Known by name: the extension does not depend on Citus.
        ListCell* cell;
        foreach (cell, reinterpret_cast<const SelectStmt*>(stmt)->targetList) {
            const auto* target = static_cast<const ResTarget*>(lfirst(cell));
            if (target->val != nullptr && IsA(target->val, FuncCall) &&
                strcmp(strVal(llast(reinterpret_cast<const FuncCall*>(target->val)->funcname)),
                       "create_distributed_table_concurrently") == 0)
                s.top_level = true;
        }
        break;
    }
    default:
        break;
    }
}

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

namespace {

// The statements of one parse: of the whole script, or of the piece of it at `base`.
void collect(List* trees, const std::string& script, std::size_t base, std::size_t piece_end,
             core::LineCounter& lines, std::vector<Statement>& all,
             std::vector<core::StatementKind>& kinds) {
    ListCell* cell;
    foreach (cell, trees) {
        const auto* raw = static_cast<const RawStmt*>(lfirst(cell));
        const auto offset = base + static_cast<std::size_t>(raw->stmt_location);
        const auto length = raw->stmt_len == 0 ? piece_end - offset
                                               : static_cast<std::size_t>(raw->stmt_len);
        // Statements start after the previous ';', blanks and comments included; they run
        // from their first token, so that positions in errors match the line reported.
        const auto start = std::min(core::skip_blanks_and_comments(script, offset), offset + length);
        Facts facts;
        pg_call([&] { describe(raw->stmt, facts); });
        Statement s;
        s.offset = start;
        s.length = offset + length - start;
        s.line = lines.at(start);
        s.number = static_cast<int>(all.size()) + 1;
        s.top_level = facts.top_level;
        s.concurrent_index = facts.concurrent_index ? facts.concurrent_index : "";
        s.relation = facts.relation ? facts.relation : "";
        all.push_back(std::move(s));
        kinds.push_back(kind_of(raw));
    }
}

// A large script a piece at a time, each piece's trees freed before the next is parsed.
// False when the parser refuses a piece: the caller parses the whole script, so that the
// error is reported as for any script.
bool parse_in_pieces(const std::string& script, const std::vector<ScriptChunk>& pieces,
                     std::vector<Statement>& all, std::vector<core::StatementKind>& kinds) {
    const MemoryContext piece_cxt = pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "migration parse piece",
                                     ALLOCSET_DEFAULT_SIZES);
    });
    const MemoryContext old = MemoryContextSwitchTo(piece_cxt);
    core::LineCounter lines(script);
    bool parsed = true;
    for (const auto& piece : pieces) {
        List* trees = nullptr;
        try {
            trees = pg_call([&] {
                const char* text = pnstrdup(script.data() + piece.offset, piece.length);
                return raw_parser(text, RAW_PARSE_DEFAULT);
            });
        } catch (const PgError&) {
            parsed = false;
        }
        if (!parsed)
            break;
        collect(trees, script, piece.offset, piece.offset + piece.length, lines, all, kinds);
        MemoryContextReset(piece_cxt);
    }
    MemoryContextSwitchTo(old);
    MemoryContextDelete(piece_cxt);
    if (!parsed) {
        all.clear();
        kinds.clear();
    }
    return parsed;
}

// The whole script at once; its errors name the migration and line.
void parse_whole(const std::string& script, const MigrationLabel& label,
                 std::vector<Statement>& all, std::vector<core::StatementKind>& kinds) {
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

    core::LineCounter lines(script);
    collect(trees, script, 0, script.size(), lines, all, kinds);
    MemoryContextSwitchTo(old);
    MemoryContextDelete(parse_cxt);
}

}  // namespace

std::vector<Statement> parse_script(const std::string& script, const MigrationLabel& label) {
    std::vector<Statement> all;
    std::vector<core::StatementKind> kinds;
    const auto pieces = script_chunks(script, parse_chunk_bytes());
    if (pieces.size() < 2 || !parse_in_pieces(script, pieces, all, kinds))
        parse_whole(script, label, all, kinds);
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
