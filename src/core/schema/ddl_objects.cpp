// Sequences, views, functions, triggers, policies, statistics, types (enums rebuilt when they
// lose a value), comments and grants.
#include "core/schema/migration_writer_impl.hpp"

#include "core/schema/acl_grants.hpp"

#include <boost/algorithm/string/replace.hpp>
#include <boost/algorithm/string/split.hpp>

#include <cctype>
#include <stdexcept>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core::writer {

std::vector<std::string> Writer::enum_values(const SchemaModel& m, const ObjectKey& t) {
    const std::string v = m.get(t, "values");
    return json_string_array(v.empty() ? "[]" : v);
}

bool Writer::enum_extends(const std::vector<std::string>& before, const std::vector<std::string>& after) {
    std::size_t i = 0;
    for (const auto& v : after)
        if (i < before.size() && v == before[i])
            ++i;
    return i == before.size();
}

std::optional<std::vector<ObjectKey>> Writer::enum_users(const ObjectKey& t) {
    std::vector<ObjectKey> users;
    for (const auto& [dependent, referenced] : from_.depends_on) {
        if (!referenced.count(t))
            continue;
        if (!to_.find(dependent) || from_.implied_by.count(dependent))
            continue;  // dropped before the rebuild, or follows its owner
        if (dependent.kind == "column") {
            const ObjectKey parent = parent_of(from_, dependent);
            if (parent.kind == "view")
                continue;  // the view is rebuilt with the columns it reads
            if (parent.kind == "table") {
                users.push_back(dependent);
                continue;
            }
        }
        return std::nullopt;
    }
    return users;
}

void Writer::rebuild_enum(const ObjectKey& t, const std::vector<ObjectKey>& users) {
    std::string bare = identity_name(t.identity);
    if (bare.size() >= 2 && bare.front() == '"') {
        bare = bare.substr(1, bare.size() - 2);
        boost::algorithm::replace_all(bare, "\"\"", "\"");
    }
    const std::string old_name = quote_name(bare.substr(0, 58) + "__old");
    const std::string old_type = identity_parent(t.identity) + "." + old_name;
    hazard(Build, t, "the enum " + t.identity + " loses or reorders values: it is built anew and every "
                     "column using it rewritten" + (users.empty() ? "" : " (" + std::to_string(users.size()) +
                     " column" + (users.size() == 1 ? "" : "s") + ")") +
                     "; rows holding a removed value make the script fail");
    add(Build, t, "ALTER TYPE " + t.identity + " RENAME TO " + old_name + ";");
    std::vector<std::string> values;
    for (const auto& v : enum_values(to_, t))
        values.push_back(sql_literal(v));
    add(Build, t, "CREATE TYPE " + t.identity + " AS ENUM (" + join(values, ", ") + ");");
    for (const auto& c : users) {
        const std::string alter = "ALTER TABLE " + identity_parent(c.identity) + " ALTER COLUMN " +
                                  identity_name(c.identity);
        const std::string type = to_.get(c, "type");
        const bool array = ends_with(type, "[]");
        if (!from_.get(c, "default").empty())
            add(Build, t, alter + " DROP DEFAULT;");
        add(Build, t, alter + " TYPE " + type + " USING " + identity_name(c.identity) +
                          (array ? "::text[]::" : "::text::") + type + ";");
        if (!to_.get(c, "default").empty())
            add(Build, t, alter + " SET DEFAULT " + to_.get(c, "default") + ";");
    }
    add(Build, t, "DROP TYPE " + old_type + ";");
}

std::string Writer::comment_target(const SchemaModel& m, const ObjectKey& key) {
    const std::string& id = key.identity;
    if (key.kind == "schema") return "SCHEMA " + id;
    if (key.kind == "table")
        return (m.get(key, "kind") == "foreign table" ? "FOREIGN TABLE " : "TABLE ") + id;
    if (key.kind == "column") return "COLUMN " + id;
    if (key.kind == "constraint") {
        const ObjectKey parent = parent_of(m, key);
        return "CONSTRAINT " + identity_name(id) + " ON " +
               (parent.kind == "type" ? "DOMAIN " : "") + parent.identity;
    }
    if (key.kind == "index") return "INDEX " + id;
    if (key.kind == "sequence") return "SEQUENCE " + id;
    if (key.kind == "view")
        return (m.get(key, "kind") == "materialized view" ? "MATERIALIZED VIEW " : "VIEW ") + id;
    if (key.kind == "function")
        return (m.get(key, "kind") == "procedure" ? "PROCEDURE " : "FUNCTION ") + id;
    if (key.kind == "aggregate") return "AGGREGATE " + id;
    if (key.kind == "trigger" || key.kind == "policy" || key.kind == "rule")
        return (key.kind == "trigger" ? "TRIGGER " : key.kind == "policy" ? "POLICY " : "RULE ") +
               identity_name(id) + " ON " + identity_parent(id);
    if (key.kind == "statistics") return "STATISTICS " + id;
    if (key.kind == "type") return "TYPE " + id;
    if (key.kind == "extension") return "EXTENSION " + id;
    return {};
}

std::optional<AclTarget> Writer::acl_target(const SchemaModel& m, const ObjectKey& key) const {
    AclTarget t;
    const std::string& id = key.identity;
    if (key.kind == "schema") { t.object = "SCHEMA " + id; t.owner_default = "UC"; }
    else if (key.kind == "table" || key.kind == "view") { t.object = "TABLE " + id; t.owner_default = table_owner_privileges_; }
    else if (key.kind == "sequence") { t.object = "SEQUENCE " + id; t.owner_default = "rwU"; }
    else if (key.kind == "function" || key.kind == "aggregate") {
        t.object = "ROUTINE " + id; t.owner_default = "X"; t.public_default = "X";
    } else if (key.kind == "type") { t.object = "TYPE " + id; t.owner_default = "U"; t.public_default = "U"; }
    else if (key.kind == "column") {
        t.object = "TABLE " + identity_parent(id);
        t.column = identity_name(id);
    } else
        return std::nullopt;
    (void)m;
    return t;
}

void Writer::describe(const ObjectKey& key, const ObjectAttributes* before, const ObjectAttributes& after) {
    const auto value = [](const ObjectAttributes* a, const char* name) -> std::optional<std::string> {
        if (a == nullptr) return std::nullopt;
        const auto it = a->find(name);
        return it == a->end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    const auto c0 = value(before, "comment"), c1 = value(&after, "comment");
    if (c0 != c1) {
        const std::string target = comment_target(to_, key);
        if (!target.empty())
            add(Build, key, "COMMENT ON " + target + " IS " + (c1 ? sql_literal(*c1) : "NULL") + ";");
    }
    const auto a0 = value(before, "acl"), a1 = value(&after, "acl");
    if (a0 != a1) {
        if (const auto target = acl_target(to_, key))
            for (const auto& s : acl_statements(*target, !a0, a0.value_or(""), !a1, a1.value_or("")))
                add(Build, key, s);
    }
}

void Writer::create_sequence(const ObjectKey& s) {
    const SchemaModel& m = to_;
    std::string sql = std::string("CREATE ") + (m.get(s, "persistence") == "unlogged" ? "UNLOGGED " : "") +
                      "SEQUENCE " + s.identity;
    const std::string type = m.get(s, "type");
    if (!type.empty())
        sql += " AS " + type;
    sql += sequence_options(m, s);
    add(Build, s, sql + ";");
    const std::string owned = m.get(s, "owned_by");
    if (!owned.empty())
        add(Build, {"column", owned}, "ALTER SEQUENCE " + s.identity + " OWNED BY " + owned + ";");
    describe(s, nullptr, *m.find(s));
}

void Writer::alter_sequence(const ObjectKey& s) {
    std::string clauses;
    const auto put = [&](const char* attr, const char* clause) {
        const std::string v = to_.get(s, attr);
        if (v != from_.get(s, attr) && !v.empty())
            clauses += std::string(" ") + clause + " " + v;
    };
    put("type", "AS");
    put("start", "START WITH");
    put("increment", "INCREMENT BY");
    put("min", "MINVALUE");
    put("max", "MAXVALUE");
    put("cache", "CACHE");
    if (to_.get(s, "cycle") != from_.get(s, "cycle"))
        clauses += to_.get(s, "cycle") == "true" ? " CYCLE" : " NO CYCLE";
    if (!clauses.empty())
        add(Build, s, "ALTER SEQUENCE " + s.identity + clauses + ";");
    if (to_.get(s, "persistence") != from_.get(s, "persistence"))
        add(Build, s, "ALTER SEQUENCE " + s.identity +
                          (to_.get(s, "persistence") == "unlogged" ? " SET UNLOGGED;" : " SET LOGGED;"));
    const std::string owned = to_.get(s, "owned_by"), was_owned = from_.get(s, "owned_by");
    if (owned != was_owned && !is_identity_sequence(to_, s) && !is_identity_sequence(from_, s)) {
        const ObjectKey old_owner{"column", was_owned};
        // Dropping its old column would drop the sequence too.
        if (!was_owned.empty() && (dropped_.count(old_owner) || in_any(dropped_, from_, old_owner)))
            add(Release, s, "ALTER SEQUENCE " + s.identity + " OWNED BY NONE;");
        if (!owned.empty() || was_owned.empty() || !(dropped_.count(old_owner) || in_any(dropped_, from_, old_owner)))
            add(Build, owned.empty() ? s : ObjectKey{"column", owned},
                "ALTER SEQUENCE " + s.identity + " OWNED BY " + (owned.empty() ? "NONE" : owned) + ";");
    }
    describe(s, from_.find(s), *to_.find(s));
}

void Writer::create_view(const ObjectKey& v) {
    const bool materialized = to_.get(v, "kind") == "materialized view";
    const std::string options = to_.get(v, "options");
    std::string sql = std::string("CREATE ") + (materialized ? "MATERIALIZED VIEW " : "VIEW ") + v.identity;
    if (!options.empty())
        sql += " WITH (" + join(option_list(options), ", ") + ")";
    sql += " AS\n" + strip_semicolon(to_.get(v, "definition"));
    add(Build, v, sql + ";");
    describe(v, nullptr, *to_.find(v));
    for (const auto& c : columns_of(to_, v.identity))
        describe(c, nullptr, *to_.find(c));
}

std::string Writer::function_head(const std::string& definition) {
    // The signature line and the RETURNS line: what CREATE OR REPLACE cannot change.
    std::vector<std::string> lines;
    boost::algorithm::split(lines, definition, [](char c) { return c == '\n'; });
    std::string head = lines.empty() ? std::string() : lines[0];
    if (lines.size() > 1 && starts_with(lines[1], " RETURNS "))
        head += "\n" + lines[1];
    return head;
}

void Writer::create_function(const ObjectKey& f) {
    add(Build, f, statement(to_.get(f, "definition")));
    describe(f, nullptr, *to_.find(f));
}

std::string Writer::policy_sql(const ObjectKey& p) {
    const SchemaModel& m = to_;
    std::string sql = "CREATE POLICY " + identity_name(p.identity) + " ON " + identity_parent(p.identity) +
                      " AS " + (m.get(p, "permissive") == "false" ? "RESTRICTIVE" : "PERMISSIVE") +
                      " FOR " + (m.get(p, "command").empty() ? std::string("ALL") : m.get(p, "command"));
    const std::string roles = m.get(p, "roles");
    if (!roles.empty()) {
        std::vector<std::string> names;
        boost::algorithm::split(names, roles, [](char c) { return c == ','; });
        for (auto& n : names)
            if (n == "public")
                n = "PUBLIC";
        sql += " TO " + join(names, ", ");
    }
    if (!m.get(p, "using").empty())
        sql += " USING (" + m.get(p, "using") + ")";
    if (!m.get(p, "with_check").empty())
        sql += " WITH CHECK (" + m.get(p, "with_check") + ")";
    return sql + ";";
}

void Writer::create_statistics(const ObjectKey& s) {
    const SchemaModel& m = to_;
    std::vector<std::string> kinds, targets;
    std::vector<std::string> listed;
    boost::algorithm::split(listed, m.get(s, "kinds"), [](char c) { return c == ','; });
    for (const auto& k : listed)
        if (!k.empty() && k != "expressions")
            kinds.push_back(k);
    if (!m.get(s, "columns").empty())
        for (const auto& c : option_list(m.get(s, "columns")))
            targets.push_back(c);
    if (!m.get(s, "expressions").empty()) {
        // Expressions hold commas of their own: only a lone one is safe to split.
        targets.push_back("(" + m.get(s, "expressions") + ")");
    }
    std::string sql = "CREATE STATISTICS " + s.identity;
    if (!kinds.empty())
        sql += " (" + join(kinds, ", ") + ")";
    sql += " ON " + join(targets, ", ") + " FROM " + m.get(s, "table") + ";";
    add(Build, s, sql);
    if (!m.get(s, "target").empty())
        add(Build, s, "ALTER STATISTICS " + s.identity + " SET STATISTICS " + m.get(s, "target") + ";");
    describe(s, nullptr, *m.find(s));
}

void Writer::create_type(const ObjectKey& t) {
    const SchemaModel& m = to_;
    const std::string kind = m.get(t, "kind");
    if (kind == "enum") {
        std::vector<std::string> values;
        try {
            for (const auto& v : json_string_array(m.get(t, "values").empty() ? "[]" : m.get(t, "values")))
                values.push_back(sql_literal(v));
        } catch (const std::invalid_argument&) {
            not_generated(t, "its values are not a JSON array of strings");
            return;
        }
        add(Build, t, "CREATE TYPE " + t.identity + " AS ENUM (" + join(values, ", ") + ");");
    } else if (kind == "domain") {
        std::string sql = "CREATE DOMAIN " + t.identity + " AS " + m.get(t, "base_type");
        if (!m.get(t, "collation").empty())
            sql += " COLLATE " + m.get(t, "collation");
        if (!m.get(t, "default").empty())
            sql += " DEFAULT " + m.get(t, "default");
        if (m.get(t, "not_null") == "true")
            sql += " NOT NULL";
        add(Build, t, sql + ";");
    } else if (kind == "composite") {
        std::vector<std::string> attrs;
        for (const auto& c : columns_of(m, t.identity))
            attrs.push_back("    " + identity_name(c.identity) + " " + m.get(c, "type") + collate_clause(m, c));
        add(Build, t, "CREATE TYPE " + t.identity + " AS (\n" + join(attrs, ",\n") + (attrs.empty() ? "" : "\n") + ");");
        for (const auto& c : columns_of(m, t.identity))
            describe(c, nullptr, *m.find(c));
    } else if (kind == "range") {
        std::string sql = "CREATE TYPE " + t.identity + " AS RANGE (SUBTYPE = " + m.get(t, "subtype");
        const auto put = [&](const char* attr, const char* option) {
            const std::string v = m.get(t, attr);
            if (!v.empty())
                sql += std::string(", ") + option + " = " + v;
        };
        put("subtype_opclass", "SUBTYPE_OPCLASS");
        put("collation", "COLLATION");
        const auto function = [&](const char* attr, const char* option) {
            std::string v = m.get(t, attr);
            if (!v.empty())
                sql += std::string(", ") + option + " = " + v.substr(0, v.find('('));
        };
        function("canonical", "CANONICAL");
        function("subtype_diff", "SUBTYPE_DIFF");
        put("multirange", "MULTIRANGE_TYPE_NAME");
        add(Build, t, sql + ");");
    } else {
        not_generated(t, "base types (with C input and output functions) are not generated");
        return;
    }
    describe(t, nullptr, *m.find(t));
}

void Writer::alter_type(const ObjectKey& t) {
    const std::string kind = to_.get(t, "kind");
    if (kind == "enum") {
        std::vector<std::string> old_values, new_values;
        try {
            old_values = json_string_array(from_.get(t, "values").empty() ? "[]" : from_.get(t, "values"));
            new_values = json_string_array(to_.get(t, "values").empty() ? "[]" : to_.get(t, "values"));
        } catch (const std::invalid_argument&) {
            not_generated(t, "its values are not a JSON array of strings");
            return;
        }
        // ADD VALUE keeps the values there are: the old list must be a subsequence.
        std::size_t i = 0;
        for (const auto& v : new_values)
            if (i < old_values.size() && v == old_values[i])
                ++i;
        if (i < old_values.size() && enum_rebuilds_.count(t)) {
            rebuild_enum(t, enum_rebuilds_[t]);
        } else if (i < old_values.size()) {
            not_generated(t, "an enum value is removed or moved, which PostgreSQL cannot do in place, "
                             "and more than table columns use the type: "
                             "create a new type with the values wanted, ALTER every column using it "
                             "to the new type (USING column::text::new_type), drop the old type and "
                             "rename the new one");
        } else {
            std::size_t placed = 0;
            for (std::size_t k = 0; k < new_values.size(); ++k) {
                if (placed < old_values.size() && new_values[k] == old_values[placed]) {
                    ++placed;
                    continue;
                }
                std::string where;
                if (placed < old_values.size())
                    where = " BEFORE " + sql_literal(old_values[placed]);
                add(Build, t, "ALTER TYPE " + t.identity + " ADD VALUE " + sql_literal(new_values[k]) + where + ";");
                added_enum_values_.push_back({t, new_values[k]});
            }
            if (new_values.size() > old_values.size())
                hazard(Build, t, "the values added to " + t.identity +
                                     " cannot be used before this transaction commits");
        }
    } else if (kind == "domain") {
        const std::string alter = "ALTER DOMAIN " + t.identity;
        if (to_.get(t, "default") != from_.get(t, "default"))
            add(Build, t, alter + (to_.get(t, "default").empty() ? " DROP DEFAULT;" : " SET DEFAULT " + to_.get(t, "default") + ";"));
        if (to_.get(t, "not_null") != from_.get(t, "not_null"))
            add(Build, t, alter + (to_.get(t, "not_null") == "true" ? " SET NOT NULL;" : " DROP NOT NULL;"));
    } else if (kind == "range" || kind == "base") {
        for (const auto& [attribute, value] : *to_.find(t))
            if (attribute != "comment" && attribute != "acl" && from_.get(t, attribute) != value) {
                not_generated(t, "a change of its " + attribute + " is not generated");
                break;
            }
    }
    describe(t, from_.find(t), *to_.find(t));
}

std::string Writer::quote_name(const std::string& name) {
    bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (const char c : name)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            plain = false;
    if (plain)
        return name;
    std::string q = name;
    boost::algorithm::replace_all(q, "\"", "\"\"");
    return "\"" + q + "\"";
}

void Writer::trigger_state(const ObjectKey& k, const std::string& before) {
    const std::string state = to_.get(k, "enabled").empty() ? "origin" : to_.get(k, "enabled");
    if (state == before)
        return;
    const std::string head = "ALTER TABLE " + identity_parent(k.identity);
    const std::string name = identity_name(k.identity);
    if (state == "disabled") add(Build, k, head + " DISABLE TRIGGER " + name + ";");
    else if (state == "replica") add(Build, k, head + " ENABLE REPLICA TRIGGER " + name + ";");
    else if (state == "always") add(Build, k, head + " ENABLE ALWAYS TRIGGER " + name + ";");
    else add(Build, k, head + " ENABLE TRIGGER " + name + ";");
}

}  // namespace ms::core::writer
