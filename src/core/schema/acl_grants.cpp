#include "core/schema/acl_grants.hpp"

#include <boost/algorithm/string/join.hpp>

#include <map>
#include <optional>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

struct Item {
    std::string grantee;  // "" is PUBLIC
    std::string privileges;
    std::string grantor;
};

// Splits at commas outside double quotes (a role name may hold one).
std::vector<std::string> split_items(const std::string& text) {
    std::vector<std::string> out;
    if (text.empty())
        return out;
    out.emplace_back();
    bool quoted = false;
    for (const char c : text) {
        if (c == '"')
            quoted = !quoted;
        if (c == ',' && !quoted)
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

std::optional<Item> parse_item(const std::string& text) {
    bool quoted = false;
    std::size_t eq = std::string::npos, slash = std::string::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (!quoted && text[i] == '=' && eq == std::string::npos)
            eq = i;
        else if (!quoted && text[i] == '/' && eq != std::string::npos)
            slash = i;
    }
    if (eq == std::string::npos)
        return std::nullopt;
    Item item;
    item.grantee = text.substr(0, eq);
    item.privileges = text.substr(eq + 1, (slash == std::string::npos ? text.size() : slash) - eq - 1);
    if (slash != std::string::npos)
        item.grantor = text.substr(slash + 1);
    return item;
}

const char* privilege_name(char letter) {
    switch (letter) {
    case 'r': return "SELECT";
    case 'a': return "INSERT";
    case 'w': return "UPDATE";
    case 'd': return "DELETE";
    case 'D': return "TRUNCATE";
    case 'x': return "REFERENCES";
    case 't': return "TRIGGER";
    case 'X': return "EXECUTE";
    case 'U': return "USAGE";
    case 'C': return "CREATE";
    case 'c': return "CONNECT";
    case 'T': return "TEMPORARY";
    case 's': return "SET";
    case 'A': return "ALTER SYSTEM";
    case 'm': return "MAINTAIN";
    default: return nullptr;
    }
}

// grantee -> privilege letters, each followed by '*' when held with grant option.
using Grants = std::map<std::string, std::string>;

Grants grants_of(bool absent, const std::string& text, const std::string& owner,
                 const AclTarget& target) {
    Grants grants;
    if (absent) {
        if (!owner.empty() && !target.owner_default.empty())
            grants[owner] = target.owner_default;
        if (!target.public_default.empty())
            grants[""] = target.public_default;
        return grants;
    }
    for (const auto& raw : split_items(text))
        if (const auto item = parse_item(raw))
            grants[item->grantee] += item->privileges;
    return grants;
}

std::string owner_of(bool absent, const std::string& text) {
    if (absent)
        return {};
    for (const auto& raw : split_items(text))
        if (const auto item = parse_item(raw); item && !item->grantor.empty())
            return item->grantor;
    return {};
}

std::string on_clause(const AclTarget& target, const std::vector<std::string>& privileges) {
    std::vector<std::string> named;
    for (const auto& p : privileges)
        named.push_back(target.column.empty() ? p : p + " (" + target.column + ")");
    return boost::algorithm::join(named, ", ") + " ON " + target.object;
}

std::string role(const std::string& grantee) {
    return grantee.empty() ? "PUBLIC" : grantee;
}

}  // namespace

std::vector<std::string> acl_statements(const AclTarget& target, bool absent_from,
                                        const std::string& from, bool absent_to,
                                        const std::string& to) {
    if (absent_from == absent_to && from == to)
        return {};
    std::string owner = owner_of(absent_from, from);
    if (owner.empty())
        owner = owner_of(absent_to, to);
    const Grants before = grants_of(absent_from, from, owner, target);
    const Grants after = grants_of(absent_to, to, owner, target);
    std::map<std::string, std::pair<std::string, std::string>> grantees;
    for (const auto& [g, p] : before)
        grantees[g].first = p;
    for (const auto& [g, p] : after)
        grantees[g].second = p;
    std::vector<std::string> out;
    for (const auto& [grantee, change] : grantees) {
        if (change.first == change.second)
            continue;
        if (!change.first.empty()) {
            out.push_back("REVOKE ALL" + std::string(target.column.empty() ? "" : " (" + target.column + ")") +
                          " ON " + target.object + " FROM " + role(grantee) + ";");
        }
        std::vector<std::string> plain, with_option;
        const std::string& letters = change.second;
        for (std::size_t i = 0; i < letters.size(); ++i) {
            const char* name = privilege_name(letters[i]);
            if (name == nullptr)
                continue;
            const bool option = i + 1 < letters.size() && letters[i + 1] == '*';
            (option ? with_option : plain).push_back(name);
        }
        if (!plain.empty())
            out.push_back("GRANT " + on_clause(target, plain) + " TO " + role(grantee) + ";");
        if (!with_option.empty())
            out.push_back("GRANT " + on_clause(target, with_option) + " TO " + role(grantee) +
                          " WITH GRANT OPTION;");
    }
    return out;
}

}  // namespace ms::core
