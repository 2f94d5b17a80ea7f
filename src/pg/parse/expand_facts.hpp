// What each statement of an expand/contract migration asks for, read from the server's parse
// tree for the planner (core/plan/expand_contract.hpp). Expressions, types and constraints
// are cut from the statement's text where the parser and its lexer say they begin and end,
// so they run as written. Relation names stay as written here; the runner resolves them.
#pragma once

#include "core/plan/expand_contract.hpp"
#include "pg/parse/statements.hpp"

#include <string>
#include <vector>

namespace ms::pg {

// One fact per statement, and per subcommand of an ALTER TABLE; `schema` is the schema as
// written ("" when unqualified). Runs under pg_call; the parse trees are freed before return.
std::vector<core::EcStatement> expand_facts(const std::string& script,
                                            const std::vector<Statement>& statements);

}  // namespace ms::pg
