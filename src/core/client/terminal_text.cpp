#include "core/client/terminal_text.hpp"

#include <cstdint>
#include <cstdio>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

struct Decoded {
    char32_t code;
    std::size_t length;  // 0: not a valid sequence; the byte at the position is invalid
};

// One UTF-8 sequence, strictly: no overlong forms, no surrogates, nothing above U+10FFFF.
Decoded decode(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return {lead, 1};
    std::size_t length;
    char32_t code;
    char32_t minimum;
    if ((lead & 0xE0) == 0xC0) length = 2, code = lead & 0x1F, minimum = 0x80;
    else if ((lead & 0xF0) == 0xE0) length = 3, code = lead & 0x0F, minimum = 0x800;
    else if ((lead & 0xF8) == 0xF0) length = 4, code = lead & 0x07, minimum = 0x10000;
    else return {0, 0};
    if (i + length > s.size()) return {0, 0};
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return {0, 0};
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {0, 0};
    return {code, length};
}

bool in(char32_t c, char32_t first, char32_t last) {
    return c >= first && c <= last;
}

bool zero_width(char32_t c) {
    return in(c, 0x0300, 0x036F) || in(c, 0x0483, 0x0489) || in(c, 0x0591, 0x05BD) ||
           in(c, 0x0610, 0x061A) || in(c, 0x064B, 0x065F) || in(c, 0x0E31, 0x0E31) ||
           in(c, 0x0E34, 0x0E3A) || in(c, 0x1AB0, 0x1AFF) || in(c, 0x1DC0, 0x1DFF) ||
           in(c, 0x200B, 0x200F) || in(c, 0x20D0, 0x20FF) || in(c, 0xFE00, 0xFE0F) ||
           in(c, 0xFE20, 0xFE2F) || c == 0xFEFF || in(c, 0xE0100, 0xE01EF);
}

// East Asian Wide (W) and Fullwidth (F) blocks, as wcwidth implementations list them.
bool wide(char32_t c) {
    return in(c, 0x1100, 0x115F) || in(c, 0x231A, 0x231B) || in(c, 0x2329, 0x232A) ||
           in(c, 0x2E80, 0x303E) || in(c, 0x3041, 0x33FF) || in(c, 0x3400, 0x4DBF) ||
           in(c, 0x4E00, 0x9FFF) || in(c, 0xA000, 0xA4CF) || in(c, 0xA960, 0xA97F) ||
           in(c, 0xAC00, 0xD7A3) || in(c, 0xF900, 0xFAFF) || in(c, 0xFE10, 0xFE19) ||
           in(c, 0xFE30, 0xFE6F) || in(c, 0xFF00, 0xFF60) || in(c, 0xFFE0, 0xFFE6) ||
           in(c, 0x1F300, 0x1F64F) || in(c, 0x1F900, 0x1F9FF) || in(c, 0x20000, 0x3FFFD);
}

void append_hex(std::string& out, unsigned char byte) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02X", byte);
    out += buf;
}

}  // namespace

std::string escape_controls(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const Decoded d = decode(text, i);
        if (d.length == 0) {
            append_hex(out, static_cast<unsigned char>(text[i]));
            ++i;
            continue;
        }
        const char32_t c = d.code;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || in(c, 0x80, 0x9F)) {
            for (std::size_t k = 0; k < d.length; ++k)
                append_hex(out, static_cast<unsigned char>(text[i + k]));
        } else {
            out.append(text.substr(i, d.length));
        }
        i += d.length;
    }
    return out;
}

std::size_t display_width(std::string_view utf8) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const Decoded d = decode(utf8, i);
        if (d.length == 0) {
            width += 4;  // shown as \xNN
            ++i;
            continue;
        }
        width += zero_width(d.code) ? 0 : wide(d.code) ? 2 : 1;
        i += d.length;
    }
    return width;
}

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const Decoded d = decode(text, i);
        if (d.length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, d.length));
            i += d.length;
        }
    }
    return out;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const Decoded d = decode(text, i);
        if (d.length == 0)
            return i;
        i += d.length;
    }
    return std::nullopt;
}

}  // namespace ms::core
