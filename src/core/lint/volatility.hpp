// Whether ADD COLUMN ... DEFAULT rewrites the table. Since PostgreSQL 11 a default that is
// not volatile is evaluated once and stored in the catalog (no rewrite); a volatile one
// (clock_timestamp(), random(), gen_random_uuid(), nextval()) must be computed for every
// existing row, which rewrites the table under ACCESS EXCLUSIVE. now() is stable: no rewrite.
#pragma once

#include <string_view>

namespace ms::core {

enum class Volatility { Immutable, Stable, Volatile, Unknown };

const char* volatility_name(Volatility v) noexcept;

// pg_proc.provolatile: 'i', 's' or 'v'; anything else is Unknown.
Volatility volatility_from_code(char provolatile) noexcept;

// The most volatile of two: what an expression calling both is.
Volatility most_volatile(Volatility a, Volatility b) noexcept;

// For a function the catalog does not know at lint time (created earlier in the same
// script, or by an extension not installed here): the well-known volatile ones by name.
bool is_known_volatile_function(std::string_view name) noexcept;

// serial, bigserial, ...: a column of such a type gets DEFAULT nextval(...).
bool is_serial_type(std::string_view name) noexcept;

}  // namespace ms::core
