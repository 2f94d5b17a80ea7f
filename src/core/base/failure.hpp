// The one error type of src/core. The PostgreSQL shell maps each kind to a SQLSTATE,
// so the core never needs to know about error codes.
#pragma once


#include <stdexcept>
#include <string>

namespace ms::core {

enum class FailureKind {
    InvalidValue,    // a malformed argument: bad version, empty name, ...
    NullValue,       // a required argument was NULL
    Duplicate,       // two spellings of one version, two up scripts for one version
    NotFound,        // a target version that is not registered or not applied
    Modified,        // an applied migration's script changed since it was applied
    OutOfOrder,      // a pending migration sorts before the newest applied one
    MissingDown,     // a rollback range contains a migration without a down script
    Layout,          // a folder that does not follow a known layout
    Io,              // a file that cannot be read, or is not what it claims to be
    Forbidden,       // a link leaving the folder, a forbidden statement
    Syntax,          // a psql meta-command where SQL was expected
    Unsupported,     // a statement the runner cannot honour (transaction control, COPY FROM STDIN)
    Busy,            // another session is migrating the project and waiting cannot help
    Conflict,        // recorded state forbids the request (a failed or dirty foreign record)
    InTransaction,   // a call that must own its transactions, made inside a transaction block
    UndefinedSchema, // a schema name that does not exist
    BadText,         // text that is not valid in the database encoding, or holds a NUL byte
    LockWait,        // another session holds the project longer than the caller may wait
    ReadOnly,        // a call that writes, made on a hot standby
};

class Failure : public std::runtime_error {
public:
    Failure(FailureKind kind, std::string message, std::string detail = {},
            std::string hint = {})
        : std::runtime_error(std::move(message)), kind_(kind),
          detail_(std::move(detail)), hint_(std::move(hint)) {}

    FailureKind kind() const noexcept { return kind_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }
    // Where it happened ("migration 003 ... line 7"), reported as the error's CONTEXT.
    const std::string& context() const noexcept { return context_; }
    Failure& with_context(std::string context) {
        context_ = std::move(context);
        return *this;
    }

private:
    FailureKind kind_;
    std::string detail_;
    std::string hint_;
    std::string context_;
};

}  // namespace ms::core
