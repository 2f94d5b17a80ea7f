// Tables, columns, constraints and indexes: created, changed and dropped, online-safe.
#include "core/schema/migration_writer_impl.hpp"

#include <boost/algorithm/string/replace.hpp>

#include <algorithm>
#include <stdexcept>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core::writer {

std::string Writer::sequence_options(const SchemaModel& m, const ObjectKey& sequence) {
    std::string o;
    for (const auto& [attr, clause] : {std::pair{"start", "START WITH"}, {"increment", "INCREMENT BY"},
                                       {"min", "MINVALUE"}, {"max", "MAXVALUE"}, {"cache", "CACHE"}}) {
        const std::string v = m.get(sequence, attr);
        if (!v.empty())
            o += std::string(" ") + clause + " " + v;
    }
    return o + (m.get(sequence, "cycle") == "true" ? " CYCLE" : " NO CYCLE");
}

std::string Writer::identity_options(const SchemaModel& m, const ObjectKey& column) {
    for (const auto& [key, attrs] : m.objects) {
        if (key.kind != "sequence" || m.get(key, "owned_by") != column.identity)
            continue;
        const std::string o = "SEQUENCE NAME " + key.identity + sequence_options(m, key);
        return " (" + o + ")";
    }
    return {};
}

std::string Writer::collate_clause(const SchemaModel& m, const ObjectKey& column) {
    const std::string c = m.get(column, "collation");
    return c.empty() ? std::string() : " COLLATE " + c;
}

std::string Writer::column_definition(const ObjectKey& column, bool with_not_null) {
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

void Writer::column_settings(const ObjectKey& column, const ObjectAttributes* before) {
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

std::string Writer::type_storage(const std::string& type) {
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

void Writer::set_not_null_online(const ObjectKey& column) {
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

bool Writer::cheap_type_change(const std::string& a, const std::string& b) {
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

void Writer::add_column(const ObjectKey& column) {
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

void Writer::alter_column(const ObjectKey& column) {
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

std::vector<ObjectKey> Writer::columns_of(const SchemaModel& m, const std::string& parent) {
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

void Writer::create_table(const ObjectKey& table) {
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

void Writer::table_settings(const ObjectKey& table, const ObjectAttributes* before) {
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

void Writer::alter_table(const ObjectKey& table) {
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

std::string Writer::constraint_body(const std::string& definition) {
    std::string d = definition;
    if (ends_with(d, " NOT VALID"))
        d.resize(d.size() - 10);
    return d;
}

void Writer::create_constraint(const ObjectKey& c) {
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

std::optional<ObjectKey> Writer::constraint_index(const ObjectKey& c) {
    const ObjectKey parent = parent_of(to_, c);
    const ObjectKey index{"index", identity_parent(parent.identity) + "." + identity_name(c.identity)};
    if (to_.find(index) && constraint_of_index(to_, index))
        return index;
    return std::nullopt;
}

void Writer::drop_constraint(const ObjectKey& c, Phase phase) {
    const ObjectKey parent = parent_of(from_, c);
    const std::string type = from_.get(c, "type");
    if (type == "trigger" || type == "other") {
        not_generated(c, "constraints of type " + type + " are not dropped by the generator");
        return;
    }
    add(phase, c, std::string(parent.kind == "type" ? "ALTER DOMAIN " : "ALTER TABLE ") +
                      parent.identity + " DROP CONSTRAINT " + identity_name(c.identity) + ";");
}

void Writer::create_index(const ObjectKey& index) {
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

void Writer::index_settings(const ObjectKey& index, const ObjectAttributes* before) {
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

void Writer::drop_index(const ObjectKey& index, Phase phase) {
    const ObjectKey table = parent_of(from_, index);
    const bool concurrent = online_ && table.kind == "table" && !partitioned(from_, table.identity) &&
                            to_.find(table) != nullptr;
    add(phase, index, std::string("DROP INDEX ") + (concurrent ? "CONCURRENTLY " : "") + index.identity + ";");
}

}  // namespace ms::core::writer
