// The utility statement the client sent, while it runs: the ProcessUtility hook records it,
// so that the DDL event triggers can tell an event of that statement from one of a statement
// run inside it (a DO block, a function, dynamic SQL), and take its own text out of the
// query string (which may hold other statements).
#pragma once

#include "pg/base/pg.hpp"

extern "C" {
#include "nodes/plannodes.h"
}

namespace ms::pg {

struct TopLevelStatement {
    const PlannedStmt* statement = nullptr;  // nullptr: no top-level utility statement runs
    const char* query_string = nullptr;
};

// nullptr in `statement` while the client's statement is no utility statement (a SELECT
// calling a function that runs DDL), and in a backend that loaded the library after its
// statement started.
const TopLevelStatement& running_top_level_statement();

// Whether the hook has recorded a statement in this backend: from then on, no recorded
// statement means the client's statement is no utility statement.
bool top_level_statements_recorded();

// Called by the ProcessUtility hook around a statement run with PROCESS_UTILITY_TOPLEVEL;
// the hook restores the previous value on every path (PG_FINALLY).
TopLevelStatement enter_top_level_statement(const PlannedStmt* statement,
                                            const char* query_string);
void leave_top_level_statement(const TopLevelStatement& previous);

}  // namespace ms::pg
