#include "core/plan/script.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

using ms::core::line_at;
using ms::core::LineCounter;
using ms::core::normalize_line_endings;
using ms::core::skip_blanks_and_comments;
using ms::core::StatementKind;
using ms::core::statements_to_run;
using ms::core::TransactionControlError;

namespace {

constexpr auto O = StatementKind::Ordinary;
constexpr auto B = StatementKind::Begin;
constexpr auto BO = StatementKind::BeginWithOptions;
constexpr auto C = StatementKind::Commit;
constexpr auto T = StatementKind::OtherTransaction;

// The index a TransactionControlError names, or nullopt when the sequence is accepted.
std::optional<std::size_t> refused_at(const std::vector<StatementKind>& kinds) {
    try {
        statements_to_run(kinds);
    } catch (const TransactionControlError& e) {
        EXPECT_FALSE(e.hint().empty());
        EXPECT_NE(std::string(e.what()), "");
        return e.index();
    }
    return std::nullopt;
}

std::size_t skip(std::string_view text, std::size_t pos = 0) {
    return skip_blanks_and_comments(text, pos);
}

}  // namespace

TEST(LineEndings, CrLfAndLoneCrBecomeLf) {
    EXPECT_EQ(normalize_line_endings("a\r\nb\r\n"), "a\nb\n");
    EXPECT_EQ(normalize_line_endings("a\rb\r"), "a\nb\n");
    EXPECT_EQ(normalize_line_endings("a\r\r\nb"), "a\n\nb");
    EXPECT_EQ(normalize_line_endings("a\n\rb"), "a\n\nb");
    EXPECT_EQ(normalize_line_endings("\r"), "\n");
    EXPECT_EQ(normalize_line_endings("\r\n\r\n"), "\n\n");
    EXPECT_EQ(normalize_line_endings(""), "");
}

TEST(LineEndings, OtherBytesAreUntouched) {
    const std::string text = std::string("SELECT 'caf\xc3\xa9';\n\t\0\x7f\n", 18);
    EXPECT_EQ(normalize_line_endings(text), text);
}

TEST(LineEndings, NormalisingTwiceChangesNothing) {
    for (const char* text : {"a\r\nb", "\r\r\n\n\r", "x\ry\r\n\r"}) {
        const auto once = normalize_line_endings(text);
        EXPECT_EQ(normalize_line_endings(once), once) << text;
        EXPECT_EQ(once.find('\r'), std::string::npos) << text;
    }
}

TEST(SkipBlanksAndComments, Blanks) {
    EXPECT_EQ(skip(" \t\n\r\f\vSELECT"), 6u);
    EXPECT_EQ(skip("SELECT"), 0u);
    EXPECT_EQ(skip("   "), 3u);
    EXPECT_EQ(skip(""), 0u);
}

TEST(SkipBlanksAndComments, LineComments) {
    EXPECT_EQ(skip("-- note\nSELECT"), 8u);
    EXPECT_EQ(skip("-- one\n  -- two\n\nx"), 17u);
    EXPECT_EQ(skip("-- to the end"), 13u);
    // A block-comment opener inside a line comment opens nothing.
    EXPECT_EQ(skip("-- /*\nx"), 6u);
    // One dash is an operator, not a comment.
    EXPECT_EQ(skip("- 1"), 0u);
    EXPECT_EQ(skip("  -1"), 2u);
}

TEST(SkipBlanksAndComments, LineCommentEndsAtAnyLineBreak) {
    // The server's lexer ends "--" comments at CR as well as LF, and the parser sees the
    // script before line endings are normalised: running on to the next LF would swallow
    // the statement, which the runner would then execute as an empty string.
    EXPECT_EQ(skip("-- note\rCREATE TABLE t ();"), 8u);
    EXPECT_EQ(skip("-- note\r\nCREATE TABLE t ();"), 9u);
    EXPECT_EQ(skip("-- a\r-- b\rSELECT 1;\nSELECT 2;"), 10u);
}

TEST(SkipBlanksAndComments, BlockCommentsNest) {
    const std::string text = "/* outer /* inner */ still outer */ SELECT";
    EXPECT_EQ(skip(text), text.find("SELECT"));
    const std::string deep = "/*/*/**/*/*/x";
    EXPECT_EQ(skip(deep), deep.size() - 1);
    EXPECT_EQ(skip("/**/x"), 4u);
    // A line-comment marker inside a block comment does not hide the closing "*/".
    EXPECT_EQ(skip("/* -- */x"), 8u);
    const std::string mixed = "/* a */ -- b\n /* c /* d */ */\n\tINSERT";
    EXPECT_EQ(skip(mixed), mixed.find("INSERT"));
    EXPECT_EQ(skip("/ * x"), 0u);
}

TEST(SkipBlanksAndComments, UnterminatedCommentRunsToTheEnd) {
    EXPECT_EQ(skip("/* open"), 7u);
    EXPECT_EQ(skip("/* /* */ x"), 10u);
    EXPECT_EQ(skip("/*"), 2u);
    EXPECT_EQ(skip("/*/"), 3u);
}

TEST(SkipBlanksAndComments, StartsAtTheGivenOffset) {
    const std::string text = "SELECT 1; /* c */ SELECT 2;";
    EXPECT_EQ(skip(text, 9), text.find("SELECT 2"));
    EXPECT_EQ(skip(text, 7), 7u);
    EXPECT_EQ(skip(text, text.size()), text.size());
    EXPECT_EQ(skip(text, text.size() + 100), text.size());
}

TEST(LineAt, CountsNewlinesBeforeTheOffset) {
    const std::string text = "a\nbb\n\nc";
    EXPECT_EQ(line_at(text, 0), 1);
    EXPECT_EQ(line_at(text, 1), 1);  // the '\n' itself ends line 1
    EXPECT_EQ(line_at(text, 2), 2);
    EXPECT_EQ(line_at(text, 5), 3);
    EXPECT_EQ(line_at(text, 6), 4);
    EXPECT_EQ(line_at(text, 7), 4);
    EXPECT_EQ(line_at(text, 1000), 4);
    EXPECT_EQ(line_at("", 0), 1);
    // The server runs scripts as stored: a lone CR ends a line, CRLF ends one line.
    EXPECT_EQ(line_at("a\rb", 2), 2);
    EXPECT_EQ(line_at("a\r\nb", 2), 1);  // the LF of a CRLF is still on line 1
    EXPECT_EQ(line_at("a\r\nb", 3), 2);
    EXPECT_EQ(line_at("a\r\rb", 3), 3);
}

TEST(LineAt, LineCounterAgreesWithLineAt) {
    const std::string text = "x\n\ny\nzz\n\n\nend";
    LineCounter counter(text);
    for (std::size_t pos = 0; pos <= text.size() + 2; pos += (pos % 3) + 1)
        EXPECT_EQ(counter.at(pos), line_at(text, pos)) << pos;
    LineCounter repeated(text);
    EXPECT_EQ(repeated.at(4), 3);
    EXPECT_EQ(repeated.at(4), 3);
}

TEST(StatementsToRun, OrdinaryStatementsAllRun) {
    EXPECT_EQ(statements_to_run({O, O, O}), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_TRUE(statements_to_run({}).empty());
}

TEST(StatementsToRun, WrapperBeginCommitIsDropped) {
    EXPECT_EQ(statements_to_run({B, O, O, C}), (std::vector<std::size_t>{1, 2}));
    EXPECT_EQ(statements_to_run({O, B, O, C, O}), (std::vector<std::size_t>{0, 2, 4}));
    EXPECT_EQ(statements_to_run({B, O, C, B, O, C}), (std::vector<std::size_t>{1, 4}));
    EXPECT_TRUE(statements_to_run({B, C}).empty());
}

TEST(StatementsToRun, BeginWithoutCommitNamesTheBegin) {
    EXPECT_EQ(refused_at({B, O, O}), 0u);
    EXPECT_EQ(refused_at({O, O, B, O}), 2u);
    EXPECT_EQ(refused_at({B, O, C, B}), 3u);
}

TEST(StatementsToRun, CommitWithoutBeginNamesTheCommit) {
    EXPECT_EQ(refused_at({O, C, O}), 1u);
    EXPECT_EQ(refused_at({C}), 0u);
    EXPECT_EQ(refused_at({B, O, C, C}), 3u);
}

TEST(StatementsToRun, NestedBeginNamesTheInnerOne) {
    EXPECT_EQ(refused_at({B, O, B, O, C, C}), 2u);
}

TEST(StatementsToRun, OtherTransactionControlIsRefusedWhereItIs) {
    EXPECT_EQ(refused_at({O, T}), 1u);
    EXPECT_EQ(refused_at({B, O, T, C}), 2u);
    EXPECT_EQ(refused_at({T, B}), 0u);
}

TEST(StatementsToRun, BeginWithOptionsIsRefused) {
    EXPECT_EQ(refused_at({BO, O, C}), 0u);
    EXPECT_EQ(refused_at({O, O, BO}), 2u);
    EXPECT_EQ(refused_at({B, O, C, BO, O, C}), 3u);
}

TEST(Bom, OnlyALeadingByteOrderMarkIsDropped) {
    using ms::core::without_bom;
    EXPECT_EQ(without_bom("\xEF\xBB\xBFSELECT 1;"), "SELECT 1;");
    EXPECT_EQ(without_bom("SELECT 1;"), "SELECT 1;");
    EXPECT_EQ(without_bom("SELECT '\xEF\xBB\xBF';"), "SELECT '\xEF\xBB\xBF';");
    EXPECT_EQ(without_bom("\xEF\xBB"), "\xEF\xBB");
    EXPECT_EQ(without_bom(""), "");
}

TEST(ChecksumInput, EveryScriptCountsAndAnUpScriptAloneIsUnchanged) {
    using ms::core::checksum_input;
    EXPECT_EQ(checksum_input("A;\r\n", std::nullopt, std::nullopt), "A;\n");
    EXPECT_EQ(checksum_input("A;", std::string("B;\r"), std::nullopt),
              std::string("A;\0down\0B;\n", 11));
    EXPECT_EQ(checksum_input("A;", std::nullopt, std::string("V;")),
              std::string("A;\0verify\0V;", 12));
    // Where one script ends and the next begins cannot be shifted.
    EXPECT_NE(checksum_input("A;", std::string(""), std::nullopt),
              checksum_input("A;", std::nullopt, std::string("")));
    EXPECT_NE(checksum_input("A;", std::nullopt, std::nullopt),
              checksum_input("A;", std::string(""), std::nullopt));
}
