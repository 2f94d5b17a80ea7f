// Splits a migration script into statements with the server's own parser, so the runner
// agrees with PostgreSQL about every quote, dollar-quote and comment.
#pragma once

#include "core/plan/script.hpp"
#include "pg/base/migration_label.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace ms::pg {

struct Statement {
    std::size_t offset = 0;  // byte offset of the statement's first token in the script
    std::size_t length = 0;
    int line = 0;            // line of its first token
    int number = 0;          // 1-based position among all statements of the script
    // PostgreSQL refuses it inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM,
    // ALTER SYSTEM, ...), or it commits by itself (CALL, a DO block with COMMIT).
    bool top_level = false;
    // For CREATE INDEX CONCURRENTLY: the name of the index it builds (in the schema of
    // `relation`), to find an INVALID leftover.
    std::string concurrent_index;
    // The relation the statement locks, as written, to name who holds it on a timeout.
    std::string relation;
};

// The statements to run, with a BEGIN ... COMMIT wrapper removed. A syntax error, a psql
// meta-command or a stray transaction-control statement is an error naming its line;
// nothing is executed here.
std::vector<Statement> parse_script(const std::string& script, const MigrationLabel& label);

}  // namespace ms::pg
