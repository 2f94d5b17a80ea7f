// The text helpers the runner uses to place statements and report line numbers.
#include "check.hpp"

#include "core/plan/script.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using ms::core::line_at;
using ms::core::LineCounter;
using ms::core::normalize_line_endings;
using ms::core::skip_blanks_and_comments;

namespace {

// Line breaks as an editor counts them: CRLF, lone CR and LF are one each.
std::size_t line_breaks(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')))
            ++n;
    }
    return n;
}

// Every offset of a short text, a spread of offsets of a long one: skip and line_at are
// linear per call, and the fuzzer should stay fast.
std::vector<std::size_t> offsets(std::size_t size) {
    std::vector<std::size_t> out;
    const std::size_t stride = size <= 512 ? 1 : size / 256;
    for (std::size_t p = 0; p <= size; p += stride)
        out.push_back(p);
    out.push_back(size);
    out.push_back(size + 1);
    return out;
}

// Where raw offset pos lands once CRLF pairs are collapsed; pos must not split a pair.
std::size_t normalised_offset(std::string_view raw, std::size_t pos) {
    std::size_t collapsed = 0;
    for (std::size_t i = 0; i + 1 < pos; ++i)
        collapsed += raw[i] == '\r' && raw[i + 1] == '\n';
    return pos - collapsed;
}

bool starts_token(std::string_view text, std::size_t pos) {
    const char c = text[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return false;
    const auto two = text.substr(pos, 2);
    return two != "--" && two != "/*";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    const std::string text = normalize_line_endings(input);
    FUZZ_CHECK(text.find('\r') == std::string::npos);
    FUZZ_CHECK(normalize_line_endings(text) == text);
    FUZZ_CHECK(text.size() <= input.size());
    FUZZ_CHECK(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) ==
               line_breaks(input));

    // The server parses the script as stored, line endings and all; the first token found
    // there must be the one found in the normalised text, or a statement could be cut.
    const auto raw_start = skip_blanks_and_comments(input, 0);
    FUZZ_CHECK(normalised_offset(input, raw_start) == skip_blanks_and_comments(text, 0));

    for (const std::string_view s : {input, std::string_view(text)}) {
        const auto positions = offsets(s.size());
        int previous_line = 1;
        LineCounter counter(s);
        for (const auto pos : positions) {
            const auto next = skip_blanks_and_comments(s, pos);
            FUZZ_CHECK(next <= s.size());
            FUZZ_CHECK(next >= std::min(pos, s.size()));
            // Skipping from where skipping ended goes nowhere.
            FUZZ_CHECK(skip_blanks_and_comments(s, next) == next);
            FUZZ_CHECK(next == s.size() || starts_token(s, next));

            // A line break is LF, CRLF counted once, or a lone CR.
            const int line = line_at(s, pos);
            int breaks = 0;
            for (std::size_t i = 0; i < std::min(pos, s.size()); ++i)
                breaks += s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'));
            FUZZ_CHECK(line == 1 + breaks);
            FUZZ_CHECK(line >= previous_line);
            FUZZ_CHECK(counter.at(pos) == line);
            FUZZ_CHECK(line_at(s, next) >= line);
            previous_line = line;
        }
    }
    return 0;
}
