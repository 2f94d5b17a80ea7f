#include "pg/base/sqlstate.hpp"

#include "pg/base/pg.hpp"

namespace ms::pg {

int sqlstate_for(core::FailureKind kind) noexcept {
    using core::FailureKind;
    switch (kind) {
    case FailureKind::InvalidValue: return ERRCODE_INVALID_PARAMETER_VALUE;
    case FailureKind::NullValue: return ERRCODE_NULL_VALUE_NOT_ALLOWED;
    case FailureKind::Duplicate: return ERRCODE_DUPLICATE_OBJECT;
    case FailureKind::NotFound: return ERRCODE_UNDEFINED_OBJECT;
    case FailureKind::Modified:
    case FailureKind::OutOfOrder:
    case FailureKind::MissingDown:
    case FailureKind::Conflict: return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
    case FailureKind::Layout: return ERRCODE_INVALID_PARAMETER_VALUE;
    case FailureKind::Io: return ERRCODE_IO_ERROR;
    case FailureKind::Forbidden: return ERRCODE_INSUFFICIENT_PRIVILEGE;
    case FailureKind::Syntax: return ERRCODE_SYNTAX_ERROR;
    case FailureKind::Unsupported: return ERRCODE_FEATURE_NOT_SUPPORTED;
    case FailureKind::Busy: return ERRCODE_T_R_SERIALIZATION_FAILURE;
    case FailureKind::InTransaction: return ERRCODE_ACTIVE_SQL_TRANSACTION;
    case FailureKind::UndefinedSchema: return ERRCODE_UNDEFINED_SCHEMA;
    case FailureKind::BadText: return ERRCODE_CHARACTER_NOT_IN_REPERTOIRE;
    case FailureKind::LockWait: return ERRCODE_LOCK_NOT_AVAILABLE;
    case FailureKind::ReadOnly: return ERRCODE_READ_ONLY_SQL_TRANSACTION;
    }
    return ERRCODE_INTERNAL_ERROR;
}

}  // namespace ms::pg
