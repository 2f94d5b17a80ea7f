// JSON output, written by hand: the shapes are fixed and small, and a dependency for them
// would be larger than this file.
#pragma once

#include "cli/table.hpp"

#include <optional>
#include <string>

namespace ms::cli {

// A JSON string literal, quotes included; nullopt becomes null.
std::string json_string(const std::optional<std::string>& value);

// [{"column": "value", ...}, ...]: one object per row, every value a string or null.
std::string json_rows(const Table& table);

}  // namespace ms::cli
