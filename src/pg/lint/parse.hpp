// A script parsed for the lint: the server's raw_parser splits it, describe_for_lint() says
// what each statement does. A syntax error is a result here, not an exception: the lint
// reports it as a finding with its line.
#pragma once

#include "core/plan/script.hpp"
#include "pg/lint/tree.hpp"
#include "pg/parse/chunks.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

struct LintStatement {
    int number = 0;           // 1-based, BEGIN and COMMIT included, as the runner counts
    int line = 0;             // line of the first token
    std::size_t offset = 0;   // byte offset of the first token
    std::size_t end = 0;      // byte offset just past the statement
    const LintTreeStatement* tree = nullptr;  // in the parse context
};

struct LintSyntaxError {
    int statement = 0;  // the statement it is in: 1 + the statements ended before it
    int line = 0;
    std::string message;
};

class LintParse {
public:
    explicit LintParse(const std::string& script);
    ~LintParse();
    LintParse(const LintParse&) = delete;
    LintParse& operator=(const LintParse&) = delete;

    const std::optional<LintSyntaxError>& syntax_error() const { return syntax_error_; }
    const std::vector<LintStatement>& statements() const { return statements_; }

    // String constants of every statement after `after` (its index in statements()),
    // by statement index, found by the server's lexer.
    std::vector<std::vector<std::string>> string_constants_after(std::size_t after) const;

    // Identifiers longer than the server keeps (63 bytes), as written, by statement index.
    std::vector<std::vector<std::string>> long_identifiers() const;

private:
    // The whole script at once: its syntax error, if any, becomes syntax_error().
    void parse_whole();
    // A large script a piece at a time; false when the parser refuses a piece (the whole
    // script is then parsed, so that the error is reported as for any script).
    bool parse_in_pieces(const std::vector<ScriptChunk>& pieces);
    void add_statements(List* trees, std::size_t base, std::size_t piece_end,
                        core::LineCounter& lines, MemoryContext trees_context);

    // The values of a List of LintLiteral*, by the index of the statement each falls in.
    std::vector<std::vector<std::string>> by_statement(List* literals) const;

    // The error's position is in characters (1-based; 0: none).
    void locate_syntax_error(std::string message, int position);

    const std::string& script_;
    MemoryContext context_ = nullptr;  // the trees and everything the walker allocates
    int exceptions_at_entry_;
    std::optional<LintSyntaxError> syntax_error_;
    std::vector<LintStatement> statements_;
};

}  // namespace ms::pg
