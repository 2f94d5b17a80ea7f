#include "core/plan/script.hpp"

#include <algorithm>
#include <optional>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

std::string normalize_line_endings(std::string_view script) {
    std::string out;
    out.reserve(script.size());
    for (std::size_t i = 0; i < script.size(); ++i) {
        if (script[i] == '\r') {
            out += '\n';
            if (i + 1 < script.size() && script[i + 1] == '\n')
                ++i;
        } else {
            out += script[i];
        }
    }
    return out;
}

std::size_t skip_blanks_and_comments(std::string_view text, std::size_t pos) {
    const auto n = text.size();
    while (pos < n) {
        const char c = text[pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ++pos;
        } else if (c == '-' && pos + 1 < n && text[pos + 1] == '-') {
            // The server's lexer ends a line comment at CR as well as LF.
            const auto eol = text.find_first_of("\r\n", pos);
            pos = eol == std::string_view::npos ? n : eol + 1;
        } else if (c == '/' && pos + 1 < n && text[pos + 1] == '*') {
            // SQL block comments nest, unlike C's.
            int depth = 1;
            pos += 2;
            while (pos < n && depth > 0) {
                if (text.compare(pos, 2, "/*") == 0) {
                    ++depth;
                    pos += 2;
                } else if (text.compare(pos, 2, "*/") == 0) {
                    --depth;
                    pos += 2;
                } else {
                    ++pos;
                }
            }
        } else {
            break;
        }
    }
    return std::min(pos, n);
}

namespace {

// Line breaks in text[from, to): LF, CRLF (once) and a lone CR, as the server's lexer sees
// them.
int count_line_breaks(std::string_view text, std::size_t from, std::size_t to) {
    int breaks = 0;
    for (std::size_t i = from; i < to; ++i)
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
            ++breaks;
    return breaks;
}

}  // namespace

namespace {

void normalized_pieces(std::string_view script, const std::function<void(std::string_view)>& piece) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < script.size(); ++i) {
        if (script[i] != '\r')
            continue;
        if (i > start) piece(script.substr(start, i - start));
        piece("\n");
        if (i + 1 < script.size() && script[i + 1] == '\n') ++i;
        start = i + 1;
    }
    if (start < script.size()) piece(script.substr(start));
}

}  // namespace

void for_each_checksum_piece(std::string_view up, const std::optional<std::string>& down,
                             const std::optional<std::string>& verify,
                             const std::function<void(std::string_view)>& piece) {
    normalized_pieces(up, piece);
    const auto append = [&](std::string_view name, const std::optional<std::string>& script) {
        if (!script)
            return;
        piece(std::string_view("\0", 1));
        piece(name);
        piece(std::string_view("\0", 1));
        normalized_pieces(*script, piece);
    };
    append("down", down);
    append("verify", verify);
}

std::string checksum_input(std::string_view up, const std::optional<std::string>& down,
                           const std::optional<std::string>& verify) {
    std::string input;
    for_each_checksum_piece(up, down, verify, [&](std::string_view p) { input.append(p); });
    return input;
}

std::string_view without_bom(std::string_view text) {
    static constexpr std::string_view bom = "\xEF\xBB\xBF";
    return text.substr(0, bom.size()) == bom ? text.substr(bom.size()) : text;
}

int line_at(std::string_view text, std::size_t pos) {
    return 1 + count_line_breaks(text, 0, std::min(pos, text.size()));
}

int LineCounter::at(std::size_t pos) {
    pos = std::min(pos, text_.size());
    if (pos > pos_) {
        line_ += count_line_breaks(text_, pos_, pos);
        pos_ = pos;
    }
    return line_;
}

std::vector<std::size_t> statements_to_run(const std::vector<StatementKind>& kinds) {
    std::vector<std::size_t> run;
    run.reserve(kinds.size());
    std::optional<std::size_t> open_begin;  // index of the BEGIN whose COMMIT is still to come
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        switch (kinds[i]) {
        case StatementKind::Ordinary:
            run.push_back(i);
            break;
        case StatementKind::Begin:
            if (open_begin)
                throw TransactionControlError(
                    i, "BEGIN inside a BEGIN ... COMMIT block of a migration",
                    "Transaction blocks do not nest; remove the inner BEGIN.");
            open_begin = i;
            break;
        case StatementKind::Commit:
            if (!open_begin)
                throw TransactionControlError(
                    i, "COMMIT without a matching BEGIN in a migration",
                    "The runner commits each migration itself; remove the COMMIT.");
            open_begin.reset();
            break;
        case StatementKind::BeginWithOptions:
            throw TransactionControlError(
                i, "BEGIN with transaction options is not supported in a migration",
                "The runner owns the transaction; choose the isolation level in the "
                "transaction that calls the runner.");
        case StatementKind::OtherTransaction:
            throw TransactionControlError(
                i, "transaction control statements are not allowed inside a migration",
                "The runner commits or rolls back each migration itself; a script may only "
                "group its statements in BEGIN ... COMMIT blocks, which run as part of the "
                "migration's transaction.");
        }
    }
    if (open_begin)
        throw TransactionControlError(*open_begin,
                                      "BEGIN without a matching COMMIT in a migration",
                                      "End the block with COMMIT, or remove the BEGIN.");
    return run;
}

}  // namespace ms::core
