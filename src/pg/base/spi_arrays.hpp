// One-dimensional array parameters for internal queries that write many rows in one
// statement (INSERT ... SELECT FROM unnest($n)): an element without a value is NULL.
#pragma once

#include "pg/base/spi.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

SqlArg texts_arg(const std::vector<std::optional<std::string>>& values);
SqlArg float8s_arg(const std::vector<std::optional<double>>& values);
SqlArg int4s_arg(const std::vector<std::optional<int>>& values);
SqlArg timestamps_arg(const std::vector<std::optional<TimestampTz>>& values);

}  // namespace ms::pg
