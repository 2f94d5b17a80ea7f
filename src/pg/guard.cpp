#include "pg/guard.hpp"

#include "core/failure.hpp"
#include "pg/sqlstate.hpp"

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
    // pstrdup below cannot fail in practice for these small strings; if it did, its
    // longjmp would leave from a frame that holds no C++ object.
    try {
        body(arg);
        return true;
    } catch (const PgError& e) {
        failure->pg_error = e.data();
    } catch (const core::Failure& f) {
        failure->sqlstate = sqlstate_for(f.kind());
        failure->message = pstrdup(f.what());
        failure->detail = copy_or_null(f.detail());
        failure->hint = copy_or_null(f.hint());
        failure->context = copy_or_null(f.context());
    } catch (const std::bad_alloc&) {
        failure->sqlstate = ERRCODE_OUT_OF_MEMORY;
        failure->message = pstrdup("out of memory");
    } catch (const std::exception& e) {
        failure->sqlstate = ERRCODE_INTERNAL_ERROR;
        failure->message = pstrdup(e.what());
    } catch (...) {
        failure->sqlstate = ERRCODE_INTERNAL_ERROR;
        failure->message = pstrdup("unknown C++ exception");
    }
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
