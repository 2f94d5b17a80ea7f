#include "core/base/control_characters.hpp"

#include "core/base/failure.hpp"

#include <cstdio>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

// The length of the control character at `i` (1 for C0 and DEL, 2 for a C1 in UTF-8), or 0.
std::size_t control_length(std::string_view text, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f)
        return 1;
    if (c == 0xc2 && i + 1 < text.size()) {
        const auto next = static_cast<unsigned char>(text[i + 1]);
        if (next >= 0x80 && next <= 0x9f)
            return 2;
    }
    return 0;
}

std::string code_of(std::string_view text, std::size_t i) {
    char buffer[16];
    if (control_length(text, i) == 2)
        std::snprintf(buffer, sizeof buffer, "\\u%04x",
                      static_cast<unsigned>(static_cast<unsigned char>(text[i + 1])));
    else
        std::snprintf(buffer, sizeof buffer, "\\x%02x",
                      static_cast<unsigned>(static_cast<unsigned char>(text[i])));
    return buffer;
}

}  // namespace

std::optional<std::size_t> control_character_at(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i)
        if (control_length(text, i) > 0)
            return i;
    return std::nullopt;
}

std::string with_controls_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = control_length(text, i);
        if (n == 0) {
            out += text[i++];
            continue;
        }
        out += code_of(text, i);
        i += n;
    }
    return out;
}

void refuse_control_characters(const std::string& what, std::string_view text) {
    const auto at = control_character_at(text);
    if (!at)
        return;
    throw Failure(FailureKind::InvalidValue,
                  what + " \"" + with_controls_escaped(text) + "\" contains a control character",
                  "Byte " + std::to_string(*at + 1) + " is " + code_of(text, *at) + ".",
                  "Names, projects, versions and labels are printable text: they are shown "
                  "on terminals and in logs.");
}

}  // namespace ms::core
