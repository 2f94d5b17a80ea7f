// "-- migrate:lint-ignore rule-id [reason]": a comment line just before a statement that
// silences one lint rule for that statement. Several such lines may be stacked, one rule each.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

struct LintIgnoreDirective {
    std::string rule;
    std::string reason;  // may be empty
};

// The directive on one line (without its line break), or nullopt when the line is anything
// else. The line must hold only the comment; the marker is case-insensitive.
std::optional<LintIgnoreDirective> parse_lint_ignore(std::string_view line);

// The directives on the lines directly above the line holding byte `statement_start`, nearest
// first; the first line that is not a directive ends them.
std::vector<LintIgnoreDirective> lint_ignores_before(std::string_view script,
                                                     std::size_t statement_start);

}  // namespace ms::core
