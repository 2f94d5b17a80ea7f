// TypeORM strings decoded as JavaScript decodes them, checked against Node itself: generated
// string literals (the three quotes; \n-style, \x, \u, \u{...} and legacy octal escapes,
// surrogate pairs and lone surrogates, line continuations, raw line breaks in templates,
// characters beyond ASCII) and concatenations of them are converted by convert_typeorm and
// evaluated by `node`; the SQL must be Node's string, and a string Node refuses (a syntax
// error) or that SQL text cannot hold (a lone surrogate, NUL) must be refused with its line.
#include "core/client/typeorm.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

class Literals {
public:
    explicit Literals(unsigned seed) : random_(seed) {}

    std::string expression() {
        const int parts = pick(1, 3);
        std::string e;
        for (int i = 0; i < parts; ++i) {
            if (i) e += pick(0, 1) ? " + " : "\n    + ";
            std::string lit = literal();
            if (pick(0, 5) == 0) lit = "(" + lit + ")";
            e += lit;
        }
        return e;
    }

private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

    std::string hex(unsigned v, int digits) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%0*X", digits, v);
        std::string s = buf;
        if (pick(0, 1)) for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    std::string literal() {
        const char quotes[] = {'\'', '"', '`'};
        const char q = quotes[pick(0, 2)];
        std::string out(1, q);
        const int pieces = pick(0, 8);
        for (int i = 0; i < pieces; ++i) out += piece(q);
        return out + q;
    }

    std::string piece(char q) {
        switch (pick(0, 21)) {
        case 0: return "SELECT ";
        case 1: return "'it''s' ";
        case 2: return "$1 ";
        case 3: return std::string("\\") + "ntrbfv"[pick(0, 5)];
        case 4: return std::string("\\") + "\\'\"`"[pick(0, 3)];
        case 5: return "\\x" + hex(static_cast<unsigned>(pick(1, 255)), 2);
        case 6: {
            unsigned v = static_cast<unsigned>(pick(1, 0xFFFF));
            if (pick(0, 9) && v >= 0xD800 && v <= 0xDFFF) v -= 0x1000;  // mostly no surrogate
            return "\\u" + hex(v, 4);
        }
        case 7: {  // a surrogate pair
            const unsigned cp = static_cast<unsigned>(pick(0x10000, 0x10FFFF)) - 0x10000;
            return "\\u" + hex(0xD800 + (cp >> 10), 4) + "\\u" + hex(0xDC00 + (cp & 0x3FF), 4);
        }
        case 8: {
            unsigned v = static_cast<unsigned>(pick(1, 0x10FFFF));
            if (v >= 0xD800 && v <= 0xDFFF) v = 0x41;
            return "\\u{" + std::string(pick(0, 1) ? "0" : "") + hex(v, 1) + "}";
        }
        case 9: return "\\" + std::to_string(pick(1, 7));           // legacy octal
        case 10: return "\\" + std::to_string(pick(0, 3)) + std::to_string(pick(0, 7)) + std::to_string(pick(0, 7));
        case 11: return std::string("\\") + "89"[pick(0, 1)];
        case 12: return "\\\n";                                     // a line continuation
        case 13: return "\\q";
        case 14: return "caf\xC3\xA9 ";
        case 15: return "\xF0\x9F\x98\x80";
        case 16: return q == '`' ? "\n" : " ";
        case 17: return q == '`' ? "\r\n" : "\t";
        case 18: return "\\0";
        case 19: return pick(0, 3) ? "x" : "\\uD83D";                // now and then a lone surrogate
        case 20: return "-- not a comment in a string ";
        default: return "a";
        }
    }

    std::mt19937 random_;
};

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const unsigned char c : s) {
        if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
        else if (c < 0x20) { char buf[8]; std::snprintf(buf, sizeof buf, "\\u%04x", c); out += buf; }
        else out += static_cast<char>(c);
    }
    return out + "\"";
}

std::string to_hex(const std::string& s) {
    std::string out;
    char buf[4];
    for (const unsigned char c : s) { std::snprintf(buf, sizeof buf, "%02x", c); out += buf; }
    return out;
}

// The SQL statement convert_typeorm writes for a string: trailing blanks off, one ';'.
std::string as_statement(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (!s.empty() && s.back() != ';') s += ';';
    return s;
}

}  // namespace

TEST(TypeormAgainstNode, StringsDecodeAsJavaScriptDecodesThem) {
    if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
    Literals g(20260417);
    std::vector<std::string> cases;
    for (int i = 0; i < 3000; ++i) cases.push_back(g.expression());

    char dir_template[] = "/tmp/typeorm_node_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    const std::string dir = dir_template;
    {
        std::ofstream js(dir + "/eval.js");
        js << "const cases = [";
        for (std::size_t i = 0; i < cases.size(); ++i) js << (i ? ",\n" : "") << json_string(cases[i]);
        js << "];\nfor (const c of cases) {\n"
              "  let v;\n"
              "  try { v = (0, eval)('(' + c + ')'); } catch (e) { console.log('SYNTAX'); continue; }\n"
              // A lone surrogate has no UTF-8 form. The pattern stands in for
              // String.prototype.isWellFormed, which Debian 12's Node 18 lacks.
              "  if (/[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]/.test(v)"
              " || v.includes('\\0')) { console.log('UNFIT'); continue; }\n"
              "  console.log(Buffer.from(v, 'utf8').toString('hex'));\n"
              "}\n";
    }
    FILE* node = popen(("node " + dir + "/eval.js").c_str(), "r");
    ASSERT_NE(node, nullptr);
    std::vector<std::string> answers;
    char buf[1 << 16];
    std::string line;
    while (std::fgets(buf, sizeof buf, node)) {
        line += buf;
        if (!line.empty() && line.back() == '\n') {
            line.pop_back();
            answers.push_back(line);
            line.clear();
        }
    }
    ASSERT_EQ(pclose(node), 0);
    std::remove((dir + "/eval.js").c_str());
    rmdir(dir.c_str());
    ASSERT_EQ(answers.size(), cases.size());

    int compared = 0, refused = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::string source = "export class Case1700000000000 implements MigrationInterface {\n"
                                   "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
                                   "    await queryRunner.query(" + cases[i] + ");\n  }\n}\n";
        const auto c = ms::core::convert_typeorm(source, "1700000000000-Case.ts");
        ASSERT_TRUE(c.migration.has_value());
        if (answers[i] == "SYNTAX" || answers[i] == "UNFIT") {
            ++refused;
            EXPECT_FALSE(c.problems.empty()) << "Node says " << answers[i] << " of " << cases[i]
                                             << "\nbut it converted to: " << c.migration->up_sql;
            if (!c.problems.empty()) {
                EXPECT_GE(c.problems[0].line, 3);
            }
            continue;
        }
        ASSERT_TRUE(c.problems.empty()) << cases[i] << "\nrefused: " << c.problems[0].what;
        ++compared;
        // Node's value, as the statement convert writes (the hex keeps bytes exact).
        std::string value;
        for (std::size_t k = 0; k + 1 < answers[i].size(); k += 2)
            value += static_cast<char>(std::stoi(answers[i].substr(k, 2), nullptr, 16));
        const std::string expected = as_statement(value);
        std::string got = c.migration->up_sql;
        if (!got.empty() && got.back() == '\n') got.pop_back();
        if (expected == ";") continue;  // an empty string: nothing to compare
        EXPECT_EQ(to_hex(got), to_hex(expected)) << cases[i] << "\nnode:    " << expected << "\nconvert: " << got;
    }
    EXPECT_GT(compared, 1000);
    EXPECT_GT(refused, 100);
}

TEST(TypeormAgainstNode, PlaceholdersInsideSqlLiteralsAreText) {
    const std::string source =
        "export class Fill1700000000001 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        "    await queryRunner.query(\n"
        "      `INSERT INTO prices (label, amount) VALUES ('costs $1', $1)` +\n"
        "        ` /* $2 stays */\\n`,\n"
        "      [42],\n"
        "    );\n"
        "    await queryRunner.query(`SELECT $$ $1 $$, \"col$1\", $1`, ['x'],);\n"
        "    await queryRunner.query(\"SELECT E'it\\\\'s $1', e'\\\\\\\\' || $1, price$1, "
        "/* a /* nested $1 */ still $1 */ $1\", [7]);\n"
        "  }\n}\n";
    const auto c = ms::core::convert_typeorm(source, "");
    ASSERT_TRUE(c.problems.empty()) << c.problems[0].what;
    EXPECT_EQ(c.migration->up_sql,
              "INSERT INTO prices (label, amount) VALUES ('costs $1', 42) /* $2 stays */;\n"
              "SELECT $$ $1 $$, \"col$1\", 'x';\n"
              "SELECT E'it\\'s $1', e'\\\\' || 7, price$1, /* a /* nested $1 */ still $1 */ 7;\n");
}
