#include "core/client/terminal_text.hpp"

#include <gtest/gtest.h>

using ms::core::display_width;
using ms::core::escape_controls;
using ms::core::valid_utf8;

TEST(TerminalText, ControlCharactersAreShownNotObeyed) {
    EXPECT_EQ(escape_controls("add\x1B[2Jcolumn"), "add\\x1B[2Jcolumn");
    EXPECT_EQ(escape_controls("a\tb\rc\nd"), "a\tb\\x0Dc\nd");
    EXPECT_EQ(escape_controls("del\x7F"), "del\\x7F");
    EXPECT_EQ(escape_controls("c1\xC2\x9B"), "c1\\xC2\\x9B");  // U+009B, the 8-bit CSI
    EXPECT_EQ(escape_controls("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_EQ(escape_controls("bad\xFF"), "bad\\xFF");
}

TEST(TerminalText, WidthCountsColumnsNotCodePoints) {
    EXPECT_EQ(display_width("users"), 5u);
    EXPECT_EQ(display_width("caf\xC3\xA9"), 4u);
    EXPECT_EQ(display_width("\xE7\x94\xA8\xE6\x88\xB7"), 4u);          // 用户
    EXPECT_EQ(display_width("\xED\x85\x8C\xEC\x9D\xB4\xEB\xB8\x94"), 6u);  // 테이블
    EXPECT_EQ(display_width("e\xCC\x81"), 1u);                          // e + combining acute
}

TEST(TerminalText, InvalidUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(valid_utf8("ok"), "ok");
    EXPECT_EQ(valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    EXPECT_EQ(valid_utf8("caf\xC3"), "caf\xEF\xBF\xBD");
}
