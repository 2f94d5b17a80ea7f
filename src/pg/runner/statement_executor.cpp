#include "pg/runner/statement_executor.hpp"

#include "core/failure.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/activity.hpp"
#include "pg/parse/position.hpp"

extern "C" {
#include "tcop/dest.h"
#include "utils/timestamp.h"
}

namespace ms::pg {

namespace {

// Plain data only: error callbacks run inside ereport, where no C++ object may live.
struct StatementContext {
    const char* label;
    const char* statement_text;
    std::size_t statement_size;
    int number;
    int line;  // line of the statement's first token
};

void statement_error_context(void* arg) {
    const auto* ctx = static_cast<const StatementContext*>(arg);
    // SPI has already turned a parse position into an internal position within the
    // statement; turn that into a line of the whole script.
    const int pos = getinternalerrposition();
    int line = ctx->line;
    if (pos > 0)
        line = ctx->line - 1 +
               locate_char_position(ctx->statement_text, ctx->statement_size, pos).line;
    errcontext("%s, statement %d, line %d", ctx->label, ctx->number, line);
}

}  // namespace

int execute_statements(const std::string& script, const std::vector<Statement>& statements,
                       const MigrationLabel& label, std::vector<double>* durations) {
    const char* label_text = pg_call([&] { return pstrdup(label.describe().c_str()); });
    SPIExecuteOptions options{};
    // Rows a statement returns are discarded instead of piling up in memory.
    options.dest = None_Receiver;

    UserSqlScope user_sql;
    for (const auto& s : statements) {
        const std::string text = script.substr(s.offset, s.length);
        StatementContext ctx{label_text, text.c_str(), text.size(), s.number, s.line};
        ErrorContextCallback callback{error_context_stack, statement_error_context, &ctx};
        error_context_stack = &callback;
        int rc = 0;
        const TimestampTz started = GetCurrentTimestamp();
        try {
            rc = pg_call([&] { return SPI_execute_extended(text.c_str(), &options); });
        } catch (...) {
            error_context_stack = callback.previous;
            throw;
        }
        error_context_stack = callback.previous;
        if (durations != nullptr)
            durations->push_back(static_cast<double>(GetCurrentTimestamp() - started) / 1000.0);
        if (rc < 0)
            throw core::Failure(core::FailureKind::Unsupported,
                                std::string("statement cannot run in a migration: ") +
                                    SPI_result_code_string(rc),
                                {},
                                rc == SPI_ERROR_COPY
                                    ? "COPY to or from the client is not available inside the "
                                      "server; use INSERT, or COPY from a server-side file."
                                    : "")
                .with_context(label.describe() + ", statement " + std::to_string(s.number) +
                              ", line " + std::to_string(s.line));
    }
    return static_cast<int>(statements.size());
}

}  // namespace ms::pg
