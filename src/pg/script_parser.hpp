// Splits a migration script into statements with the server's own parser, so the runner
// agrees with PostgreSQL about every quote, dollar-quote and comment.
#pragma once

#include "core/script.hpp"
#include "pg/migration_label.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace ms::pg {

struct Statement {
    std::size_t offset;  // byte offset of the statement's first token in the script
    std::size_t length;
    int line;            // line of its first token
    int number;          // 1-based position among all statements of the script
};

// The statements to run, with a BEGIN ... COMMIT wrapper removed. A syntax error, a psql
// meta-command or a stray transaction-control statement is an error naming its line;
// nothing is executed here.
std::vector<Statement> parse_script(const std::string& script, const MigrationLabel& label);

}  // namespace ms::pg
