#include "core/schema/identity_shape.hpp"

#include "core/base/control_characters.hpp"
#include "core/base/failure.hpp"

#include <map>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

bool plain_start(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool plain_rest(char c) { return plain_start(c) || (c >= '0' && c <= '9'); }

// One name at `i`: a plain word or a double-quoted name; advances `i` past it.
bool read_name(const std::string& s, std::size_t& i) {
    if (i < s.size() && plain_start(s[i])) {
        while (i < s.size() && plain_rest(s[i]))
            ++i;
        return true;
    }
    if (i >= s.size() || s[i] != '"')
        return false;
    const std::size_t start = ++i;
    while (i < s.size()) {
        if (s[i] == '"') {
            if (i + 1 < s.size() && s[i + 1] == '"') {
                i += 2;
                continue;
            }
            const bool empty = i == start;
            ++i;
            return !empty;
        }
        ++i;
    }
    return false;  // no closing quote
}

// Names joined by dots; returns how many.
int read_qualified(const std::string& s, std::size_t& i) {
    int parts = 0;
    while (true) {
        if (!read_name(s, i))
            return -1;
        ++parts;
        if (i < s.size() && s[i] == '.') {
            ++i;
            continue;
        }
        return parts;
    }
}

// A function's argument types as format_type() prints them: words and quoted names, with
// dots, spaces, commas and [] between them, nothing else.
bool read_argument_types(const std::string& s, std::size_t& i) {
    while (i < s.size() && s[i] != ')') {
        const char c = s[i];
        if (c == ' ' || c == ',' || c == '.' || c == '[' || c == ']') {
            ++i;
        } else if (!read_name(s, i)) {
            return false;
        }
    }
    return i < s.size();
}

// How many names the fingerprint qualifies each kind's identity with.
const std::map<std::string, int>& parts_of_kind() {
    static const std::map<std::string, int> parts = {
        {"schema", 1},    {"extension", 1}, {"table", 2},      {"view", 2},
        {"sequence", 2},  {"index", 2},     {"statistics", 2}, {"type", 2},
        {"function", 2},  {"aggregate", 2}, {"column", 3},     {"constraint", 3},
        {"trigger", 3},   {"policy", 3},    {"rule", 3},
    };
    return parts;
}

}  // namespace

std::optional<std::string> identity_problem(const std::string& kind, const std::string& identity) {
    if (identity.empty())
        return std::string("it is empty");
    std::size_t i = 0;
    const int parts = read_qualified(identity, i);
    if (parts < 0)
        return "character " + std::to_string(i + 1) +
               " does not continue a name (a lower-case word, or a name in double quotes)";
    const bool routine = kind == "function" || kind == "aggregate";
    if (routine) {
        if (i >= identity.size() || identity[i] != '(')
            return std::string("a function's identity ends with its argument types in parentheses");
        ++i;
        if (!read_argument_types(identity, i))
            return "character " + std::to_string(i + 1) +
                   " is not part of a list of argument types";
        ++i;  // the closing parenthesis
    }
    if (i != identity.size())
        return "character " + std::to_string(i + 1) + " follows a complete identity";
    const auto expected = parts_of_kind().find(kind);
    if (expected != parts_of_kind().end() && expected->second != parts)
        return "a " + kind + " is named by " + std::to_string(expected->second) +
               (expected->second == 1 ? " name" : " names joined by dots") + ", this has " +
               std::to_string(parts);
    return std::nullopt;
}

void check_identities(const SchemaModel& model, const std::string& argument) {
    const auto check = [&](const ObjectKey& key) {
        if (const auto problem = identity_problem(key.kind, key.identity))
            throw Failure(FailureKind::InvalidValue,
                          argument + " is not a schema fingerprint: the " + key.kind +
                              " identity \"" + with_controls_escaped(key.identity) +
                              "\" is not a quoted name",
                          "In that identity " + *problem + ".",
                          "Identities are written as migrate_schema_fingerprint() writes them: "
                          "names as quote_ident() gives them, joined by dots.");
    };
    for (const auto& [key, attributes] : model.objects)
        check(key);
    for (const auto& [dependent, referenced] : model.depends_on) {
        check(dependent);
        for (const auto& r : referenced)
            check(r);
    }
    for (const auto& [column, position] : model.positions)
        check({"column", column});
    for (const auto& [key, owner] : model.implied_by) {
        check(key);
        check(owner);
    }
}

}  // namespace ms::core
