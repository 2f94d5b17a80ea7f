// Result sets as aligned text, the way psql shows them, so output reads the same in both.
#pragma once

#include "cli/table.hpp"

#include <ostream>

namespace ms::cli {

// Header, rule, rows and a "(N rows)" footer. NULL shows as an empty cell; a value spanning
// several lines takes several lines of its row. A table without columns prints nothing.
void print_table(std::ostream& out, const Table& table);

}  // namespace ms::cli
