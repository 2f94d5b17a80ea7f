#include "core/schema/model.hpp"

#include <boost/algorithm/string/join.hpp>

#include <queue>
#include <stdexcept>
#include <tuple>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

const ObjectAttributes* SchemaModel::find(const ObjectKey& key) const {
    const auto it = objects.find(key);
    return it == objects.end() ? nullptr : &it->second;
}

std::string SchemaModel::get(const ObjectKey& key, const std::string& attribute) const {
    const ObjectAttributes* attributes = find(key);
    if (attributes == nullptr)
        return {};
    const auto it = attributes->find(attribute);
    return it == attributes->end() ? std::string() : it->second;
}

SchemaModel build_model(const std::vector<SchemaAttribute>& attributes,
                        const std::vector<SchemaDependency>& dependencies,
                        const std::map<std::string, int>& positions,
                        const std::vector<SchemaDependency>& implied) {
    SchemaModel model;
    for (const auto& a : attributes)
        model.objects[{a.kind, a.object}][a.attribute] = a.value;
    for (const auto& d : dependencies)
        if (d.dependent != d.referenced)
            model.depends_on[d.dependent].insert(d.referenced);
    model.positions = positions;
    for (const auto& i : implied)
        if (i.dependent != i.referenced)
            model.implied_by[i.dependent] = i.referenced;
    return model;
}

namespace {

// Whether an identity part names `name`: as it is, or in double quotes (%I quotes only when
// it must).
bool names(const std::string& part, const std::string& name) {
    if (part == name)
        return true;
    std::string quoted = "\"";
    for (const char c : name)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return part == quoted + "\"";
}

}  // namespace

SchemaModel restrict_to_schemas(const SchemaModel& model, const std::vector<std::string>& schemas) {
    const auto in_scope = [&](const ObjectKey& key) {
        for (const auto& schema : schemas) {
            if (key.kind == "extension") {
                if (model.get(key, "schema") == schema)
                    return true;
            } else if (names(identity_parts(key.identity).front(), schema)) {
                return true;
            }
        }
        return false;
    };
    SchemaModel out;
    for (const auto& [key, attributes] : model.objects)
        if (in_scope(key))
            out.objects.emplace(key, attributes);
    for (const auto& [dependent, referenced] : model.depends_on)
        if (in_scope(dependent))
            out.depends_on.emplace(dependent, referenced);
    for (const auto& [column, position] : model.positions)
        if (in_scope({"column", column}))
            out.positions.emplace(column, position);
    for (const auto& [key, owner] : model.implied_by)
        if (in_scope(key))
            out.implied_by.emplace(key, owner);
    return out;
}

std::vector<std::string> identity_parts(const std::string& identity) {
    std::vector<std::string> parts(1);
    bool quoted = false;
    int depth = 0;
    for (const char c : identity) {
        if (c == '"')
            quoted = !quoted;  // a doubled quote toggles twice: still inside
        else if (!quoted && c == '(')
            ++depth;
        else if (!quoted && c == ')' && depth > 0)
            --depth;
        if (c == '.' && !quoted && depth == 0)
            parts.emplace_back();
        else
            parts.back() += c;
    }
    return parts;
}

std::string identity_parent(const std::string& identity) {
    auto parts = identity_parts(identity);
    parts.pop_back();
    return boost::algorithm::join(parts, ".");
}

std::string identity_name(const std::string& identity) {
    return identity_parts(identity).back();
}

std::string sql_literal(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'')
            out += '\'';
        out += c;
    }
    return out + "'";
}

std::vector<std::string> json_string_array(const std::string& json) {
    std::vector<std::string> out;
    std::size_t i = 0;
    const auto skip_space = [&] {
        while (i < json.size() && (json[i] == ' ' || json[i] == '\n' || json[i] == '\t' || json[i] == '\r'))
            ++i;
    };
    const auto fail = [] { throw std::invalid_argument("not a JSON array of strings"); };
    skip_space();
    if (i >= json.size() || json[i] != '[')
        fail();
    ++i;
    skip_space();
    if (i < json.size() && json[i] == ']') {
        ++i;
        skip_space();
        if (i != json.size())
            fail();
        return out;
    }
    while (true) {
        skip_space();
        if (i >= json.size() || json[i] != '"')
            fail();
        ++i;
        std::string value;
        while (true) {
            if (i >= json.size())
                fail();
            const char c = json[i++];
            if (c == '"')
                break;
            if (c != '\\') {
                value += c;
                continue;
            }
            if (i >= json.size())
                fail();
            const char e = json[i++];
            switch (e) {
            case '"': value += '"'; break;
            case '\\': value += '\\'; break;
            case '/': value += '/'; break;
            case 'b': value += '\b'; break;
            case 'f': value += '\f'; break;
            case 'n': value += '\n'; break;
            case 'r': value += '\r'; break;
            case 't': value += '\t'; break;
            case 'u': {
                if (i + 4 > json.size())
                    fail();
                unsigned code = 0;
                for (int k = 0; k < 4; ++k) {
                    const char h = json[i++];
                    code <<= 4;
                    if (h >= '0' && h <= '9') code |= unsigned(h - '0');
                    else if (h >= 'a' && h <= 'f') code |= unsigned(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') code |= unsigned(h - 'A' + 10);
                    else fail();
                }
                // jsonb escapes only control characters this way: one byte each.
                if (code < 0x80)
                    value += static_cast<char>(code);
                else if (code < 0x800) {
                    value += static_cast<char>(0xC0 | (code >> 6));
                    value += static_cast<char>(0x80 | (code & 0x3F));
                } else {
                    value += static_cast<char>(0xE0 | (code >> 12));
                    value += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                    value += static_cast<char>(0x80 | (code & 0x3F));
                }
                break;
            }
            default:
                fail();
            }
        }
        out.push_back(std::move(value));
        skip_space();
        if (i < json.size() && json[i] == ',') {
            ++i;
            continue;
        }
        if (i < json.size() && json[i] == ']') {
            ++i;
            skip_space();
            if (i != json.size())
                fail();
            return out;
        }
        fail();
    }
}

std::vector<ObjectKey> dependency_order(const std::set<ObjectKey>& nodes,
                                        const std::map<ObjectKey, std::set<ObjectKey>>& depends_on,
                                        const std::function<int(const ObjectKey&)>& rank) {
    std::map<ObjectKey, int> waiting;  // node -> how many of its dependencies are not placed
    std::map<ObjectKey, std::vector<ObjectKey>> dependents;
    for (const auto& n : nodes) {
        waiting[n] = 0;
        const auto it = depends_on.find(n);
        if (it == depends_on.end())
            continue;
        for (const auto& d : it->second)
            if (d != n && nodes.count(d)) {
                ++waiting[n];
                dependents[d].push_back(n);
            }
    }
    using Entry = std::tuple<int, std::string, std::string>;
    const auto entry = [&](const ObjectKey& k) { return Entry{rank(k), k.kind, k.identity}; };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
    for (const auto& [n, count] : waiting)
        if (count == 0)
            ready.push(entry(n));
    std::vector<ObjectKey> order;
    std::set<ObjectKey> placed;
    while (order.size() < nodes.size()) {
        ObjectKey next;
        if (!ready.empty()) {
            const Entry top = ready.top();
            ready.pop();
            next = {std::get<1>(top), std::get<2>(top)};
            if (placed.count(next))
                continue;
        } else {
            // A cycle: the lowest-ranked node still waiting goes first.
            bool found = false;
            Entry best;
            for (const auto& [n, count] : waiting)
                if (!placed.count(n) && (!found || entry(n) < best)) {
                    best = entry(n);
                    next = n;
                    found = true;
                }
        }
        placed.insert(next);
        order.push_back(next);
        for (const auto& d : dependents[next])
            if (--waiting[d] == 0 && !placed.count(d))
                ready.push(entry(d));
    }
    return order;
}

}  // namespace ms::core
