// Text from servers and files on its way to a terminal or a JSON document: names, notices
// and errors may carry control characters, invalid UTF-8 and wide characters.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ms::core {

// Control characters (C0 but newline and tab, DEL, C1) and bytes that are not UTF-8 as \xNN, the way
// psql shows them, so that an escape sequence in a migration's name cannot drive the
// terminal.
std::string escape_controls(std::string_view text);

// Columns the text takes on a terminal: East Asian wide and fullwidth characters take two,
// combining marks and zero-width characters none.
std::size_t display_width(std::string_view utf8);

// Invalid UTF-8 replaced by U+FFFD, for output that must be UTF-8 (JSON).
std::string valid_utf8(std::string_view text);

// Where the first byte that is not UTF-8 is, or nullopt when the text is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace ms::core
