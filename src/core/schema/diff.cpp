#include "core/schema/diff.hpp"

#include <boost/algorithm/string/join.hpp>

#include <cstdio>
#include <map>
#include <utility>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

using Attributes = std::map<std::string, std::string>;
using Objects = std::map<std::pair<std::string, std::string>, Attributes>;

Objects group(const std::vector<SchemaAttribute>& flat) {
    Objects objects;
    for (const auto& a : flat)
        objects[{a.kind, a.object}][a.attribute] = a.value;
    return objects;
}

std::string shorten(const std::string& value) {
    if (value.size() <= detail_value_limit)
        return value;
    std::size_t cut = detail_value_limit;
    // Never split a multi-byte character: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80)
        --cut;
    return value.substr(0, cut) + "...";
}

std::string quoted(const std::string& value) {
    return "'" + shorten(value) + "'";
}

// What an added or removed object is: its definition when it has one, else its attributes.
std::string describe(const Attributes& attributes) {
    const auto definition = attributes.find("definition");
    if (definition != attributes.end())
        return shorten(definition->second);
    std::vector<std::string> parts;
    for (const auto& [name, value] : attributes)
        parts.push_back(name + " " + quoted(value));
    return boost::algorithm::join(parts, ", ");
}

std::string compare(const Attributes& before, const Attributes& after) {
    static const std::string none = "(none)";
    std::vector<std::string> parts;
    auto b = before.begin();
    auto a = after.begin();
    // Both maps are sorted by attribute name: one merge pass finds every difference.
    while (b != before.end() || a != after.end()) {
        if (a == after.end() || (b != before.end() && b->first < a->first)) {
            parts.push_back(b->first + ": " + quoted(b->second) + " -> " + none);
            ++b;
        } else if (b == before.end() || a->first < b->first) {
            parts.push_back(a->first + ": " + none + " -> " + quoted(a->second));
            ++a;
        } else {
            if (a->second != b->second)
                parts.push_back(a->first + ": " + quoted(b->second) + " -> " + quoted(a->second));
            ++a;
            ++b;
        }
    }
    return boost::algorithm::join(parts, "; ");
}

}  // namespace

const char* change_name(SchemaChangeKind change) {
    switch (change) {
    case SchemaChangeKind::Added:
        return "added";
    case SchemaChangeKind::Removed:
        return "removed";
    case SchemaChangeKind::Changed:
        return "changed";
    }
    return "changed";
}

std::optional<SchemaChangeKind> change_kind_named(const std::string& name) {
    for (const auto kind : {SchemaChangeKind::Added, SchemaChangeKind::Removed,
                            SchemaChangeKind::Changed})
        if (name == change_name(kind))
            return kind;
    return std::nullopt;
}

std::vector<SchemaChange> diff_schemas(const std::vector<SchemaAttribute>& before,
                                       const std::vector<SchemaAttribute>& after) {
    const Objects old_objects = group(before);
    const Objects new_objects = group(after);
    std::vector<SchemaChange> changes;
    auto b = old_objects.begin();
    auto a = new_objects.begin();
    while (b != old_objects.end() || a != new_objects.end()) {
        if (a == new_objects.end() || (b != old_objects.end() && b->first < a->first)) {
            changes.push_back({SchemaChangeKind::Removed, b->first.first, b->first.second,
                               describe(b->second)});
            ++b;
        } else if (b == old_objects.end() || a->first < b->first) {
            changes.push_back({SchemaChangeKind::Added, a->first.first, a->first.second,
                               describe(a->second)});
            ++a;
        } else {
            if (a->second != b->second)
                changes.push_back({SchemaChangeKind::Changed, a->first.first, a->first.second,
                                   compare(b->second, a->second)});
            ++a;
            ++b;
        }
    }
    return changes;
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
                out += escaped;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string changes_json(const std::vector<SchemaChange>& changes, const std::string& step) {
    std::vector<std::string> items;
    for (const auto& c : changes) {
        std::string item = "{";
        if (!step.empty())
            item += "\"step\": " + json_string(step) + ", ";
        item += "\"change\": " + json_string(change_name(c.change)) +
                ", \"kind\": " + json_string(c.kind) + ", \"object\": " + json_string(c.object) +
                ", \"detail\": " + json_string(c.detail) + "}";
        items.push_back(std::move(item));
    }
    return "[" + boost::algorithm::join(items, ", ") + "]";
}

}  // namespace ms::core
