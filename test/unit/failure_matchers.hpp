// Shared by the unit tests: the kind of Failure a call throws, printable in assertion
// messages, so that a wrong kind reads "Layout" instead of a bare enum value.
#pragma once

#include "core/base/failure.hpp"

#include <optional>
#include <ostream>
#include <utility>

namespace ms::core {

inline const char* kind_name(FailureKind kind) {
    switch (kind) {
    case FailureKind::InvalidValue: return "InvalidValue";
    case FailureKind::NullValue: return "NullValue";
    case FailureKind::Duplicate: return "Duplicate";
    case FailureKind::NotFound: return "NotFound";
    case FailureKind::Modified: return "Modified";
    case FailureKind::OutOfOrder: return "OutOfOrder";
    case FailureKind::MissingDown: return "MissingDown";
    case FailureKind::Layout: return "Layout";
    case FailureKind::Io: return "Io";
    case FailureKind::Conflict: return "Conflict";
    case FailureKind::InTransaction: return "InTransaction";
    case FailureKind::Forbidden: return "Forbidden";
    case FailureKind::Syntax: return "Syntax";
    case FailureKind::Unsupported: return "Unsupported";
    case FailureKind::Busy: return "Busy";
    // A kind added later prints as its number instead of breaking the test build.
    default: return nullptr;
    }
}

// Found by GoogleTest through argument-dependent lookup.
inline void PrintTo(FailureKind kind, std::ostream* os) {
    if (const char* name = kind_name(kind))
        *os << name;
    else
        *os << "FailureKind(" << static_cast<int>(kind) << ")";
}

}  // namespace ms::core

namespace ms::test {

// The Failure thrown by f, or nullopt when f returns. Any other exception escapes, so a
// test fails loudly when the core throws something the server shell cannot map.
template <typename F>
std::optional<core::Failure> failure_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const core::Failure& e) {
        return e;
    }
    return std::nullopt;
}

template <typename F>
std::optional<core::FailureKind> kind_of(F&& f) {
    const auto failure = failure_of(std::forward<F>(f));
    if (!failure)
        return std::nullopt;
    return failure->kind();
}

}  // namespace ms::test
