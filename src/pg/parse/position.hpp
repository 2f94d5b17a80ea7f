// Translating the server's error positions (1-based, in characters of the server encoding)
// into bytes and lines of a script, and showing the offending line in the error report.
#pragma once

#include <cstddef>
#include <string>

namespace ms::pg {

struct ScriptPosition {
    std::size_t byte;        // offset of the character in the text
    int line;                // 1-based
    std::size_t line_start;  // byte offsets of the line, end excluding '\n'
    std::size_t line_end;
};

// Position of the char_pos-th character (1-based) of text[0, size).
ScriptPosition locate_char_position(const char* text, std::size_t size, int char_pos);

// Inside an error callback: shows the line of `where` as the error's internal query, with
// the cursor under the character. Uses no C++ objects.
void report_position(const char* text, const ScriptPosition& where);

// The backslash command at byte offset pos ("\i", "\set"), for messages.
std::string first_word(const std::string& text, std::size_t pos);

}  // namespace ms::pg
