#include "core/client/typeorm.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

enum class Tok { Ident, String, Template, Number, Punct, End };

struct Token {
    Token(Tok k, std::string t, int l) : kind(k), text(std::move(t)), line(l) {}
    Tok kind;
    std::string text;  // identifier, punctuation, number, or the string's value
    int line;
    bool substitution = false;  // a template literal with ${...}
    std::string invalid;        // why a string's value cannot be converted
};

bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// n hex digits at s[i...], or -1.
long hex_run(std::string_view s, std::size_t i, int n) {
    long v = 0;
    for (int k = 0; k < n; ++k) {
        if (i + k >= s.size() || hex_digit(s[i + k]) < 0) return -1;
        v = v * 16 + hex_digit(s[i + k]);
    }
    return v;
}

// One escape sequence after the backslash at s[i], decoded as JavaScript decodes it into
// `out` (as UTF-8); returns the index after it. A string that JavaScript would refuse, or
// that holds what SQL text cannot (a lone surrogate, NUL), sets `invalid`.
std::size_t decode_escape(std::string_view s, std::size_t i, bool in_template, std::string& out,
                          std::string& invalid, int& line) {
    const char n = s[i + 1];
    switch (n) {
    case '\n': ++line; return i + 2;  // a line continuation: nothing
    case '\r': return i + 2 + (i + 2 < s.size() && s[i + 2] == '\n' ? 1 : 0);
    case 'n': out += '\n'; return i + 2;
    case 't': out += '\t'; return i + 2;
    case 'r': out += '\r'; return i + 2;
    case 'b': out += '\b'; return i + 2;
    case 'f': out += '\f'; return i + 2;
    case 'v': out += '\v'; return i + 2;
    case 'x': {
        const long v = hex_run(s, i + 2, 2);
        if (v < 0) { invalid = "an invalid \\x escape"; return i + 2; }
        append_utf8(out, static_cast<std::uint32_t>(v));
        return i + 4;
    }
    case 'u': {
        std::size_t j = i + 2;
        long v;
        if (j < s.size() && s[j] == '{') {
            const std::size_t close = s.find('}', j);
            v = 0;
            if (close == std::string_view::npos || close == j + 1) { invalid = "an invalid \\u{} escape"; return j; }
            for (std::size_t k = j + 1; k < close; ++k) {
                if (hex_digit(s[k]) < 0 || v > 0x10FFFF) { invalid = "an invalid \\u{} escape"; return close + 1; }
                v = v * 16 + hex_digit(s[k]);
            }
            if (v > 0x10FFFF) { invalid = "an invalid \\u{} escape"; return close + 1; }
            j = close + 1;
        } else {
            v = hex_run(s, j, 4);
            if (v < 0) { invalid = "an invalid \\u escape"; return j; }
            j += 4;
            // A surrogate pair written as two escapes is one character.
            if (v >= 0xD800 && v <= 0xDBFF && j + 1 < s.size() && s[j] == '\\' && s[j + 1] == 'u') {
                const long low = hex_run(s, j + 2, 4);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
                    j += 6;
                }
            }
        }
        if (v >= 0xD800 && v <= 0xDFFF) invalid = "a lone surrogate (\\u" + std::string(s.substr(i + 2, 4)) + "), which UTF-8 cannot hold";
        else if (v == 0) invalid = "a NUL character, which SQL text cannot hold";
        else append_utf8(out, static_cast<std::uint32_t>(v));
        return j;
    }
    default: break;
    }
    if (n >= '0' && n <= '9') {
        const bool octal = n <= '7';
        if (n == '0' && !(i + 2 < s.size() && s[i + 2] >= '0' && s[i + 2] <= '9')) {
            invalid = "a NUL character, which SQL text cannot hold";
            return i + 2;
        }
        if (in_template) {
            invalid = "an octal escape in a template literal (JavaScript refuses it)";
            return i + 2;
        }
        if (!octal) {  // \8 and \9 are the digits themselves
            out += n;
            return i + 2;
        }
        // Legacy octal: up to three digits, at most \377.
        std::size_t j = i + 1;
        unsigned v = 0;
        const std::size_t most = n <= '3' ? 3 : 2;
        for (std::size_t k = 0; k < most && j < s.size() && s[j] >= '0' && s[j] <= '7'; ++k, ++j)
            v = v * 8 + static_cast<unsigned>(s[j] - '0');
        if (v == 0) invalid = "a NUL character, which SQL text cannot hold";
        else append_utf8(out, v);
        return j;
    }
    out += n;  // any other character stands for itself
    return i + 2;
}

// Enough of JavaScript's lexical grammar for migration classes: comments, the three kinds
// of string literal with their escapes, identifiers, numbers and punctuation.
std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    int line = 1;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '\n') { ++line; ++i; continue; }
        if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
        if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            while (i < s.size() && s[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            i += 2;
            while (i + 1 < s.size() && !(s[i] == '*' && s[i + 1] == '/')) {
                if (s[i] == '\n') ++line;
                ++i;
            }
            i += 2;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            Token t{c == '`' ? Tok::Template : Tok::String, "", line};
            ++i;
            int depth = 0;
            while (i < s.size() && !(depth == 0 && s[i] == c)) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    if (depth == 0) {
                        i = decode_escape(s, i, c == '`', t.text, t.invalid, line);
                    } else {
                        if (s[i + 1] == '\n') ++line;
                        i += 2;
                    }
                    continue;
                }
                if (c == '`' && depth == 0 && s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
                    t.substitution = true;
                    depth = 1;
                    i += 2;
                    continue;
                }
                if (depth > 0) {
                    if (s[i] == '{') ++depth;
                    else if (s[i] == '}') --depth;
                }
                if (s[i] == '\n') ++line;
                // A template's line breaks are LF whatever the file has (CRLF, CR).
                if (depth == 0 && c == '`' && s[i] == '\r') {
                    t.text += '\n';
                    if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
                    else ++line;
                } else if (depth == 0) {
                    t.text += s[i];
                }
                ++i;
            }
            ++i;
            out.push_back(std::move(t));
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < s.size() && (ident_char(s[j]) || s[j] == '.')) ++j;
            out.emplace_back(Tok::Number, std::string(s.substr(i, j - i)), line);
            i = j;
            continue;
        }
        if (ident_char(c)) {
            std::size_t j = i;
            while (j < s.size() && ident_char(s[j])) ++j;
            out.emplace_back(Tok::Ident, std::string(s.substr(i, j - i)), line);
            i = j;
            continue;
        }
        out.emplace_back(Tok::Punct, std::string(1, c), line);
        ++i;
    }
    out.emplace_back(Tok::End, "", line);
    return out;
}

std::string snake_case(const std::string& camel) {
    std::string out;
    for (std::size_t i = 0; i < camel.size(); ++i) {
        const auto c = static_cast<unsigned char>(camel[i]);
        if (std::isupper(c) && i > 0 && !out.empty() && out.back() != '_') out += '_';
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

std::string sql_literal(const Token& t) {
    if (t.kind == Tok::Number) return t.text;
    if (t.kind == Tok::Ident) return t.text == "null" || t.text == "undefined" ? "NULL" : t.text;
    std::string out = "'";
    for (const char c : t.text) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

bool sql_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// The SQL with $1, $2, ... replaced by the parameters' literals where the server would read
// them as placeholders: not inside quoted literals (E'' ones with their backslash escapes),
// quoted identifiers, dollar quotes, comments (block comments nest) or words (`price$1` is
// one identifier), where a "$1" is text.
std::string with_parameters(const std::string& sql, const std::vector<Token>& params) {
    if (params.empty()) return sql;
    std::string out;
    std::size_t i = 0;
    const auto copy_to = [&](std::size_t to) {
        to = std::min(to, sql.size());
        out.append(sql, i, to - i);
        i = to;
    };
    const auto copy_until = [&](const std::string& end, std::size_t from) {
        const std::size_t stop = sql.find(end, from);
        copy_to(stop == std::string::npos ? sql.size() : stop + end.size());
    };
    while (i < sql.size()) {
        const char c = sql[i];
        if ((c == 'E' || c == 'e') && i + 1 < sql.size() && sql[i + 1] == '\'' &&
            (i == 0 || !sql_identifier_char(sql[i - 1]))) {
            std::size_t j = i + 2;
            while (j < sql.size() && sql[j] != '\'') j += sql[j] == '\\' ? 2 : 1;
            copy_to(j + 1);  // '' inside: the scan goes on at the second quote
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {  // a number: 1$1 is 1 and $1
            std::size_t j = i;
            while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
            copy_to(j);
            continue;
        }
        if (sql_identifier_char(c) && c != '$') {
            std::size_t j = i;
            while (j < sql.size() && sql_identifier_char(sql[j])) ++j;
            copy_to(j);
            continue;
        }
        if (c == '\'' || c == '"') {
            // '' and "" inside are two quotes in a row: the scan resumes after the pair.
            copy_until(std::string(1, c), i + 1);
            continue;
        }
        if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') { copy_until("\n", i); continue; }
        if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            std::size_t j = i + 2;
            for (int depth = 1; j < sql.size() && depth > 0; ++j) {
                if (sql.compare(j, 2, "/*") == 0) { ++depth; ++j; }
                else if (sql.compare(j, 2, "*/") == 0) { --depth; ++j; }
            }
            copy_to(j);
            continue;
        }
        if (c == '$') {
            std::size_t j = i + 1;
            while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
            if (j > i + 1) {
                const std::size_t n = std::stoul(sql.substr(i + 1, std::min<std::size_t>(j - i - 1, 9)));
                if (n >= 1 && n <= params.size()) out += sql_literal(params[n - 1]);
                else out.append(sql, i, j - i);
                i = j;
                continue;
            }
            // A dollar quote: $tag$ ... $tag$
            while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
            if (j < sql.size() && sql[j] == '$') {
                const std::string tag = sql.substr(i, j + 1 - i);
                copy_until(tag, j + 1);
                continue;
            }
        }
        out += c;
        ++i;
    }
    return out;
}

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

    TypeormConversion run(std::string_view file_name) {
        TypeormConversion result;
        std::size_t cls = 0;
        while (at(cls).kind != Tok::End && !(is(cls, Tok::Ident, "class") && at(cls + 1).kind == Tok::Ident))
            ++cls;
        if (at(cls).kind == Tok::End) return result;
        const std::string class_name = at(cls + 1).text;
        TypeormMigration m;
        std::size_t digits = class_name.size();
        while (digits > 0 && std::isdigit(static_cast<unsigned char>(class_name[digits - 1]))) --digits;
        m.version = class_name.substr(digits);
        m.name = snake_case(class_name.substr(0, digits));
        if (m.version.empty()) {
            std::size_t n = 0;
            while (n < file_name.size() && std::isdigit(static_cast<unsigned char>(file_name[n]))) ++n;
            m.version = std::string(file_name.substr(0, n));
        }
        if (m.version.empty())
            problems_.push_back({at(cls).line, "class " + class_name +
                                                   " has no timestamp in its name or file name"});
        if (m.name.empty()) m.name = "migration";
        bool found_up = false;
        for (std::size_t i = cls; at(i).kind != Tok::End; ++i) {
            if (!(is(i, Tok::Ident, "up") || is(i, Tok::Ident, "down")) || !is(i + 1, Tok::Punct, "("))
                continue;
            const bool up = at(i).text == "up";
            std::size_t p = i + 2;
            const std::string runner = at(p).kind == Tok::Ident ? at(p).text : "queryRunner";
            p = skip_balanced(i + 1);
            while (at(p).kind != Tok::End && !is(p, Tok::Punct, "{")) ++p;  // return type
            std::string sql;
            const std::size_t end = body(p, runner, sql);
            (up ? m.up_sql : m.down_sql) = sql;
            found_up = found_up || up;
            i = end;
        }
        if (!found_up)
            problems_.push_back({at(cls).line, "class " + class_name + " has no up() method"});
        result.migration = std::move(m);
        result.problems = std::move(problems_);
        return result;
    }

private:
    // Past the end every index reads as the End token: the walkers never need bounds checks.
    const Token& at(std::size_t i) const { return t_[std::min(i, t_.size() - 1)]; }

    bool is(std::size_t i, Tok kind, const char* text) const {
        return at(i).kind == kind && at(i).text == text;
    }

    // From an opening (, [ or {: the index just after its match.
    std::size_t skip_balanced(std::size_t i) const {
        int depth = 0;
        for (; at(i).kind != Tok::End; ++i) {
            if (at(i).kind != Tok::Punct) continue;
            const char c = at(i).text[0];
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) return i + 1;
            }
        }
        return i;
    }

    // The statements of a method body starting at its '{'; returns the index after its '}'.
    std::size_t body(std::size_t open, const std::string& runner, std::string& sql) {
        std::size_t i = open + 1;
        while (at(i).kind != Tok::End && !is(i, Tok::Punct, "}")) {
            if (is(i, Tok::Punct, ";")) { ++i; continue; }
            i = statement(i, runner, sql);
        }
        return i + 1;
    }

    // One statement; a query call is appended to sql, anything else is a problem.
    std::size_t statement(std::size_t i, const std::string& runner, std::string& sql) {
        const int line = at(i).line;
        std::size_t p = i;
        if (is(p, Tok::Ident, "await") || is(p, Tok::Ident, "return")) ++p;
        if (at(p).kind == Tok::Ident && at(p).text == runner && is(p + 1, Tok::Punct, ".") &&
            at(p + 2).kind == Tok::Ident) {
            const std::string method = at(p + 2).text;
            if (method == "query" && is(p + 3, Tok::Punct, "(")) {
                std::size_t q = p + 4;
                invalid_.clear();
                std::optional<std::string> text = concatenation(q);
                if (!text && !invalid_.empty()) {
                    problems_.push_back({invalid_line_, "a string holding " + invalid_});
                    return end_of_statement(skip_balanced(p + 3));
                }
                std::vector<Token> params;
                bool params_ok = true;
                // Prettier's trailing commas: query(sql,) and query(sql, [...],)
                if (text && is(q, Tok::Punct, ",") && !is(q + 1, Tok::Punct, ")")) {
                    ++q;
                    params_ok = literal_array(q, params);
                }
                if (text && params_ok && is(q, Tok::Punct, ",") && is(q + 1, Tok::Punct, ")")) ++q;
                if (text && params_ok && is(q, Tok::Punct, ")")) {
                    const std::string statement_sql_raw = *text;
                    std::string statement_sql = with_parameters(statement_sql_raw, params);
                    while (!statement_sql.empty() &&
                           std::isspace(static_cast<unsigned char>(statement_sql.back())))
                        statement_sql.pop_back();
                    if (!statement_sql.empty() && statement_sql.back() != ';') statement_sql += ';';
                    sql += statement_sql + "\n";
                    return end_of_statement(q + 1);
                }
                problems_.push_back({line, text ? "queryRunner.query() with parameters that are not "
                                                  "literals"
                                                : "queryRunner.query() with SQL that is not a plain "
                                                  "string (a variable, a call or a template "
                                                  "substitution)"});
                return end_of_statement(skip_balanced(p + 3));
            }
            problems_.push_back({line, "query builder call " + runner + "." + method + "()"});
            return end_of_statement(p + 3);
        }
        const std::string first = at(i).text;
        if (first == "if" || first == "for" || first == "while" || first == "switch" ||
            first == "do" || first == "try") {
            problems_.push_back({line, first == "if" || first == "switch"
                                           ? "conditional (" + first + ")"
                                           : first == "try" ? "try block" : "loop (" + first + ")"});
            std::size_t q = i + 1;
            if (is(q, Tok::Punct, "(")) q = skip_balanced(q);
            if (is(q, Tok::Punct, "{")) q = skip_balanced(q);
            else q = end_of_statement(q);
            while (is(q, Tok::Ident, "else") || is(q, Tok::Ident, "catch") ||
                   is(q, Tok::Ident, "finally")) {
                ++q;
                if (is(q, Tok::Ident, "if")) ++q;
                if (is(q, Tok::Punct, "(")) q = skip_balanced(q);
                if (is(q, Tok::Punct, "{")) q = skip_balanced(q);
            }
            return q;
        }
        problems_.push_back({line, "statement starting with \"" + first + "\""});
        return end_of_statement(i);
    }

    // Skips to just after the statement's ';' (or before the body's closing brace).
    std::size_t end_of_statement(std::size_t i) const {
        while (at(i).kind != Tok::End) {
            if (is(i, Tok::Punct, ";")) return i + 1;
            if (is(i, Tok::Punct, "}")) return i;
            if (is(i, Tok::Punct, "(") || is(i, Tok::Punct, "[") || is(i, Tok::Punct, "{"))
                i = skip_balanced(i);
            else
                ++i;
        }
        return i;
    }

    // "a" + 'b' + `c`, parentheses allowed; nullopt for anything else (advances nothing then).
    std::optional<std::string> concatenation(std::size_t& i) const {
        std::size_t p = i;
        std::string text;
        for (;;) {
            if (is(p, Tok::Punct, "(")) {
                std::size_t inner = p + 1;
                auto part = concatenation(inner);
                if (!part || !is(inner, Tok::Punct, ")")) return std::nullopt;
                text += *part;
                p = inner + 1;
            } else if ((at(p).kind == Tok::String || at(p).kind == Tok::Template) &&
                       !at(p).substitution) {
                if (!at(p).invalid.empty()) {
                    invalid_ = at(p).invalid;
                    invalid_line_ = at(p).line;
                    return std::nullopt;
                }
                text += at(p).text;
                ++p;
            } else {
                return std::nullopt;
            }
            if (!is(p, Tok::Punct, "+")) break;
            ++p;
        }
        i = p;
        return text;
    }

    bool literal_array(std::size_t& i, std::vector<Token>& out) const {
        if (!is(i, Tok::Punct, "[")) return false;
        std::size_t p = i + 1;
        while (!is(p, Tok::Punct, "]")) {
            bool negative = false;
            if (is(p, Tok::Punct, "-")) { negative = true; ++p; }
            const Token& t = at(p);
            const bool literal = t.kind == Tok::Number ||
                                 ((t.kind == Tok::String || t.kind == Tok::Template) &&
                                  !t.substitution && !negative) ||
                                 (!negative && t.kind == Tok::Ident &&
                                  (t.text == "true" || t.text == "false" || t.text == "null"));
            if (!literal) return false;
            Token value = t;
            if (negative) value.text = "-" + value.text;
            out.push_back(value);
            ++p;
            if (is(p, Tok::Punct, ",")) ++p;
            else if (!is(p, Tok::Punct, "]")) return false;
        }
        i = p + 1;
        return true;
    }

    std::vector<Token> t_;
    std::vector<ConvertProblem> problems_;
    // Why the last concatenation could not be read, and where.
    mutable std::string invalid_;
    mutable int invalid_line_ = 0;
};

}  // namespace

TypeormConversion convert_typeorm(std::string_view source, std::string_view file_name) {
    return Parser(tokenize(source)).run(file_name);
}

}  // namespace ms::core
