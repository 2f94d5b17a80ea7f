// The boundary between PostgreSQL's longjmp errors and C++ exceptions (CONTRIBUTING.md, "Errors").
//
// pg_call() runs a PostgreSQL function and turns its ereport(ERROR) into a PgError
// exception, so C++ destructors run. sql_entry() is the other direction: it runs the C++
// body of a SQL-callable function and turns any exception back into an ereport, raised
// only after every C++ object of the body is gone and outside any catch block.
#pragma once

#include "pg/base/pg.hpp"

#include <exception>
#include <type_traits>
#include <utility>

namespace ms::pg {

class PgError : public std::exception {
public:
    explicit PgError(ErrorData* data) : data_(data) {}
    const char* what() const noexcept override { return data_->message ? data_->message : ""; }
    ErrorData* data() const noexcept { return data_; }

private:
    ErrorData* data_;  // palloc'd copy, alive until the statement ends
};

[[noreturn]] void throw_pg_error(MemoryContext keep_in);

template <typename Fn>
auto pg_call(Fn&& fn) -> decltype(fn()) {
    using R = decltype(fn());
    if constexpr (std::is_void_v<R>) {
        const MemoryContext ctx = CurrentMemoryContext;
        volatile bool failed = false;
        // A C++ exception must not leave PG_TRY (PG_exception_stack would point into a
        // dead frame): one thrown by fn, a std::bad_alloc of a string it builds say, is
        // caught inside and thrown again after PG_END_TRY. It is only set when no longjmp
        // follows.
        std::exception_ptr cpp_failure;
        PG_TRY();
        {
            try {
                fn();
            } catch (...) {
                cpp_failure = std::current_exception();
            }
        }
        PG_CATCH();
        {
            failed = true;
        }
        PG_END_TRY();
        if (failed)
            throw_pg_error(ctx);
        if (cpp_failure)
            std::rethrow_exception(cpp_failure);
    } else {
        static_assert(std::is_scalar_v<R>, "pg_call returns plain values only");
        // Assigned last inside the guarded call, so never read after a longjmp.
        R result{};
        pg_call([&] { result = fn(); });
        return result;
    }
}

// What an exception becomes, in palloc'd C strings that outlive the C++ frames.
struct EntryFailure {
    ErrorData* pg_error = nullptr;
    int sqlstate = 0;
    char* message = nullptr;
    char* detail = nullptr;
    char* hint = nullptr;
    char* context = nullptr;
};

// Runs body; on an exception fills *failure and returns false. Never raises itself.
bool run_entry(void (*body)(void*), void* arg, EntryFailure* failure) noexcept;

[[noreturn]] void raise_entry_failure(const EntryFailure& failure);

// Runs the C++ body of a SQL-callable function under the guard. The body gets fcinfo and
// returns a Datum.
template <typename Body>
Datum sql_entry(FunctionCallInfo fcinfo, Body body) {
    struct Call {
        FunctionCallInfo fcinfo;
        Body* body;
        Datum result;
    } call{fcinfo, &body, Datum(0)};
    EntryFailure failure;
    const bool ok = run_entry(
        [](void* p) {
            auto* c = static_cast<Call*>(p);
            c->result = (*c->body)(c->fcinfo);
        },
        &call, &failure);
    if (!ok)
        raise_entry_failure(failure);
    return call.result;
}

}  // namespace ms::pg

// Declares a SQL-callable symbol whose whole body is `body` under the guard, in one line:
//   MS_SQL_FUNCTION(migrate_apply, ms::pg::apply_body)
// The symbol and its info function have C linkage and nothing else happens in C frames.
#define MS_SQL_FUNCTION(name, body)                                                            \
    extern "C" {                                                                               \
    PG_FUNCTION_INFO_V1(name);                                                                 \
    Datum name(PG_FUNCTION_ARGS) { return ::ms::pg::sql_entry(fcinfo, body); }                 \
    }
