#include "core/lint/volatility.hpp"

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

const char* volatility_name(Volatility v) noexcept {
    switch (v) {
    case Volatility::Immutable: return "immutable";
    case Volatility::Stable: return "stable";
    case Volatility::Volatile: return "volatile";
    case Volatility::Unknown: return "unknown";
    }
    return "unknown";
}

Volatility volatility_from_code(char provolatile) noexcept {
    switch (provolatile) {
    case 'i': return Volatility::Immutable;
    case 's': return Volatility::Stable;
    case 'v': return Volatility::Volatile;
    default: return Volatility::Unknown;
    }
}

Volatility most_volatile(Volatility a, Volatility b) noexcept {
    // Volatile outranks everything; an unknown function might be volatile, so it outranks
    // the provably safe ones.
    auto rank = [](Volatility v) {
        switch (v) {
        case Volatility::Immutable: return 0;
        case Volatility::Stable: return 1;
        case Volatility::Unknown: return 2;
        case Volatility::Volatile: return 3;
        }
        return 2;
    };
    return rank(a) >= rank(b) ? a : b;
}

bool is_known_volatile_function(std::string_view name) noexcept {
    static constexpr std::string_view names[] = {
        "clock_timestamp", "random",           "gen_random_uuid",  "uuid_generate_v1",
        "uuid_generate_v1mc", "uuid_generate_v4", "nextval",        "timeofday",
        "setseed",         "gen_random_bytes", "uuid_generate_v7", "random_normal",
    };
    for (const auto n : names)
        if (name == n)
            return true;
    return false;
}

bool is_serial_type(std::string_view name) noexcept {
    static constexpr std::string_view names[] = {"smallserial", "serial2", "serial",
                                                 "serial4",     "bigserial", "serial8"};
    for (const auto n : names)
        if (name == n)
            return true;
    return false;
}

}  // namespace ms::core
