#include "core/migration_writer.hpp"

#include "core/acl_grants.hpp"

#include <boost/algorithm/string/join.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/replace.hpp>
#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "core/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

using boost::algorithm::ends_with;
using boost::algorithm::join;
using boost::algorithm::starts_with;

// Phases of a script: renames, drops, creates and changes (in dependency order), then the
// drops that had to wait until what depended on the dropped object was changed.
// Release detaches what a drop would otherwise take along (a sequence owned by a dropped
// column that stays) or what holds a name a create needs (an identity's sequence).
enum Phase { Rename = 0, Release = 1, Drop = 2, Build = 3, LateDrop = 4 };

struct Step {
    Phase phase;
    ObjectKey anchor;  // ordered where this object is ordered
    std::string sql;   // one statement ending with ';', comments above it
};

// The order of kinds when nothing else decides: what others are built from comes first.
int kind_rank(const std::string& kind) {
    static const std::vector<std::string> order = {
        "extension", "schema",  "type",    "sequence", "function", "aggregate",
        "table",     "column",  "constraint", "index",  "view",     "trigger",
        "policy",    "rule",    "statistics"};
    const auto it = std::find(order.begin(), order.end(), kind);
    return it == order.end() ? int(order.size()) : int(it - order.begin());
}

std::string strip_semicolon(std::string text) {
    boost::algorithm::trim_right(text);
    while (ends_with(text, ";")) {
        text.pop_back();
        boost::algorithm::trim_right(text);
    }
    return text;
}

std::string statement(const std::string& text) {
    return strip_semicolon(text) + ";";
}

std::string comment_line(const std::string& text) {
    // A comment is one line: a newline in a name must not end it.
    std::string flat = text;
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    std::replace(flat.begin(), flat.end(), '\r', ' ');
    return "-- " + flat + "\n";
}

// Options as the fingerprint prints them ("a=1,b=x") for WITH (...)/SET (...).
std::vector<std::string> option_list(const std::string& options) {
    std::vector<std::string> out;
    if (options.empty())
        return out;
    boost::algorithm::split(out, options, [](char c) { return c == ','; });
    return out;
}

std::string option_names(const std::vector<std::string>& options) {
    std::vector<std::string> names;
    for (const auto& o : options)
        names.push_back(o.substr(0, o.find('=')));
    return join(names, ", ");
}

class Writer {
public:
    Writer(const SchemaModel& from, const SchemaModel& to, bool online)
        : from_(from), to_(to), online_(online) {}

    DirectionScript write(const std::vector<std::pair<std::string, std::string>>& renames);

private:
    // ---- what an object is -------------------------------------------------------------
    const SchemaModel& from_;
    const SchemaModel& to_;
    bool online_;
    std::vector<Step> steps_;
    DirectionScript out_;
    std::set<ObjectKey> created_, dropped_, replaced_;
    // Enum types rebuilt under their name (a value removed or moved), with the table columns
    // that use them.
    std::map<ObjectKey, std::vector<ObjectKey>> enum_rebuilds_;

    static std::vector<std::string> enum_values(const SchemaModel& m, const ObjectKey& t) {
        const std::string v = m.get(t, "values");
        return json_string_array(v.empty() ? "[]" : v);
    }

    // Whether ADD VALUE reaches `after` from `before`: the old values keep their order.
    static bool enum_extends(const std::vector<std::string>& before, const std::vector<std::string>& after) {
        std::size_t i = 0;
        for (const auto& v : after)
            if (i < before.size() && v == before[i])
                ++i;
        return i == before.size();
    }

    // The table columns using enum `t`, when nothing else does (a function, a domain, a check
    // naming one of its values would keep the old type alive): nullopt otherwise.
    std::optional<std::vector<ObjectKey>> enum_users(const ObjectKey& t) {
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

    void rebuild_enum(const ObjectKey& t, const std::vector<ObjectKey>& users) {
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

    static bool is_column_of(const SchemaModel& m, const ObjectKey& column, const char* kind) {
        return m.find({kind, identity_parent(column.identity)}) != nullptr;
    }

    // The table (or view, type) a column, constraint, trigger, ... belongs to.
    static ObjectKey parent_of(const SchemaModel& m, const ObjectKey& key) {
        const std::string parent = identity_parent(key.identity);
        if (key.kind == "column") {
            for (const char* kind : {"table", "view", "type"})
                if (m.find({kind, parent}))
                    return {kind, parent};
            return {"table", parent};
        }
        if (key.kind == "constraint")
            return m.find({"type", parent}) ? ObjectKey{"type", parent} : ObjectKey{"table", parent};
        if (key.kind == "trigger" || key.kind == "policy" || key.kind == "rule")
            return {"table", parent};
        if (key.kind == "index" || key.kind == "statistics") {
            const std::string table = m.get(key, "table");
            if (m.find({"view", table}))
                return {"view", table};
            return {"table", table};
        }
        return {};
    }

    // The constraint an index is built for (primary key, unique, exclusion), if any.
    static std::optional<ObjectKey> constraint_of_index(const SchemaModel& m, const ObjectKey& index) {
        if (index.kind != "index")
            return std::nullopt;
        const ObjectKey c{"constraint", m.get(index, "table") + "." + identity_name(index.identity)};
        const std::string type = m.get(c, "type");
        if (type == "primary key" || type == "unique" || type == "exclusion")
            return c;
        return std::nullopt;
    }

    // The object this one is created and dropped with, if it never is on its own.
    static std::optional<ObjectKey> owner_of(const SchemaModel& m, const ObjectKey& key) {
        if (const auto it = m.implied_by.find(key); it != m.implied_by.end())
            return it->second;
        if (key.kind == "column") {
            const ObjectKey parent = parent_of(m, key);
            return parent;
        }
        if (key.kind == "index")
            if (const auto c = constraint_of_index(m, key))
                return c;
        if (key.kind == "sequence") {
            const std::string owned = m.get(key, "owned_by");
            if (!owned.empty())
                return ObjectKey{"column", owned};
            return std::nullopt;
        }
        if (key.kind == "constraint" || key.kind == "index" || key.kind == "trigger" ||
            key.kind == "policy" || key.kind == "rule" || key.kind == "statistics")
            return parent_of(m, key);
        return std::nullopt;
    }

    static bool is_identity_sequence(const SchemaModel& m, const ObjectKey& key) {
        if (key.kind != "sequence")
            return false;
        const std::string owned = m.get(key, "owned_by");
        return !owned.empty() && !m.get({"column", owned}, "identity").empty();
    }

    // Objects that exist only as a part of another one and come with its statement.
    static bool built_with_owner(const SchemaModel& m, const ObjectKey& key) {
        if (m.implied_by.count(key))
            return true;
        if (key.kind == "column")
            return true;  // columns have their own ADD COLUMN when their table stays
        if (key.kind == "index" && constraint_of_index(m, key))
            return true;
        return is_identity_sequence(m, key);
    }

    bool in_any(const std::set<ObjectKey>& set, const SchemaModel& m, ObjectKey key) {
        for (int depth = 0; depth < 8; ++depth) {
            const auto owner = owner_of(m, key);
            if (!owner || owner->kind.empty())
                return false;
            if (set.count(*owner))
                return true;
            key = *owner;
        }
        return false;
    }

    bool table_is_new(const ObjectKey& table) const {
        return created_.count(table) > 0 || from_.find(table) == nullptr;
    }

    bool partitioned(const SchemaModel& m, const std::string& table) const {
        return m.get({"table", table}, "kind") == "partitioned table";
    }

    // ---- emitting -------------------------------------------------------------------------
    void add(Phase phase, const ObjectKey& anchor, const std::string& sql) {
        steps_.push_back({phase, anchor, sql});
    }

    void hazard(Phase phase, const ObjectKey& anchor, const std::string& text) {
        out_.hazards.push_back(text);
        pending_comment_[{phase, anchor}] += comment_line("hazard: " + text);
    }

    void not_generated(const ObjectKey& anchor, const std::string& text) {
        out_.not_generated.push_back(anchor.kind + " " + anchor.identity + ": " + text);
        add(Build, anchor, comment_line("not generated: " + anchor.kind + " " + anchor.identity +
                                        ": " + text));
    }

    std::map<std::pair<int, ObjectKey>, std::string> pending_comment_;

    // ---- names for statements -------------------------------------------------------------
    static std::string comment_target(const SchemaModel& m, const ObjectKey& key) {
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

    static std::optional<AclTarget> acl_target(const SchemaModel& m, const ObjectKey& key) {
        AclTarget t;
        const std::string& id = key.identity;
        if (key.kind == "schema") { t.object = "SCHEMA " + id; t.owner_default = "UC"; }
        else if (key.kind == "table" || key.kind == "view") { t.object = "TABLE " + id; t.owner_default = "arwdDxt"; }
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

    // Comment and grants from one side's attributes to the other's.
    void describe(const ObjectKey& key, const ObjectAttributes* before, const ObjectAttributes& after) {
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

    // ---- columns ----------------------------------------------------------------------------
    std::string identity_options(const SchemaModel& m, const ObjectKey& column) {
        for (const auto& [key, attrs] : m.objects) {
            if (key.kind != "sequence" || m.get(key, "owned_by") != column.identity)
                continue;
            std::string o = "SEQUENCE NAME " + key.identity;
            const auto put = [&](const char* attr, const char* clause) {
                const std::string v = m.get(key, attr);
                if (!v.empty())
                    o += std::string(" ") + clause + " " + v;
            };
            put("start", "START WITH");
            put("increment", "INCREMENT BY");
            put("min", "MINVALUE");
            put("max", "MAXVALUE");
            put("cache", "CACHE");
            o += m.get(key, "cycle") == "true" ? " CYCLE" : " NO CYCLE";
            return " (" + o + ")";
        }
        return {};
    }

    std::string collate_clause(const SchemaModel& m, const ObjectKey& column) {
        const std::string c = m.get(column, "collation");
        return c.empty() ? std::string() : " COLLATE " + c;
    }

    // name type [COMPRESSION] [COLLATE] [DEFAULT | GENERATED] [IDENTITY] [NOT NULL]
    std::string column_definition(const ObjectKey& column, bool with_not_null) {
        const SchemaModel& m = to_;
        std::string d = identity_name(column.identity) + " " + m.get(column, "type");
        const std::string compression = m.get(column, "compression");
        if (!compression.empty())
            d += " COMPRESSION " + compression;
        d += collate_clause(m, column);
        const std::string generated = m.get(column, "generated");
        if (!generated.empty())
            d += " GENERATED ALWAYS AS (" + m.get(column, "generation_expression") + ") STORED";
        const std::string def = m.get(column, "default");
        if (!def.empty())
            d += " DEFAULT " + def;
        const std::string identity = m.get(column, "identity");
        if (!identity.empty())
            d += " GENERATED " + std::string(identity == "always" ? "ALWAYS" : "BY DEFAULT") +
                 " AS IDENTITY" + identity_options(m, column);
        if (with_not_null && m.get(column, "not_null") == "true")
            d += " NOT NULL";
        return d;
    }

    // STORAGE, STATISTICS and options: statements of their own after the column exists.
    void column_settings(const ObjectKey& column, const ObjectAttributes* before) {
        const std::string table = identity_parent(column.identity);
        const std::string name = identity_name(column.identity);
        const auto was = [&](const char* a) {
            if (!before) return std::string();
            const auto it = before->find(a);
            return it == before->end() ? std::string() : it->second;
        };
        const std::string alter = "ALTER TABLE " + table + " ALTER COLUMN " + name;
        const std::string storage = to_.get(column, "storage");
        if (storage != was("storage")) {
            // Absent is the type's own storage, which PostgreSQL 15 has no word for.
            const std::string own = storage.empty() ? type_storage(to_.get(column, "type")) : storage;
            if (own.empty())
                not_generated(column, "its storage goes back to its type's default, which is not known here: "
                                      "ALTER COLUMN ... SET STORAGE with the type's typstorage");
            else
                add(Build, column, alter + " SET STORAGE " + own + ";");
        }
        const std::string stats = to_.get(column, "statistics");
        if (stats != was("statistics"))
            add(Build, column, alter + " SET STATISTICS " + (stats.empty() ? "-1" : stats) + ";");
        const std::string options = to_.get(column, "options"), old_options = was("options");
        if (options != old_options) {
            if (!old_options.empty())
                add(Build, column, alter + " RESET (" + option_names(option_list(old_options)) + ");");
            if (!options.empty())
                add(Build, column, alter + " SET (" + join(option_list(options), ", ") + ");");
        }
    }

    // The storage a type has by default, for the built-in types whose it is known.
    static std::string type_storage(const std::string& type) {
        if (ends_with(type, "[]") || type == "text" || type == "bytea" || type == "json" ||
            type == "jsonb" || type == "xml" || type == "tsvector" || type == "citext" ||
            starts_with(type, "character varying") || starts_with(type, "character(") || type == "character")
            return "extended";
        if (starts_with(type, "numeric"))
            return "main";
        if (type == "integer" || type == "bigint" || type == "smallint" || type == "boolean" ||
            type == "date" || starts_with(type, "timestamp") || type == "uuid" || type == "real" ||
            type == "double precision")
            return "plain";
        return {};
    }

    void set_not_null_online(const ObjectKey& column) {
        const std::string table = identity_parent(column.identity);
        const std::string name = identity_name(column.identity);
        // A name no user picks; the check lives only for the length of this script.
        std::string check = identity_name(table);
        if (check.front() == '"')
            check = check.substr(1, check.size() - 2);
        std::string bare = name.front() == '"' ? name.substr(1, name.size() - 2) : name;
        std::string check_name = check + "_" + bare + "_not_null";
        if (check_name.size() > 63)
            check_name = check_name.substr(check_name.size() - 63);
        boost::algorithm::replace_all(check_name, "\"", "\"\"");
        check_name = "\"" + check_name + "\"";
        add(Build, column, "ALTER TABLE " + table + " ADD CONSTRAINT " + check_name + " CHECK (" + name +
                               " IS NOT NULL) NOT VALID;");
        add(Build, column, "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + check_name + ";");
        add(Build, column, "ALTER TABLE " + table + " ALTER COLUMN " + name + " SET NOT NULL;");
        add(Build, column, "ALTER TABLE " + table + " DROP CONSTRAINT " + check_name + ";");
    }

    // A type change that keeps the bytes: varchar(n) to a larger n or text, numeric to a
    // larger precision with the same scale.
    static bool cheap_type_change(const std::string& a, const std::string& b) {
        if (a == b)
            return true;
        if (starts_with(a, "character varying") &&
            (b == "text" || b == "character varying"))
            return true;
        const auto length = [](const std::string& t, const char* prefix) -> long {
            if (!starts_with(t, std::string(prefix) + "(") || !ends_with(t, ")"))
                return -1;
            try {
                return std::stol(t.substr(std::string(prefix).size() + 1));
            } catch (const std::exception&) {
                return -1;
            }
        };
        const long la = length(a, "character varying"), lb = length(b, "character varying");
        if (la > 0 && lb >= la)
            return true;
        return false;
    }

    void add_column(const ObjectKey& column) {
        const std::string table = identity_parent(column.identity);
        const std::string name = identity_name(column.identity);
        const bool not_null = to_.get(column, "not_null") == "true";
        const bool has_value = !to_.get(column, "default").empty() ||
                               !to_.get(column, "identity").empty() ||
                               !to_.get(column, "generated").empty();
        if (not_null && !has_value && online_) {
            hazard(Build, column, "column " + column.identity +
                                      " is NOT NULL without a default: existing rows need a value "
                                      "before SET NOT NULL succeeds (backfill between the ADD and the "
                                      "check)");
            add(Build, column, "ALTER TABLE " + table + " ADD COLUMN " + column_definition(column, false) + ";");
            set_not_null_online(column);
        } else {
            add(Build, column, "ALTER TABLE " + table + " ADD COLUMN " + column_definition(column, true) + ";");
        }
        if (!to_.get(column, "generated").empty())
            hazard(Build, column, "adding the generated column " + column.identity + " rewrites " + table);
        column_settings(column, nullptr);
        describe(column, nullptr, *to_.find(column));
    }

    void alter_column(const ObjectKey& column) {
        const ObjectAttributes& a = *from_.find(column);
        const ObjectAttributes& b = *to_.find(column);
        const auto old_ = [&](const char* n) { const auto it = a.find(n); return it == a.end() ? std::string() : it->second; };
        const auto new_ = [&](const char* n) { const auto it = b.find(n); return it == b.end() ? std::string() : it->second; };
        const std::string table = identity_parent(column.identity);
        const std::string alter = "ALTER TABLE " + table + " ALTER COLUMN " + identity_name(column.identity);
        if (old_("generated") != new_("generated") ||
            old_("generation_expression") != new_("generation_expression")) {
            not_generated(column, "the generation expression changes; PostgreSQL 15 cannot change it in "
                                  "place: drop the column and add it again (its values are computed anew)");
            return;
        }
        const bool type_changes = old_("type") != new_("type") || old_("collation") != new_("collation");
        const bool default_changes = old_("default") != new_("default");
        if (!old_("identity").empty() && new_("identity").empty())
            add(Release, column, alter + " DROP IDENTITY;");
        if ((type_changes || default_changes) && !old_("default").empty())
            add(Build, column, alter + " DROP DEFAULT;");
        if (type_changes) {
            const std::string type = new_("type");
            if (!cheap_type_change(old_("type"), type) || old_("collation") != new_("collation"))
                hazard(Build, column, "changing the type of " + column.identity + " from " + old_("type") +
                                          " to " + type + " rewrites " + table +
                                          " and its indexes under an ACCESS EXCLUSIVE lock");
            add(Build, column, alter + " TYPE " + type + collate_clause(to_, column) + " USING " +
                                   identity_name(column.identity) + "::" + type + ";");
        }
        if ((type_changes || default_changes) && !new_("default").empty())
            add(Build, column, alter + " SET DEFAULT " + new_("default") + ";");
        if (old_("not_null") != new_("not_null")) {
            if (new_("not_null") == "true") {
                if (online_ && !table_is_new({"table", table}) && new_("identity").empty())
                    set_not_null_online(column);
                else
                    add(Build, column, alter + " SET NOT NULL;");
            } else if (new_("identity").empty()) {
                add(Build, column, alter + " DROP NOT NULL;");
            }
        }
        if (old_("identity").empty() && !new_("identity").empty())
            add(Build, column, alter + " ADD GENERATED " +
                                   (new_("identity") == "always" ? "ALWAYS" : "BY DEFAULT") +
                                   " AS IDENTITY" + identity_options(to_, column) + ";");
        else if (!old_("identity").empty() && !new_("identity").empty() && old_("identity") != new_("identity"))
            add(Build, column, alter + " SET GENERATED " +
                                   (new_("identity") == "always" ? "ALWAYS" : "BY DEFAULT") + ";");
        if (old_("compression") != new_("compression"))
            add(Build, column, alter + " SET COMPRESSION " +
                                   (new_("compression").empty() ? std::string("default") : new_("compression")) + ";");
        column_settings(column, &a);
        describe(column, &a, b);
    }

    // ---- tables -----------------------------------------------------------------------------
    std::vector<ObjectKey> columns_of(const SchemaModel& m, const std::string& parent) {
        std::vector<ObjectKey> cols;
        for (auto it = m.objects.lower_bound({"column", ""}); it != m.objects.end() && it->first.kind == "column"; ++it)
            if (identity_parent(it->first.identity) == parent)
                cols.push_back(it->first);
        std::stable_sort(cols.begin(), cols.end(), [&](const ObjectKey& x, const ObjectKey& y) {
            const auto px = m.positions.find(x.identity), py = m.positions.find(y.identity);
            const int ix = px == m.positions.end() ? 1 << 30 : px->second;
            const int iy = py == m.positions.end() ? 1 << 30 : py->second;
            return ix < iy;
        });
        return cols;
    }

    void create_table(const ObjectKey& table) {
        const SchemaModel& m = to_;
        const std::string kind = m.get(table, "kind");
        if (kind == "foreign table" || !m.get(table, "of_type").empty()) {
            not_generated(table, kind == "foreign table" ? "foreign tables are not generated"
                                                         : "typed tables (OF type) are not generated");
            return;
        }
        std::string sql = "CREATE ";
        if (m.get(table, "persistence") == "unlogged")
            sql += "UNLOGGED ";
        sql += "TABLE " + table.identity;
        const std::string bound = m.get(table, "partition_bound");
        std::vector<std::string> cols;
        if (!bound.empty()) {
            sql += " PARTITION OF " + m.get(table, "inherits") + " " + bound;
        } else {
            for (const auto& c : columns_of(m, table.identity))
                if (!m.implied_by.count(c))
                    cols.push_back("    " + column_definition(c, true));
            sql += " (\n" + join(cols, ",\n") + (cols.empty() ? "" : "\n") + ")";
            const std::string inherits = m.get(table, "inherits");
            if (!inherits.empty())
                sql += " INHERITS (" + inherits + ")";
        }
        const std::string key = m.get(table, "partition_key");
        if (!key.empty())
            sql += " PARTITION BY " + key;
        const std::string am = m.get(table, "access_method");
        if (!am.empty())
            sql += " USING " + am;
        const std::string options = m.get(table, "options");
        if (!options.empty())
            sql += " WITH (" + join(option_list(options), ", ") + ")";
        add(Build, table, sql + ";");
        table_settings(table, nullptr);
        describe(table, nullptr, *m.find(table));
        for (const auto& c : columns_of(m, table.identity)) {
            if (m.implied_by.count(c))
                continue;
            column_settings(c, nullptr);
            describe(c, nullptr, *m.find(c));
        }
    }

    void table_settings(const ObjectKey& table, const ObjectAttributes* before) {
        // An absent attribute reads as the default of a new table.
        const auto was = [&](const char* a, const char* dflt) {
            if (!before) return std::string(dflt);
            const auto it = before->find(a);
            return it == before->end() || it->second.empty() ? std::string(dflt) : it->second;
        };
        const auto now = [&](const char* a, const char* dflt) {
            const std::string v = to_.get(table, a);
            return v.empty() ? std::string(dflt) : v;
        };
        const std::string alter = "ALTER TABLE " + table.identity;
        const std::string rls = now("row_security", "false");
        if (rls != was("row_security", "false"))
            add(Build, table, alter + (rls == "true" ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY;");
        const std::string force = now("force_row_security", "false");
        if (force != was("force_row_security", "false"))
            add(Build, table, alter + (force == "true" ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY;");
        const std::string replica = now("replica_identity", "default");
        if (replica != was("replica_identity", "default") && replica != "index")
            add(Build, table, alter + " REPLICA IDENTITY " +
                                  (replica == "full" ? "FULL" : replica == "nothing" ? "NOTHING" : "DEFAULT") + ";");
    }

    void alter_table(const ObjectKey& table) {
        const ObjectAttributes& a = *from_.find(table);
        const ObjectAttributes& b = *to_.find(table);
        const auto old_ = [&](const char* n) { const auto it = a.find(n); return it == a.end() ? std::string() : it->second; };
        const auto new_ = [&](const char* n) { const auto it = b.find(n); return it == b.end() ? std::string() : it->second; };
        for (const char* fixed : {"kind", "partition_key", "partition_bound", "inherits", "of_type",
                                  "access_method", "server", "foreign_options"})
            if (old_(fixed) != new_(fixed)) {
                not_generated(table, std::string("its ") + fixed +
                                         " changes, which needs the table built anew and its rows copied");
                break;
            }
        const std::string alter = "ALTER TABLE " + table.identity;
        if (old_("persistence") != new_("persistence")) {
            hazard(Build, table, "SET " + std::string(new_("persistence") == "unlogged" ? "UNLOGGED" : "LOGGED") +
                                     " rewrites " + table.identity);
            add(Build, table, alter + (new_("persistence") == "unlogged" ? " SET UNLOGGED;" : " SET LOGGED;"));
        }
        if (old_("options") != new_("options")) {
            if (!old_("options").empty())
                add(Build, table, alter + " RESET (" + option_names(option_list(old_("options"))) + ");");
            if (!new_("options").empty())
                add(Build, table, alter + " SET (" + join(option_list(new_("options")), ", ") + ");");
        }
        table_settings(table, &a);
        describe(table, &a, b);
    }

    // ---- constraints ------------------------------------------------------------------------
    static std::string constraint_body(const std::string& definition) {
        std::string d = definition;
        if (ends_with(d, " NOT VALID"))
            d.resize(d.size() - 10);
        return d;
    }

    void create_constraint(const ObjectKey& c) {
        const ObjectKey parent = parent_of(to_, c);
        const std::string type = to_.get(c, "type");
        const std::string body = constraint_body(to_.get(c, "definition"));
        const std::string name = identity_name(c.identity);
        const bool validated = to_.get(c, "validated") != "false";
        if (type == "trigger" || type == "other") {
            not_generated(c, "constraints of type " + type + " are not generated");
            return;
        }
        if (parent.kind == "type") {
            const std::string alter = "ALTER DOMAIN " + parent.identity;
            const bool existing = !created_.count(parent) && from_.find(parent);
            const bool later = online_ && existing && validated;
            add(Build, c, alter + " ADD CONSTRAINT " + name + " " + body +
                              (later || !validated ? " NOT VALID" : "") + ";");
            if (later)
                add(Build, c, alter + " VALIDATE CONSTRAINT " + name + ";");
            describe(c, nullptr, *to_.find(c));
            return;
        }
        const std::string alter = "ALTER TABLE " + parent.identity;
        const bool existing = !table_is_new(parent);
        const bool can_defer = type == "check" || type == "foreign key";
        if (can_defer) {
            const bool later = online_ && existing && validated;
            add(Build, c, alter + " ADD CONSTRAINT " + name + " " + body +
                              (later || !validated ? " NOT VALID" : "") + ";");
            if (later)
                add(Build, c, alter + " VALIDATE CONSTRAINT " + name + ";");
        } else if ((type == "primary key" || type == "unique") && online_ && existing &&
                   !partitioned(to_, parent.identity) &&
                   (starts_with(body, "PRIMARY KEY (") || starts_with(body, "UNIQUE (")) &&
                   body.find("DEFERRABLE") == std::string::npos) {
            // The index is built without blocking writes; the constraint then adopts it.
            const ObjectKey index{"index", identity_parent(parent.identity) + "." + name};
            std::string def = to_.get(index, "definition");
            if (def.empty() || def.find(" INDEX ") == std::string::npos) {
                add(Build, c, alter + " ADD CONSTRAINT " + name + " " + body + ";");
            } else {
                def.replace(def.find(" INDEX "), 7, " INDEX CONCURRENTLY ");
                add(Build, c, def + ";");
                add(Build, c, alter + " ADD CONSTRAINT " + name + " " +
                                  (type == "primary key" ? "PRIMARY KEY" : "UNIQUE") + " USING INDEX " + name + ";");
            }
        } else {
            if (type == "exclusion" && existing)
                hazard(Build, c, "the exclusion constraint " + c.identity +
                                     " builds its index under an ACCESS EXCLUSIVE lock");
            else if (existing && online_)
                hazard(Build, c, "the constraint " + c.identity + " builds its index under a lock that blocks writes");
            add(Build, c, alter + " ADD CONSTRAINT " + name + " " + body + ";");
        }
        describe(c, nullptr, *to_.find(c));
        const auto index = constraint_index(c);
        if (index)
            describe(*index, nullptr, *to_.find(*index));
    }

    std::optional<ObjectKey> constraint_index(const ObjectKey& c) {
        const ObjectKey parent = parent_of(to_, c);
        const ObjectKey index{"index", identity_parent(parent.identity) + "." + identity_name(c.identity)};
        if (to_.find(index) && constraint_of_index(to_, index))
            return index;
        return std::nullopt;
    }

    void drop_constraint(const ObjectKey& c, Phase phase) {
        const ObjectKey parent = parent_of(from_, c);
        const std::string type = from_.get(c, "type");
        if (type == "trigger" || type == "other") {
            not_generated(c, "constraints of type " + type + " are not dropped by the generator");
            return;
        }
        add(phase, c, std::string(parent.kind == "type" ? "ALTER DOMAIN " : "ALTER TABLE ") +
                          parent.identity + " DROP CONSTRAINT " + identity_name(c.identity) + ";");
    }

    // ---- indexes ----------------------------------------------------------------------------
    void create_index(const ObjectKey& index) {
        std::string def = to_.get(index, "definition");
        const ObjectKey table = parent_of(to_, index);
        if (to_.get(index, "valid") == "false")
            hazard(Build, index, "the index " + index.identity + " is INVALID in the desired schema; it is built valid");
        // Built on a partitioned table, the index cascades to the partitions.
        boost::algorithm::replace_first(def, " ON ONLY ", " ON ");
        const bool concurrent = online_ && !table_is_new(table) && table.kind == "table" &&
                                !partitioned(to_, table.identity) && def.find(" INDEX ") != std::string::npos;
        if (concurrent)
            def.replace(def.find(" INDEX "), 7, " INDEX CONCURRENTLY ");
        add(Build, index, def + ";");
        index_settings(index, nullptr);
        describe(index, nullptr, *to_.find(index));
    }

    void index_settings(const ObjectKey& index, const ObjectAttributes* before) {
        const ObjectKey table = parent_of(to_, index);
        const auto was = [&](const char* a) {
            if (!before) return std::string();
            const auto it = before->find(a);
            return it == before->end() ? std::string() : it->second;
        };
        const std::string name = identity_name(index.identity);
        if (to_.get(index, "clustered") != was("clustered"))
            add(Build, index, "ALTER TABLE " + table.identity +
                                  (to_.get(index, "clustered") == "true" ? " CLUSTER ON " + name : " SET WITHOUT CLUSTER") + ";");
        if (to_.get(index, "replica_identity") != was("replica_identity") && to_.get(index, "replica_identity") == "true")
            add(Build, index, "ALTER TABLE " + table.identity + " REPLICA IDENTITY USING INDEX " + name + ";");
    }

    void drop_index(const ObjectKey& index, Phase phase) {
        const ObjectKey table = parent_of(from_, index);
        const bool concurrent = online_ && table.kind == "table" && !partitioned(from_, table.identity) &&
                                to_.find(table) != nullptr;
        add(phase, index, std::string("DROP INDEX ") + (concurrent ? "CONCURRENTLY " : "") + index.identity + ";");
    }

    // ---- other kinds ------------------------------------------------------------------------
    void create_sequence(const ObjectKey& s) {
        const SchemaModel& m = to_;
        std::string sql = std::string("CREATE ") + (m.get(s, "persistence") == "unlogged" ? "UNLOGGED " : "") +
                          "SEQUENCE " + s.identity;
        const auto put = [&](const char* attr, const char* clause) {
            const std::string v = m.get(s, attr);
            if (!v.empty())
                sql += std::string(" ") + clause + " " + v;
        };
        put("type", "AS");
        put("start", "START WITH");
        put("increment", "INCREMENT BY");
        put("min", "MINVALUE");
        put("max", "MAXVALUE");
        put("cache", "CACHE");
        sql += m.get(s, "cycle") == "true" ? " CYCLE" : " NO CYCLE";
        add(Build, s, sql + ";");
        const std::string owned = m.get(s, "owned_by");
        if (!owned.empty())
            add(Build, {"column", owned}, "ALTER SEQUENCE " + s.identity + " OWNED BY " + owned + ";");
        describe(s, nullptr, *m.find(s));
    }

    void alter_sequence(const ObjectKey& s) {
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

    void create_view(const ObjectKey& v) {
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

    static std::string function_head(const std::string& definition) {
        // The signature line and the RETURNS line: what CREATE OR REPLACE cannot change.
        std::vector<std::string> lines;
        boost::algorithm::split(lines, definition, [](char c) { return c == '\n'; });
        std::string head = lines.empty() ? std::string() : lines[0];
        if (lines.size() > 1 && starts_with(lines[1], " RETURNS "))
            head += "\n" + lines[1];
        return head;
    }

    void create_function(const ObjectKey& f) {
        add(Build, f, statement(to_.get(f, "definition")));
        describe(f, nullptr, *to_.find(f));
    }

    std::string policy_sql(const ObjectKey& p) {
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

    void create_statistics(const ObjectKey& s) {
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

    void create_type(const ObjectKey& t) {
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

    void alter_type(const ObjectKey& t) {
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

    // ---- deciding ---------------------------------------------------------------------------
    // Objects that cannot change in place: dropped and created again.
    bool needs_replace(const ObjectKey& k) {
        const auto differs = [&](const char* a) { return from_.get(k, a) != to_.get(k, a); };
        if (k.kind == "index")
            return differs("definition");
        if (k.kind == "constraint")
            return differs("definition") || differs("type") ||
                   (from_.get(k, "validated") == "true" && to_.get(k, "validated") == "false");
        if (k.kind == "view")
            return differs("definition") || differs("kind") || differs("options");
        if (k.kind == "trigger" || k.kind == "rule")
            return differs("definition");
        if (k.kind == "policy")
            return differs("permissive") || differs("roles") || differs("command") || differs("using") ||
                   differs("with_check");
        if (k.kind == "sequence")
            return is_identity_sequence(from_, k) != is_identity_sequence(to_, k);
        if (k.kind == "statistics")
            return differs("kinds") || differs("columns") || differs("expressions") || differs("table");
        if (k.kind == "function")
            return differs("kind") || function_head(from_.get(k, "definition")) != function_head(to_.get(k, "definition"));
        if (k.kind == "type")
            return differs("kind") ||
                   (to_.get(k, "kind") == "domain" && (differs("base_type") || differs("collation")));
        return false;
    }

    void create(const ObjectKey& k) {
        if (k.kind == "schema") {
            add(Build, k, "CREATE SCHEMA " + k.identity + ";");
            describe(k, nullptr, *to_.find(k));
        } else if (k.kind == "extension") {
            std::string sql = "CREATE EXTENSION IF NOT EXISTS " + k.identity;
            if (!to_.get(k, "schema").empty())
                sql += " WITH SCHEMA " + quote_name(to_.get(k, "schema"));
            if (!to_.get(k, "version").empty())
                sql += " VERSION " + sql_literal(to_.get(k, "version"));
            add(Build, k, sql + ";");
            describe(k, nullptr, *to_.find(k));
        } else if (k.kind == "table") {
            create_table(k);
        } else if (k.kind == "column") {
            const ObjectKey parent = parent_of(to_, k);
            if (parent.kind == "table")
                add_column(k);
            else if (parent.kind == "type")
                add(Build, k, "ALTER TYPE " + parent.identity + " ADD ATTRIBUTE " + identity_name(k.identity) + " " +
                                  to_.get(k, "type") + collate_clause(to_, k) + ";");
            // a view's columns come with the view
        } else if (k.kind == "constraint") {
            create_constraint(k);
        } else if (k.kind == "index") {
            create_index(k);
        } else if (k.kind == "sequence") {
            create_sequence(k);
        } else if (k.kind == "view") {
            create_view(k);
        } else if (k.kind == "function") {
            create_function(k);
        } else if (k.kind == "aggregate") {
            not_generated(k, "aggregates are not generated: write CREATE AGGREGATE by hand");
        } else if (k.kind == "trigger") {
            add(Build, k, statement(to_.get(k, "definition")));
            trigger_state(k, "origin");
            describe(k, nullptr, *to_.find(k));
        } else if (k.kind == "policy") {
            add(Build, k, policy_sql(k));
            describe(k, nullptr, *to_.find(k));
        } else if (k.kind == "rule") {
            add(Build, k, statement(to_.get(k, "definition")));
            describe(k, nullptr, *to_.find(k));
        } else if (k.kind == "statistics") {
            create_statistics(k);
        } else if (k.kind == "type") {
            create_type(k);
        } else {
            not_generated(k, "objects of kind " + k.kind + " are not generated");
        }
    }

    static std::string quote_name(const std::string& name) {
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

    void trigger_state(const ObjectKey& k, const std::string& before) {
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

    void alter(const ObjectKey& k) {
        const ObjectAttributes* a = from_.find(k);
        const ObjectAttributes& b = *to_.find(k);
        if (k.kind == "table") return alter_table(k);
        if (k.kind == "column") {
            const ObjectKey parent = parent_of(to_, k);
            if (parent.kind == "table")
                return alter_column(k);
            if (parent.kind == "type" && (from_.get(k, "type") != to_.get(k, "type") ||
                                          from_.get(k, "collation") != to_.get(k, "collation")))
                add(Build, k, "ALTER TYPE " + parent.identity + " ALTER ATTRIBUTE " + identity_name(k.identity) +
                                  " TYPE " + to_.get(k, "type") + collate_clause(to_, k) + ";");
            return describe(k, a, b);
        }
        if (k.kind == "sequence") return alter_sequence(k);
        if (k.kind == "type") return alter_type(k);
        if (k.kind == "constraint") {
            if (from_.get(k, "validated") == "false" && to_.get(k, "validated") == "true") {
                const ObjectKey parent = parent_of(to_, k);
                add(Build, k, std::string(parent.kind == "type" ? "ALTER DOMAIN " : "ALTER TABLE ") +
                                  parent.identity + " VALIDATE CONSTRAINT " + identity_name(k.identity) + ";");
            }
            return describe(k, a, b);
        }
        if (k.kind == "index") {
            index_settings(k, a);
            return describe(k, a, b);
        }
        if (k.kind == "function") {
            if (from_.get(k, "definition") != to_.get(k, "definition"))
                add(Build, k, statement(to_.get(k, "definition")));
            return describe(k, a, b);
        }
        if (k.kind == "trigger") {
            trigger_state(k, from_.get(k, "enabled").empty() ? "origin" : from_.get(k, "enabled"));
            return describe(k, a, b);
        }
        if (k.kind == "statistics") {
            if (from_.get(k, "target") != to_.get(k, "target"))
                add(Build, k, "ALTER STATISTICS " + k.identity + " SET STATISTICS " +
                                  (to_.get(k, "target").empty() ? std::string("-1") : to_.get(k, "target")) + ";");
            return describe(k, a, b);
        }
        if (k.kind == "extension") {
            if (from_.get(k, "version") != to_.get(k, "version") && !to_.get(k, "version").empty())
                add(Build, k, "ALTER EXTENSION " + k.identity + " UPDATE TO " + sql_literal(to_.get(k, "version")) + ";");
            if (from_.get(k, "schema") != to_.get(k, "schema") && !to_.get(k, "schema").empty())
                add(Build, k, "ALTER EXTENSION " + k.identity + " SET SCHEMA " + quote_name(to_.get(k, "schema")) + ";");
            return describe(k, a, b);
        }
        if (k.kind == "aggregate") {
            for (const auto& [attribute, value] : b)
                if (attribute != "comment" && attribute != "acl" && from_.get(k, attribute) != value) {
                    not_generated(k, "a change of an aggregate's " + attribute + " is not generated");
                    break;
                }
            return describe(k, a, b);
        }
        describe(k, a, b);
    }

    void drop(const ObjectKey& k, Phase phase) {
        const std::string& id = k.identity;
        if (k.kind == "schema") add(phase, k, "DROP SCHEMA " + id + ";");
        else if (k.kind == "extension") add(phase, k, "DROP EXTENSION " + id + ";");
        else if (k.kind == "table") {
            if (!replaced_.count(k))
                hazard(phase, k, "destructive: drops the table " + id + " and its rows; if it was renamed, "
                                 "generate again with --rename " + id + "=<new name>");
            add(phase, k, (from_.get(k, "kind") == "foreign table" ? "DROP FOREIGN TABLE " : "DROP TABLE ") + id + ";");
        } else if (k.kind == "column") {
            const ObjectKey parent = parent_of(from_, k);
            if (parent.kind == "table") {
                hazard(phase, k, "destructive: drops the column " + id + " and its values; if it was renamed, "
                                 "generate again with --rename " + id + "=<new name>");
                add(phase, k, "ALTER TABLE " + parent.identity + " DROP COLUMN " + identity_name(id) + ";");
            } else if (parent.kind == "type") {
                add(phase, k, "ALTER TYPE " + parent.identity + " DROP ATTRIBUTE " + identity_name(id) + ";");
            }
        } else if (k.kind == "constraint") drop_constraint(k, phase);
        else if (k.kind == "index") drop_index(k, phase);
        else if (k.kind == "sequence") {
            // The defaults still using it go first (a serial column that becomes an identity).
            for (const auto& [dependent, referenced] : from_.depends_on)
                if (replaced_.count(k) && dependent.kind == "column" && referenced.count(k) && to_.find(dependent) &&
                    !from_.get(dependent, "default").empty() && parent_of(from_, dependent).kind == "table" &&
                    !dropped_.count(parent_of(from_, dependent)))
                    add(phase, k, "ALTER TABLE " + identity_parent(dependent.identity) + " ALTER COLUMN " +
                                      identity_name(dependent.identity) + " DROP DEFAULT;");
            add(phase, k, "DROP SEQUENCE " + id + ";");
        }
        else if (k.kind == "view")
            add(phase, k, (from_.get(k, "kind") == "materialized view" ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") + id + ";");
        else if (k.kind == "function")
            add(phase, k, (from_.get(k, "kind") == "procedure" ? "DROP PROCEDURE " : "DROP FUNCTION ") + id + ";");
        else if (k.kind == "aggregate") add(phase, k, "DROP AGGREGATE " + id + ";");
        else if (k.kind == "trigger" || k.kind == "policy" || k.kind == "rule")
            add(phase, k, "DROP " + std::string(k.kind == "trigger" ? "TRIGGER " : k.kind == "policy" ? "POLICY " : "RULE ") +
                              identity_name(id) + " ON " + identity_parent(id) + ";");
        else if (k.kind == "statistics") add(phase, k, "DROP STATISTICS " + id + ";");
        else if (k.kind == "type")
            add(phase, k, (from_.get(k, "kind") == "domain" ? "DROP DOMAIN " : "DROP TYPE ") + id + ";");
        else
            not_generated(k, "objects of kind " + k.kind + " are not dropped by the generator");
    }

    // The object a step on `key` is ordered with in `m`: a column of a table built in this
    // script is ordered with the table, a view's column with the view, an index of a
    // constraint with the constraint.
    ObjectKey node_of(const SchemaModel& m, const ObjectKey& key, const std::set<ObjectKey>& built) {
        ObjectKey k = key;
        for (int depth = 0; depth < 8; ++depth) {
            if (!built_with_owner(m, k))
                return k;
            const auto owner = owner_of(m, k);
            if (!owner || owner->kind.empty())
                return k;
            if (k.kind == "column" && owner->kind == "table" && !built.count(*owner))
                return k;
            k = *owner;
        }
        return k;
    }

    std::vector<ObjectKey> ordered(const SchemaModel& m, const std::set<ObjectKey>& anchors,
                                   const std::set<ObjectKey>& built, bool reverse);
};

std::vector<ObjectKey> Writer::ordered(const SchemaModel& m, const std::set<ObjectKey>& anchors,
                                       const std::set<ObjectKey>& built, bool reverse) {
    std::map<ObjectKey, std::set<ObjectKey>> edges;
    // An object with no step of its own (a foreign key dropped with its table) passes its
    // dependencies on to the nearest owner that has one.
    const auto placed = [&](const ObjectKey& key) {
        ObjectKey k = node_of(m, key, built);
        for (int depth = 0; depth < 8 && !anchors.count(k); ++depth) {
            const auto owner = owner_of(m, k);
            if (!owner || owner->kind.empty())
                break;
            k = node_of(m, *owner, built);
        }
        return k;
    };
    const auto link = [&](const ObjectKey& dependent, const ObjectKey& referenced) {
        const ObjectKey a = placed(dependent), b = placed(referenced);
        if (a == b || !anchors.count(a) || !anchors.count(b))
            return;
        if (reverse)
            edges[b].insert(a);
        else
            edges[a].insert(b);
    };
    for (const auto& [dependent, referenced] : m.depends_on)
        for (const auto& r : referenced)
            link(dependent, r);
    // A part follows its owner even when no dependency was recorded (no server at hand).
    for (const auto& k : anchors)
        if (const auto owner = owner_of(m, k); owner && !owner->kind.empty())
            link(k, *owner);
    const auto rank = [&](const ObjectKey& k) {
        int r = kind_rank(k.kind) * 2;
        if (k.kind == "constraint" && m.get(k, "type") == "foreign key")
            r += 1;  // after the keys they reference, when nothing else tells
        return reverse ? -r : r;
    };
    return dependency_order(anchors, edges, rank);
}

DirectionScript Writer::write(const std::vector<std::pair<std::string, std::string>>& renames) {
    for (const auto& [old_name, new_name] : renames) {
        const bool column = identity_parts(old_name).size() == 3;
        const ObjectKey to_key{column ? "column" : "table", new_name};
        {
            if (column)
                add(Rename, to_key, "ALTER TABLE " + identity_parent(old_name) + " RENAME COLUMN " +
                                        identity_name(old_name) + " TO " + identity_name(new_name) + ";");
            else
                add(Rename, to_key, "ALTER TABLE " + old_name + " RENAME TO " + identity_name(new_name) + ";");
        }
    }

    std::set<ObjectKey> all;
    for (const auto& [k, a] : from_.objects) all.insert(k);
    for (const auto& [k, a] : to_.objects) all.insert(k);

    std::set<ObjectKey> removed, added, common;
    for (const auto& k : all) {
        const bool in_from = from_.find(k) != nullptr, in_to = to_.find(k) != nullptr;
        if (in_from && in_to) {
            if (*from_.find(k) != *to_.find(k) && !from_.implied_by.count(k) && !to_.implied_by.count(k))
                common.insert(k);
            if (!from_.implied_by.count(k) && !to_.implied_by.count(k) && needs_replace(k))
                replaced_.insert(k);
        } else if (in_from) {
            if (!from_.implied_by.count(k))
                removed.insert(k);
        } else if (!to_.implied_by.count(k)) {
            added.insert(k);
        }
    }
    // A column whose type changes takes the views, policies, rules and triggers using it
    // with it: PostgreSQL refuses to change the type under them.
    std::set<ObjectKey> retyped;
    for (const auto& k : common)
        if (k.kind == "column" && from_.get(k, "type") != to_.get(k, "type"))
            retyped.insert(k);
    for (const auto& k : common) {
        if (k.kind != "type" || from_.get(k, "kind") != "enum" || to_.get(k, "kind") != "enum")
            continue;
        try {
            if (enum_extends(enum_values(from_, k), enum_values(to_, k)))
                continue;
        } catch (const std::invalid_argument&) {
            continue;  // named where the type is altered
        }
        if (const auto users = enum_users(k)) {
            enum_rebuilds_[k] = *users;
            retyped.insert(users->begin(), users->end());
        }
    }
    // What depends on a replaced object is replaced too, as far as it is still wanted.
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [dependent, referenced] : from_.depends_on) {
            if (replaced_.count(dependent) || !to_.find(dependent) || from_.implied_by.count(dependent) ||
                to_.implied_by.count(dependent))
                continue;
            static const std::set<std::string> rebuildable = {"view", "rule", "policy", "trigger",
                                                              "constraint", "index", "function"};
            if (!rebuildable.count(dependent.kind))
                continue;
            for (const auto& r : referenced)
                if (replaced_.count(r) || (retyped.count(r) && dependent.kind != "constraint" &&
                                           dependent.kind != "index" && dependent.kind != "function")) {
                    replaced_.insert(dependent);
                    grew = true;
                    break;
                }
        }
    }
    for (const auto& k : replaced_)
        common.erase(k);

    // Drops: what is gone, and what is built anew.
    std::set<ObjectKey> gone = removed;
    gone.insert(replaced_.begin(), replaced_.end());
    dropped_ = gone;
    created_ = added;
    created_.insert(replaced_.begin(), replaced_.end());

    for (const auto& k : gone) {
        if (in_any(gone, from_, k))
            continue;  // goes with its owner
        if (built_with_owner(from_, k) && k.kind != "column")
            continue;
        if (k.kind == "column" && parent_of(from_, k).kind == "view")
            continue;
        // Waits for the changes of what still depends on it (a default using a sequence).
        // An extension's members are not in the schema model: what uses them is not known
        // here, so the extension goes last.
        bool waits = k.kind == "extension";
        if (!replaced_.count(k) && !waits)
            for (const auto& [dependent, referenced] : from_.depends_on)
                if (referenced.count(k) && to_.find(dependent) && !gone.count(dependent) &&
                    !in_any(gone, from_, dependent)) {
                    waits = true;
                    break;
                }
        drop(k, waits ? LateDrop : Drop);
    }
    for (const auto& k : created_) {
        if (in_any(created_, to_, k) && built_with_owner(to_, k))
            continue;
        if (k.kind == "column" && parent_of(to_, k).kind != "table" && in_any(created_, to_, k))
            continue;
        if (k.kind == "column" && parent_of(to_, k).kind == "view")
            continue;
        if (is_identity_sequence(to_, k)) {
            // Comes with its column; its comment and grants after it.
            describe(k, nullptr, *to_.find(k));
            continue;
        }
        if (k.kind == "index" && constraint_of_index(to_, k))
            continue;  // built by its constraint
        create(k);
    }
    for (const auto& k : common)
        alter(k);

    // Order: each phase by dependencies.
    std::string script;
    std::map<int, std::set<ObjectKey>> anchors;
    for (const auto& s : steps_)
        anchors[s.phase].insert(s.anchor);
    for (const auto& [phase, comment] : pending_comment_)
        anchors[phase.first].insert(phase.second);
    for (int phase = Rename; phase <= LateDrop; ++phase) {
        const bool drop_phase = phase == Release || phase == Drop || phase == LateDrop;
        const SchemaModel& m = drop_phase ? from_ : to_;
        std::set<ObjectKey> nodes;
        std::map<ObjectKey, ObjectKey> node_for;
        for (const auto& a : anchors[phase]) {
            const ObjectKey n = node_of(m, a, drop_phase ? dropped_ : created_);
            node_for[a] = n;
            nodes.insert(n);
        }
        const auto order = ordered(m, nodes, drop_phase ? dropped_ : created_, drop_phase);
        std::map<ObjectKey, std::size_t> position;
        for (std::size_t i = 0; i < order.size(); ++i)
            position[order[i]] = i;
        // (node position, a part's step after the node's own, step index)
        std::vector<std::tuple<std::size_t, bool, std::size_t>> placed;
        for (std::size_t i = 0; i < steps_.size(); ++i)
            if (steps_[i].phase == phase) {
                const ObjectKey& node = node_for[steps_[i].anchor];
                if (phase == Rename)  // in the order given: a table before its columns
                    placed.emplace_back(0, false, i);
                else
                    placed.emplace_back(position[node], steps_[i].anchor != node, i);
            }
        std::sort(placed.begin(), placed.end());
        std::set<ObjectKey> commented;
        for (const auto& [pos, part, i] : placed) {
            const Step& s = steps_[i];
            std::string text;
            if (commented.insert(s.anchor).second) {
                const auto c = pending_comment_.find({phase, s.anchor});
                if (c != pending_comment_.end())
                    text += c->second;
            }
            out_.statements.push_back(text + s.sql);
        }
        // Hazards noted where no statement followed (a comment only).
        for (const auto& [where, comment] : pending_comment_)
            if (where.first == phase && !commented.count(where.second))
                out_.statements.push_back(strip_semicolon(comment));
    }
    return out_;
}

std::string header(const GenerateOptions& options, const char* direction, const DirectionScript& script) {
    std::string h = "-- " + std::string(direction) + ", generated by migrations_schema";
    if (!options.source.empty())
        h += " from " + options.source;
    h += "\n";
    if (!options.source_hash.empty())
        h += "-- desired schema sha256: " + options.source_hash + "\n";
    if (!script.hazards.empty())
        h += "-- hazards: " + std::to_string(script.hazards.size()) + ", named above their statements\n";
    if (!script.not_generated.empty())
        h += "-- not generated: " + std::to_string(script.not_generated.size()) + ", named where they belong\n";
    if (!options.lock_timeout.empty() && !script.statements.empty())
        h += "SET lock_timeout = " + sql_literal(options.lock_timeout) + ";\n";
    if (!script.statements.empty())
        // Function bodies are checked when they run, as pg_dump does: a body may name a
        // table built later in the script.
        h += "SET check_function_bodies = off;\n";
    return h;
}

std::string assemble(const GenerateOptions& options, const char* direction, const DirectionScript& script) {
    std::string text = header(options, direction, script);
    for (const auto& s : script.statements)
        text += "\n" + s + "\n";
    return text;
}

}  // namespace

namespace {

// `m` with the renamed tables and columns under their new names, and everything that names
// them (their columns, constraints, indexes, sequences' owners) along.
SchemaModel renamed(const SchemaModel& m, const std::vector<std::pair<std::string, std::string>>& renames) {
    if (renames.empty())
        return m;
    const auto rename_identity = [&](const std::string& identity) {
        for (const auto& [o, n] : renames) {
            if (identity == o)
                return n;
            if (identity_parent(identity) == o && !identity_parent(identity).empty())
                return n + "." + identity_name(identity);
        }
        return identity;
    };
    const auto rename_key = [&](const ObjectKey& k) {
        if (k.kind == "table" || k.kind == "column" || k.kind == "constraint" || k.kind == "trigger" ||
            k.kind == "policy" || k.kind == "rule")
            return ObjectKey{k.kind, rename_identity(k.identity)};
        return k;
    };
    SchemaModel out;
    for (const auto& [k, attributes] : m.objects) {
        ObjectAttributes a = attributes;
        for (const char* name : {"table", "owned_by", "inherits"})
            if (const auto it = a.find(name); it != a.end())
                it->second = rename_identity(it->second);
        out.objects[rename_key(k)] = std::move(a);
    }
    for (const auto& [d, refs] : m.depends_on)
        for (const auto& r : refs)
            out.depends_on[rename_key(d)].insert(rename_key(r));
    for (const auto& [c, p] : m.positions)
        out.positions[rename_identity(c)] = p;
    for (const auto& [k, owner] : m.implied_by)
        out.implied_by[rename_key(k)] = rename_key(owner);
    return out;
}

}  // namespace

DirectionScript write_direction(const SchemaModel& from, const SchemaModel& to, bool online,
                                const std::vector<std::pair<std::string, std::string>>& renames,
                                bool undo_renames) {
    // One after the other: a column of a renamed table is named under the table's new name.
    // The side with the old names is `from` going up, `to` coming down; it is compared under
    // the new names.
    std::vector<std::pair<std::string, std::string>> applicable;
    SchemaModel old_side = undo_renames ? to : from;
    const SchemaModel& new_side = undo_renames ? from : to;
    for (const auto& [o, n] : renames) {
        const char* kind = identity_parts(o).size() == 3 ? "column" : "table";
        if (old_side.find({kind, o}) && new_side.find({kind, n}) && !old_side.find({kind, n})) {
            applicable.push_back({o, n});
            old_side = renamed(old_side, {{o, n}});
        }
    }
    if (!undo_renames) {
        Writer writer(old_side, to, online);
        return writer.write(applicable);
    }
    // Coming down, the renames run backwards, last first.
    std::vector<std::pair<std::string, std::string>> back;
    for (auto it = applicable.rbegin(); it != applicable.rend(); ++it)
        back.push_back({it->second, it->first});
    Writer writer(from, old_side, online);
    return writer.write(back);
}

GeneratedMigration generate_migration(const SchemaModel& live, const SchemaModel& desired,
                                      const GenerateOptions& options) {
    // A rename is applied to the side that has the old name, so that the rest compares
    // objects under one name.
    const DirectionScript up = write_direction(live, desired, options.online, options.renames);
    const DirectionScript down = write_direction(desired, live, options.online, options.renames, true);
    GeneratedMigration g;
    g.up = assemble(options, "up", up);
    g.down = assemble(options, "down", down);
    g.hazards = up.hazards;
    for (const auto& h : down.hazards)
        g.hazards.push_back("down: " + h);
    g.not_generated = up.not_generated;
    for (const auto& n : down.not_generated)
        g.not_generated.push_back("down: " + n);
    g.empty = up.statements.empty() && down.statements.empty();
    return g;
}

}  // namespace ms::core
