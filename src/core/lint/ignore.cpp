#include "core/lint/ignore.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

constexpr std::string_view marker = "migrate:lint-ignore";

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

bool is_break(char c) {
    return c == '\n' || c == '\r';
}

// Start of the line holding byte pos: just after the previous LF, CR or CRLF.
std::size_t line_start(std::string_view text, std::size_t pos) {
    while (pos > 0 && !is_break(text[pos - 1]))
        --pos;
    return pos;
}

}  // namespace

std::optional<LintIgnoreDirective> parse_lint_ignore(std::string_view line) {
    line = trim(line);
    if (line.substr(0, 2) != "--")
        return std::nullopt;
    line = trim(line.substr(2));
    if (line.size() < marker.size() ||
        !boost::algorithm::iequals(line.substr(0, marker.size()), marker))
        return std::nullopt;
    line.remove_prefix(marker.size());
    // "migrate:lint-ignored" is another word, not the marker.
    if (!line.empty() && !is_blank(line.front()))
        return std::nullopt;
    line = trim(line);
    std::size_t end = 0;
    while (end < line.size() && !is_blank(line[end]))
        ++end;
    if (end == 0)
        return std::nullopt;
    return LintIgnoreDirective{std::string(line.substr(0, end)),
                               std::string(trim(line.substr(end)))};
}

std::vector<LintIgnoreDirective> lint_ignores_before(std::string_view script,
                                                     std::size_t statement_start) {
    std::vector<LintIgnoreDirective> found;
    std::size_t start = line_start(script, std::min(statement_start, script.size()));
    while (start > 0) {
        // Step over the line break before `start` (CRLF counts once).
        std::size_t end = start - 1;
        if (script[end] == '\n' && end > 0 && script[end - 1] == '\r')
            --end;
        start = line_start(script, end);
        const auto directive = parse_lint_ignore(script.substr(start, end - start));
        if (!directive)
            break;
        found.push_back(*directive);
    }
    return found;
}

}  // namespace ms::core
