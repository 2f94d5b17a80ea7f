// A result set detached from libpq, so that the printers serve query results and the
// client's own reports (push, the fleet summary) alike.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::cli {

struct Table {
    std::vector<std::string> columns;
    std::vector<bool> right_aligned;  // numbers, as psql aligns them
    std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt is SQL NULL
};

}  // namespace ms::cli
