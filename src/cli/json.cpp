#include "cli/json.hpp"

#include "core/client/terminal_text.hpp"

#include <cstdio>

namespace ms::cli {

std::string json_string(const std::optional<std::string>& value) {
    if (!value) return "null";
    std::string out = "\"";
    // A migration may switch client_encoding, a DSN file may hold any bytes: the document
    // stays UTF-8 whatever arrives.
    for (const char ch : core::valid_utf8(*value)) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                out += escaped;
            } else {
                out += ch;
            }
        }
    }
    return out + "\"";
}

std::string json_rows(const Table& table) {
    std::string out = "[";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        out += r == 0 ? "\n  {" : ",\n  {";
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            if (c > 0) out += ", ";
            out += json_string(table.columns[c]) + ": " + json_string(table.rows[r][c]);
        }
        out += "}";
    }
    return out + (table.rows.empty() ? "]" : "\n]");
}

}  // namespace ms::cli
