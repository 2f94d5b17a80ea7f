#include "core/schema/migration_writer.hpp"

#include "core/schema/migration_writer_impl.hpp"

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

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace writer {

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

ObjectKey Writer::parent_of(const SchemaModel& m, const ObjectKey& key) {
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

std::optional<ObjectKey> Writer::constraint_of_index(const SchemaModel& m, const ObjectKey& index) {
    if (index.kind != "index")
        return std::nullopt;
    const ObjectKey c{"constraint", m.get(index, "table") + "." + identity_name(index.identity)};
    const std::string type = m.get(c, "type");
    if (type == "primary key" || type == "unique" || type == "exclusion")
        return c;
    return std::nullopt;
}

std::optional<ObjectKey> Writer::owner_of(const SchemaModel& m, const ObjectKey& key) {
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

bool Writer::is_identity_sequence(const SchemaModel& m, const ObjectKey& key) {
    if (key.kind != "sequence")
        return false;
    const std::string owned = m.get(key, "owned_by");
    return !owned.empty() && !m.get({"column", owned}, "identity").empty();
}

bool Writer::built_with_owner(const SchemaModel& m, const ObjectKey& key) {
    if (m.implied_by.count(key))
        return true;
    if (key.kind == "column")
        return true;  // columns have their own ADD COLUMN when their table stays
    if (key.kind == "index" && constraint_of_index(m, key))
        return true;
    return is_identity_sequence(m, key);
}

bool Writer::in_any(const std::set<ObjectKey>& set, const SchemaModel& m, ObjectKey key) {
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

bool Writer::table_is_new(const ObjectKey& table) const {
    return created_.count(table) > 0 || from_.find(table) == nullptr;
}

bool Writer::partitioned(const SchemaModel& m, const std::string& table) const {
    return m.get({"table", table}, "kind") == "partitioned table";
}

void Writer::add(Phase phase, const ObjectKey& anchor, const std::string& sql) {
    steps_.push_back({phase, anchor, sql});
}

void Writer::hazard(Phase phase, const ObjectKey& anchor, const std::string& text) {
    out_.hazards.push_back(text);
    pending_comment_[{phase, anchor}] += comment_line("hazard: " + text);
}

void Writer::not_generated(const ObjectKey& anchor, const std::string& text) {
    out_.not_generated.push_back(anchor.kind + " " + anchor.identity + ": " + text);
    add(Build, anchor, comment_line("not generated: " + anchor.kind + " " + anchor.identity +
                                    ": " + text));
}

bool Writer::needs_replace(const ObjectKey& k) {
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

void Writer::create(const ObjectKey& k) {
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

void Writer::alter(const ObjectKey& k) {
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

void Writer::drop(const ObjectKey& k, Phase phase) {
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

ObjectKey Writer::node_of(const SchemaModel& m, const ObjectKey& key, const std::set<ObjectKey>& built) {
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
                // A view reads the columns of the views it is built on: the server records
                // those, and a replaced view takes its columns with it.
                if (replaced_.count(r) || (r.kind == "column" && replaced_.count(parent_of(from_, r))) ||
                    (retyped.count(r) && dependent.kind != "constraint" &&
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
    // A new enum value used by the same script (a default, a check) fails when it runs:
    // "unsafe use of new value". That takes a migration of its own first.
    for (const auto& [type, value] : added_enum_values_) {
        const std::string literal = sql_literal(value) + "::" + type.identity;
        for (const auto& step : steps_)
            if (step.sql.find(literal) != std::string::npos) {
                not_generated(type, "the new value " + sql_literal(value) + " is used in this same script, "
                                    "which PostgreSQL refuses before the ADD VALUE commits: add the value "
                                    "in a migration of its own first (generate again after applying it)");
                break;
            }
    }

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

}  // namespace writer

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
                                bool undo_renames, const std::string& table_owner_privileges) {
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
        writer::Writer writer(old_side, to, online, table_owner_privileges);
        return writer.write(applicable);
    }
    // Coming down, the renames run backwards, last first.
    std::vector<std::pair<std::string, std::string>> back;
    for (auto it = applicable.rbegin(); it != applicable.rend(); ++it)
        back.push_back({it->second, it->first});
    writer::Writer writer(from, old_side, online, table_owner_privileges);
    return writer.write(back);
}

GeneratedMigration generate_migration(const SchemaModel& live, const SchemaModel& desired,
                                      const GenerateOptions& options) {
    // A rename is applied to the side that has the old name, so that the rest compares
    // objects under one name.
    const DirectionScript up = write_direction(live, desired, options.online, options.renames, false,
                                               options.table_owner_privileges);
    const DirectionScript down = write_direction(desired, live, options.online, options.renames, true,
                                                 options.table_owner_privileges);
    GeneratedMigration g;
    g.up = writer::assemble(options, "up", up);
    g.down = writer::assemble(options, "down", down);
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
