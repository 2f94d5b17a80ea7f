// Statement-aligned pieces of a large script, so that it is parsed a piece at a time: the
// parse trees of a 100 MB script of INSERTs take several times its size, and the server's
// own way of running a script (psql sends one statement at a time) never holds them all.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ms::pg {

struct ScriptChunk {
    std::size_t offset = 0;
    std::size_t length = 0;
};

// Pieces of about `target` bytes (at least one whole statement each), cut after a ';' that
// ends a statement as psql would end it: outside literals, comments, dollar quotes and
// BEGIN ATOMIC ... END bodies. A script no longer than `target`, or one the lexer cannot read
// (the parser will say why), is one piece. A cut the parser disagrees with shows as a
// syntax error in a piece; callers then parse the whole script, so that errors and their
// positions are never the pieces'.
std::vector<ScriptChunk> script_chunks(const std::string& script, std::size_t target);

// migrations_schema.parse_chunk_size, in bytes.
std::size_t parse_chunk_bytes();

}  // namespace ms::pg
