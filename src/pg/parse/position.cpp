#include "pg/parse/position.hpp"

#include "pg/base/pg.hpp"

extern "C" {
#include "mb/pg_wchar.h"
}

#include <algorithm>

namespace ms::pg {

ScriptPosition locate_char_position(const char* text, std::size_t size, int char_pos) {
    ScriptPosition where{0, 1, 0, 0};
    for (int i = 1; i < char_pos && where.byte < size; ++i) {
        const char c = text[where.byte];
        if (c == '\n' || (c == '\r' && (where.byte + 1 >= size || text[where.byte + 1] != '\n'))) {
            ++where.line;
            where.line_start = where.byte + 1;
        }
        where.byte += static_cast<std::size_t>(pg_mblen(text + where.byte));
    }
    where.byte = std::min(where.byte, size);
    where.line_end = where.byte;
    while (where.line_end < size && text[where.line_end] != '\n' && text[where.line_end] != '\r')
        ++where.line_end;
    return where;
}

void report_position(const char* text, const ScriptPosition& where) {
    const int len = static_cast<int>(where.line_end - where.line_start);
    // internalerrquery copies the text into the error's own memory.
    char* line = pnstrdup(text + where.line_start, static_cast<Size>(len));
    internalerrquery(line);
    internalerrposition(pg_mbstrlen_with_len(text + where.line_start,
                                             static_cast<int>(where.byte - where.line_start)) +
                        1);
    pfree(line);
}

std::string first_word(const std::string& text, std::size_t pos) {
    const auto end = text.find_first_of(" \t\r\n;", pos);
    return text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace ms::pg
