#include "core/base/control_characters.hpp"
#include "core/base/version.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <string>

using ms::core::control_character_at;
using ms::core::FailureKind;
using ms::core::refuse_control_characters;
using ms::core::Version;
using ms::core::with_controls_escaped;
using ms::test::failure_of;
using ms::test::kind_of;

TEST(ControlCharacters, EveryC0ByteDelAndC1IsFoundAndNothingElse) {
    for (int c = 0; c < 256; ++c) {
        if (c >= 0x80)
            continue;  // alone, a byte >= 0x80 is part of a UTF-8 sequence
        const std::string text = std::string("ab") + static_cast<char>(c) + "c";
        const bool control = c < 0x20 || c == 0x7f;
        EXPECT_EQ(control_character_at(text).has_value(), control) << c;
        if (control) {
            EXPECT_EQ(*control_character_at(text), 2u);
        }
    }
    for (int c = 0x80; c <= 0xbf; ++c) {
        const std::string text = std::string("x\xc2") + static_cast<char>(c);
        EXPECT_EQ(control_character_at(text).has_value(), c <= 0x9f) << c;
    }
    // Letters beyond ASCII are names like any other.
    EXPECT_FALSE(control_character_at("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"));
}

TEST(ControlCharacters, EscapedTextHasNoneLeft) {
    const std::string text = "name\x1b[31m\r\n\x7f\xc2\x9b" "caf\xc3\xa9";
    const std::string shown = with_controls_escaped(text);
    EXPECT_EQ(shown, "name\\x1b[31m\\x0d\\x0a\\x7f\\u009bcaf\xc3\xa9");
    EXPECT_FALSE(control_character_at(shown));
}

TEST(ControlCharacters, RefusalIsInvalidValueAndNamesTheByte) {
    EXPECT_FALSE(kind_of([] { refuse_control_characters("project name", "app one"); }));
    const auto f = failure_of([] { refuse_control_characters("project name", "app\x1b[31m"); });
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind(), FailureKind::InvalidValue);
    EXPECT_EQ(std::string(f->what()), "project name \"app\\x1b[31m\" contains a control character");
    EXPECT_EQ(f->detail(), "Byte 4 is \\x1b.");
    EXPECT_FALSE(control_character_at(f->what()));
}

TEST(ControlCharacters, ARefusedVersionIsShownEscaped) {
    const auto f = failure_of([] { (void)Version::parse("1\x1b]0;owned\x07"); });
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind(), FailureKind::InvalidValue);
    EXPECT_FALSE(control_character_at(f->what()));
    EXPECT_FALSE(control_character_at(f->detail()));
}
