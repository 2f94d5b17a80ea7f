// Facts about a script's text that the runner needs around the server's parser: where a
// statement really starts, which line a byte is on, and what the statement sequence means
// for transactions.
#pragma once


#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

// CRLF and lone CR become LF, so a script checked out on Windows keeps its checksum.
std::string normalize_line_endings(std::string_view script);

// What a migration's checksum is taken over: every script it carries, so that a down or
// verify script, which runs later and perhaps under other rights, cannot be swapped
// unnoticed. Line endings are normalised; each further script follows a NUL byte, which
// text cannot contain, and its name. A migration with only an up script hashes its
// normalised up script alone, as it always did.
std::string checksum_input(std::string_view up, const std::optional<std::string>& down,
                           const std::optional<std::string>& verify);

// The same input, handed to `piece` in order without being built: views into the scripts
// between line endings, and the separators. A 100 MB script is hashed without a 100 MB
// copy of it.
void for_each_checksum_piece(std::string_view up, const std::optional<std::string>& down,
                             const std::optional<std::string>& verify,
                             const std::function<void(std::string_view)>& piece);

// The server's parser counts a statement from just after the previous ';', so its start
// includes blanks and comments. Returns the offset of the first real token at or after pos
// (or text.size() when only blanks and comments follow).
std::size_t skip_blanks_and_comments(std::string_view text, std::size_t pos);

// The text without a leading UTF-8 byte order mark, which Windows editors write and which
// the server's parser would read as part of the first word.
std::string_view without_bom(std::string_view text);

// 1-based line number of byte offset pos.
int line_at(std::string_view text, std::size_t pos);

// line_at() for offsets that only grow, in linear total time.
class LineCounter {
public:
    explicit LineCounter(std::string_view text) : text_(text) {}
    // pos must not be smaller than in the previous call.
    int at(std::size_t pos);

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
};

enum class StatementKind {
    Ordinary,
    Begin,             // BEGIN / START TRANSACTION without options
    BeginWithOptions,  // BEGIN ISOLATION LEVEL ..., which the runner cannot honour
    Commit,            // COMMIT / END
    OtherTransaction,  // ROLLBACK, SAVEPOINT, PREPARE TRANSACTION, ...
};


class TransactionControlError : public std::runtime_error {
public:
    TransactionControlError(std::size_t index, const std::string& message, const std::string& hint)
        : std::runtime_error(message), index_(index), hint_(hint) {}
    std::size_t index() const noexcept { return index_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::size_t index_;
    std::string hint_;
};

// Which statements to run, as indexes into kinds. BEGIN ... COMMIT blocks are the author's
// own transaction wrappers (psql runs each as a transaction); they are dropped, since the
// runner's transaction already holds the whole migration. Nested or unbalanced blocks and
// every other transaction-control statement throw TransactionControlError.
std::vector<std::size_t> statements_to_run(const std::vector<StatementKind>& kinds);

}  // namespace ms::core
