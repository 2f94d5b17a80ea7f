// Whether the drift log may keep the text of the statement behind a DDL event. The log is
// read through migrate_drift() by roles that may not read the catalogs holding secrets
// (pg_authid, pg_user_mapping, pg_subscription's connection string), so text is kept only
// when the parse trees show it cannot carry one; otherwise the log keeps the command tag and
// the object's identity.
#pragma once

#include "core/schema/ddl_scope.hpp"

#include <string>

namespace ms::core {

// What the event trigger learnt from the parse trees of the query string and of the command.
struct DdlStatementFacts {
    // The event is the top-level statement's own: not a statement run inside it (by a DO
    // block, a function it called, dynamic SQL), whose text the query string does not hold
    // while the query string may hold anything else (the DO body, a function's arguments).
    bool top_level = false;
    // The command tag of the top-level statement ("CREATE TABLE", "DO", "SELECT"); empty
    // when it is unknown.
    std::string top_level_tag;
    // The tree sets a subscription's CONNECTION, or OPTIONS (...) of a foreign-data wrapper,
    // server, user mapping, foreign table or foreign column: where passwords are kept.
    bool options_or_connection = false;
    // CREATE FUNCTION / PROCEDURE with a body in a procedural language: the body can carry
    // dynamic SQL with anything in it.
    bool procedural_body = false;
};

// True only for a top-level statement whose command the log knows (the event trigger's
// command tags of PostgreSQL 15, less those that carry connection strings, passwords or
// options) and whose tree carries none of them. Unknown commands keep no text.
bool may_keep_statement_text(const DdlStatementFacts& facts, const DdlObject& object);

}  // namespace ms::core
