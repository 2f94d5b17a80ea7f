#include "pg/base/guard.hpp"

#include "core/base/failure.hpp"
#include "pg/base/fault.hpp"
#include "pg/base/sqlstate.hpp"

#include <new>
#include <string>

namespace ms::pg {

void throw_pg_error(MemoryContext keep_in) {
    // The copy must live outside ErrorContext, which FlushErrorState resets.
    MemoryContextSwitchTo(keep_in);
    ErrorData* data = CopyErrorData();
    FlushErrorState();
    throw PgError(data);
}

namespace {

char* copy_or_null(const std::string& s) {
    return s.empty() ? nullptr : pstrdup(s.c_str());
}

}  // namespace

bool run_entry(void (*body)(void*), void* arg, EntryFailure* failure) noexcept {
    // The catch blocks only copy into C++ strings; anything that could raise a PostgreSQL
    // error (pstrdup) happens after them, never inside a handler.
    ErrorData* pg_error = nullptr;
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    std::string message, detail, hint, context;
    // A C++ exception that escaped a PG_TRY would leave PG_exception_stack pointing into a
    // dead frame; the next error would crash. Say so loudly instead (as pg_duckdb does).
    sigjmp_buf* const stack_at_entry = PG_exception_stack;
    ErrorContextCallback* const context_at_entry = error_context_stack;
    reset_fault_counts();
    try {
        body(arg);
        if (PG_exception_stack != stack_at_entry || error_context_stack != context_at_entry) {
            PG_exception_stack = stack_at_entry;
            error_context_stack = context_at_entry;
            throw std::logic_error("migrations_schema: an error handler was left installed");
        }
        return true;
    } catch (const PgError& e) {
        pg_error = e.data();
    } catch (const core::Failure& f) {
        sqlstate = sqlstate_for(f.kind());
        message = f.what();
        detail = f.detail();
        hint = f.hint();
        context = f.context();
    } catch (const std::bad_alloc&) {
        sqlstate = ERRCODE_OUT_OF_MEMORY;
        message = "out of memory";
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
        message = "unknown C++ exception";
    }
    if (PG_exception_stack != stack_at_entry || error_context_stack != context_at_entry) {
        PG_exception_stack = stack_at_entry;
        error_context_stack = context_at_entry;
        elog(WARNING, "migrations_schema: an error handler was left installed by a failed call");
    }
    failure->pg_error = pg_error;
    failure->sqlstate = sqlstate;
    failure->message = pstrdup(message.c_str());
    failure->detail = copy_or_null(detail);
    failure->hint = copy_or_null(hint);
    failure->context = copy_or_null(context);
    return false;
}

void raise_entry_failure(const EntryFailure& failure) {
    if (failure.pg_error != nullptr)
        ReThrowError(failure.pg_error);
    ereport(ERROR,
            (errcode(failure.sqlstate), errmsg_internal("%s", failure.message),
             failure.detail ? errdetail_internal("%s", failure.detail) : 0,
             failure.hint ? errhint("%s", failure.hint) : 0,
             failure.context ? errcontext("%s", failure.context) : 0));
    pg_unreachable();
}

}  // namespace ms::pg
