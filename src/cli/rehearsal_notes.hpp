// What a rehearsal (apply or rollback --dry-run, test) did not rehearse, said under its
// rows: the notes sit in a wide column of a wide table, where a reader skims past them.
#pragma once

#include "cli/table.hpp"

#include <string>
#include <vector>

namespace ms::cli {

// One line per migration whose rehearsal left something out: from the column "rehearsal"
// of a dry run, or "reversible" and "detail" of migrate_test(). Empty when it rehearsed all.
std::vector<std::string> rehearsal_gaps(const Table& result);

}  // namespace ms::cli
