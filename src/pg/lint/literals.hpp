// Tokens of a script as the server's own lexer sees them, for the two lint questions the
// parse tree cannot answer: which string constants later statements use (a new enum value
// must not be used before it commits), and how many statements end before a syntax error.
// C-style and palloc only: call these under pg_call.
#pragma once

#include "pg/base/pg.hpp"

namespace ms::pg {

struct LintLiteral {
    int location;       // byte offset of the constant in the text
    const char* value;  // its value, quotes and escapes resolved
};

// Every string constant ('...', E'...', $$...$$) at byte `from` or later, in order: a List of
// LintLiteral*.
List* string_constants(const char* text, int from);

// Every identifier (plain or quoted) longer than NAMEDATALEN - 1 bytes as written: a List of
// LintLiteral* whose value is the identifier as written, quotes removed.
List* long_identifiers(const char* text);

// Counts the ';' tokens before byte `end` into *count as it goes, so that the count stands
// even when the lexer raises on the very error being located. (A ';' inside a BEGIN ATOMIC
// body counts too: the count names the statement of a syntax error, nothing more exact.)
void count_semicolons(const char* text, int end, int* count);

}  // namespace ms::pg
