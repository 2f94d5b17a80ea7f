#include "pg/runner/statement_executor.hpp"

#include "core/base/failure.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/parse/lexing_settings.hpp"
#include "pg/parse/position.hpp"

extern "C" {
#include "tcop/dest.h"
#include "utils/timeout.h"
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

// Arms the statement timeout for one statement and puts back the caller's own deadline (a
// session statement_timeout covering the whole call) afterwards, also on an error.
class StatementTimer {
public:
    explicit StatementTimer(int timeout_ms) : armed_(timeout_ms > 0) {
        if (!armed_)
            return;
        outer_active_ = get_timeout_active(STATEMENT_TIMEOUT);
        if (outer_active_)
            outer_finish_ = get_timeout_finish_time(STATEMENT_TIMEOUT);
        TimestampTz finish = GetCurrentTimestamp() + static_cast<TimestampTz>(timeout_ms) * 1000;
        if (outer_active_ && outer_finish_ < finish)
            finish = outer_finish_;
        enable_timeout_at(STATEMENT_TIMEOUT, finish);
    }
    ~StatementTimer() {
        if (!armed_)
            return;
        if (outer_active_)
            enable_timeout_at(STATEMENT_TIMEOUT, outer_finish_);
        else
            disable_timeout(STATEMENT_TIMEOUT, false);
    }
    StatementTimer(const StatementTimer&) = delete;
    StatementTimer& operator=(const StatementTimer&) = delete;

private:
    bool armed_;
    bool outer_active_ = false;
    TimestampTz outer_finish_ = 0;
};

}  // namespace

int execute_statements(const std::string& script, const std::vector<Statement>& statements,
                       const MigrationLabel& label, std::vector<double>* durations,
                       int timeout_ms) {
    const char* label_text = pg_call([&] { return pstrdup(label.describe().c_str()); });
    SPIExecuteOptions options{};
    // Rows a statement returns are discarded instead of piling up in memory.
    options.dest = None_Receiver;

    SettingsScope settings;
    UserSqlScope user_sql;
    // As the script was split and linted (the settings a statement changes end with the
    // call, so every call starts from them).
    const LexingSettings split_with = current_lexing_settings();
    for (const auto& s : statements) {
        const std::string changed = changed_lexing_setting(split_with, current_lexing_settings());
        if (!changed.empty())
            throw core::Failure(core::FailureKind::Unsupported,
                                "a migration may not change " + changed +
                                    ": the rest of its script would run other statements than "
                                    "those that were split and linted",
                                {},
                                "Set it for the role or the database that runs migrations "
                                "(ALTER ROLE ... SET), or leave it as it is and write strings "
                                "for it (E'...' for backslash escapes).")
                .with_context(label.describe() + ", statement " + std::to_string(s.number) +
                              ", line " + std::to_string(s.line));
        const std::string text = script.substr(s.offset, s.length);
        StatementContext ctx{label_text, text.c_str(), text.size(), s.number, s.line};
        ErrorContextCallback callback{error_context_stack, statement_error_context, &ctx};
        error_context_stack = &callback;
        int rc = 0;
        const TimestampTz started = GetCurrentTimestamp();
        try {
            StatementTimer timer(timeout_ms);
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
