#include "pg/schema/expected_state.hpp"

#include "pg/base/activity.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/index_lookups.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/catalog_marker.hpp"
#include "pg/schema/fingerprint.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "tcop/deparse_utility.h"
#include "utils/aclchk_internal.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <map>
#include <string>

namespace ms::pg {

namespace {

struct Address {
    Oid classid;
    Oid objid;
    int objsubid;
};

// GRANT and REVOKE reach the event trigger without an address; the collected command
// carries the objects.
Oid grant_catalog(ObjectType type) {
    switch (type) {
    case OBJECT_TABLE:
    case OBJECT_SEQUENCE:
        return RelationRelationId;
    case OBJECT_FUNCTION:
    case OBJECT_PROCEDURE:
    case OBJECT_ROUTINE:
        return ProcedureRelationId;
    case OBJECT_SCHEMA:
        return NamespaceRelationId;
    case OBJECT_TYPE:
    case OBJECT_DOMAIN:
        return TypeRelationId;
    default:
        return InvalidOid;
    }
}

void add_address(std::vector<Address>* out, Oid classid, Oid objid, int objsubid) {
    if (OidIsValid(classid) && OidIsValid(objid))
        out->push_back({classid, objid, objsubid});
}

// What the command's collected form says beyond its own row: the objects of a GRANT, the
// column or constraint each ALTER TABLE subcommand made.
void collected_addresses(Datum command, std::vector<Address>* out) {
    const auto* cmd = reinterpret_cast<const CollectedCommand*>(DatumGetPointer(command));
    if (cmd == nullptr)
        return;
    if (cmd->type == SCT_Grant) {
        const Oid catalog = grant_catalog(cmd->d.grant.istmt->objtype);
        ListCell* cell;
        foreach (cell, cmd->d.grant.istmt->objects)
            add_address(out, catalog, lfirst_oid(cell), 0);
    } else if (cmd->type == SCT_AlterTable) {
        ListCell* cell;
        foreach (cell, cmd->d.alterTable.subcmds) {
            const auto* sub = static_cast<const CollectedATSubcmd*>(lfirst(cell));
            add_address(out, sub->address.classId, sub->address.objectId,
                        sub->address.objectSubId);
        }
    }
}

std::optional<std::vector<std::string>> nullable_array(
    const std::vector<std::optional<std::string>>& values) {
    // text_array_arg takes strings: '' stands for NULL and is turned back by NULLIF.
    std::vector<std::string> out;
    out.reserve(values.size());
    for (const auto& v : values)
        out.push_back(v.value_or(""));
    return out;
}

// A relation is also named as it is now: the recording finds it by that name too, when
// something later in the run (Citus turning a table into a shard under a new shell table)
// moved the name to another relation. The name comes from the caches: a join with pg_class
// here became a generic plan that read the whole catalog for every DDL statement.
std::optional<std::string> relation_root(Oid classid, Oid objid) {
    if (classid != RelationRelationId)
        return std::nullopt;
    const char* qualified = pg_call([&]() -> const char* {
        const char kind = get_rel_relkind(objid);
        if (kind == '\0' || kind == RELKIND_INDEX || kind == RELKIND_PARTITIONED_INDEX)
            return nullptr;
        const char* name = get_rel_name(objid);
        const char* schema = get_namespace_name(get_rel_namespace(objid));
        return name && schema ? quote_qualified_identifier(schema, name) : nullptr;
    });
    return qualified ? std::optional<std::string>(qualified) : std::nullopt;
}

void insert_touched(const std::vector<Address>& addresses) {
    if (addresses.empty())
        return;
    std::vector<std::string> classes, objects, subs;
    std::vector<std::optional<std::string>> roots;
    for (const auto& a : addresses) {
        classes.push_back(std::to_string(a.classid));
        objects.push_back(std::to_string(a.objid));
        subs.push_back(std::to_string(a.objsubid));
        roots.push_back(relation_root(a.classid, a.objid));
    }
    spi_query("INSERT INTO migrations_schema.expected_touched (classid, objid, objsubid, "
              "root_kind, root_identity) "
              "SELECT u.c::pg_catalog.oid, u.o::pg_catalog.oid, u.s::pg_catalog.int4, "
              "CASE WHEN u.r OPERATOR(pg_catalog.<>) '' THEN 'rel' END, NULLIF(u.r, '') "
              "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
              "pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[]), "
              "pg_catalog.unnest($4::pg_catalog.text[])) u(c, o, s, r)",
              {text_array_arg(classes), text_array_arg(objects), text_array_arg(subs),
               text_array_arg(nullable_array(roots))});
}

struct Object {
    std::string obj;
    std::optional<std::string> root_kind, root_ident, classid, objid, objsubid, schema;
    bool reported = false;
};

using Objects = std::map<ObjectKey, Object>;

// Columns: kind, identity, obj, root_kind, root_ident, classid, objid, objsubid, schema,
// reported.
Objects collect_objects(std::uint64_t rows) {
    Objects out;
    for (std::uint64_t i = 0; i < rows; ++i)
        out[{spi_required_text(i, 1), spi_required_text(i, 2)}] =
            Object{spi_required_text(i, 3), spi_text(i, 4), spi_text(i, 5), spi_text(i, 6),
                   spi_text(i, 7), spi_text(i, 8), spi_text(i, 9), spi_bool(i, 10)};
    return out;
}

struct Columns {
    std::vector<std::string> kind, ident, obj;
    std::vector<std::optional<std::string>> root_kind, root_ident, classid, objid, objsubid,
        schema;
};

void upsert(const Columns& c) {
    if (c.kind.empty())
        return;
    spi_query(
        "INSERT INTO migrations_schema.expected_object AS e (kind, identity, object, root_kind, "
        "root_identity, classid, objid, objsubid, schema_name) "
        "SELECT k, i, o::pg_catalog.jsonb, NULLIF(rk, ''), NULLIF(ri, ''), "
        "NULLIF(cl, '')::pg_catalog.oid, NULLIF(ob, '')::pg_catalog.oid, "
        "NULLIF(su, '')::pg_catalog.int4, NULLIF(sn, '') "
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[]), "
        "pg_catalog.unnest($4::pg_catalog.text[]), pg_catalog.unnest($5::pg_catalog.text[]), "
        "pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.text[]), "
        "pg_catalog.unnest($8::pg_catalog.text[]), pg_catalog.unnest($9::pg_catalog.text[])) "
        "u(k, i, o, rk, ri, cl, ob, su, sn) "
        "ON CONFLICT (kind, identity) DO UPDATE SET object = excluded.object, "
        "root_kind = excluded.root_kind, root_identity = excluded.root_identity, "
        "classid = excluded.classid, objid = excluded.objid, objsubid = excluded.objsubid, "
        "schema_name = excluded.schema_name",
        {text_array_arg(c.kind), text_array_arg(c.ident), text_array_arg(c.obj),
         text_array_arg(nullable_array(c.root_kind)), text_array_arg(nullable_array(c.root_ident)),
         text_array_arg(nullable_array(c.classid)), text_array_arg(nullable_array(c.objid)),
         text_array_arg(nullable_array(c.objsubid)), text_array_arg(nullable_array(c.schema))});
}

void add_column_row(Columns* c, const ObjectKey& key, const Object& o) {
    c->kind.push_back(key.first);
    c->ident.push_back(key.second);
    c->obj.push_back(o.obj);
    c->root_kind.push_back(o.root_kind);
    c->root_ident.push_back(o.root_ident);
    c->classid.push_back(o.classid);
    c->objid.push_back(o.objid);
    c->objsubid.push_back(o.objsubid);
    c->schema.push_back(o.schema);
}

void remove_objects(const std::vector<ObjectKey>& keys) {
    if (keys.empty())
        return;
    std::vector<std::string> kinds, idents;
    for (const auto& k : keys) {
        kinds.push_back(k.first);
        idents.push_back(k.second);
    }
    spi_query("DELETE FROM migrations_schema.expected_object e "
              "USING ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
              "pg_catalog.unnest($2::pg_catalog.text[])) u(k, i) "
              "WHERE e.kind OPERATOR(pg_catalog.=) u.k AND e.identity OPERATOR(pg_catalog.=) u.i",
              {text_array_arg(kinds), text_array_arg(idents)});
}

std::optional<std::string> scope_json(const std::optional<std::vector<std::string>>& scope) {
    if (!scope)
        return std::nullopt;
    std::string out = "[";
    for (std::size_t i = 0; i < scope->size(); ++i)
        out += (i ? ", " : "") + core::json_string((*scope)[i]);
    return out + "]";
}

}  // namespace

void note_touched_objects(bool dropped) {
    InternalScope internal;
    BookkeepingScope bookkeeping;
    if (!expected_store_exists())
        return;
    if (dropped) {
        // Gone from the catalogs: the root is named from the address (a relation, type,
        // schema, extension), or found in the store by the object's identity (an index,
        // statistics) or by its address (a function).
        spi_query(
            "INSERT INTO migrations_schema.expected_touched (classid, objid, objsubid, root_kind, "
            "root_identity) "
            "SELECT d.classid, d.objid, d.objsubid, r.kind, r.ident "
            "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
            "LEFT JOIN LATERAL (SELECT CASE "
            "WHEN d.object_type OPERATOR(pg_catalog.=) ANY (ARRAY['table', 'view', "
            "'materialized view', 'sequence', 'foreign table', 'table column', "
            "'table constraint', 'trigger', 'policy', 'rule', 'default value']) THEN 'rel' "
            "WHEN d.object_type OPERATOR(pg_catalog.=) ANY (ARRAY['type', 'domain', "
            "'composite type']) THEN 'type' "
            "WHEN d.object_type OPERATOR(pg_catalog.=) 'index' THEN 'index' "
            "WHEN d.object_type OPERATOR(pg_catalog.=) 'statistics object' THEN 'statistics' "
            "WHEN d.object_type OPERATOR(pg_catalog.=) 'schema' THEN 'schema' "
            "WHEN d.object_type OPERATOR(pg_catalog.=) 'extension' THEN 'extension' END AS kind, "
            "CASE WHEN pg_catalog.cardinality(d.address_names) OPERATOR(pg_catalog.=) 1 THEN "
            "pg_catalog.format('%I', d.address_names[1]) "
            "WHEN pg_catalog.cardinality(d.address_names) OPERATOR(pg_catalog.>=) 2 THEN "
            "pg_catalog.format('%I.%I', d.address_names[1], d.address_names[2]) END AS ident) r "
            "ON true "
            "UNION ALL "
            // A composite type's attributes are the columns of its relation.
            "SELECT d.classid, d.objid, d.objsubid, 'rel', "
            "pg_catalog.format('%I.%I', d.address_names[1], d.address_names[2]) "
            "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
            "WHERE d.object_type OPERATOR(pg_catalog.=) 'composite type'",
            {});
        return;
    }
    const auto rows = spi_query(
        "SELECT classid, objid, objsubid, command FROM pg_catalog.pg_event_trigger_ddl_commands()",
        {});
    std::vector<Address> addresses;
    for (std::uint64_t i = 0; i < rows; ++i) {
        bool null = false;
        const Oid classid = DatumGetObjectId(spi_datum(i, 1, &null));
        if (!null) {
            bool objnull = false, subnull = false;
            const Oid objid = DatumGetObjectId(spi_datum(i, 2, &objnull));
            const int sub = DatumGetInt32(spi_datum(i, 3, &subnull));
            if (!objnull)
                add_address(&addresses, classid, objid, subnull ? 0 : sub);
        }
        bool cmdnull = false;
        const Datum command = spi_datum(i, 4, &cmdnull);
        if (!cmdnull)
            collected_addresses(command, &addresses);
    }
    insert_touched(addresses);
}

// Asked for every DDL statement: the caches answer without a query.
bool expected_store_exists() {
    return pg_call([] {
        const Oid schema = get_namespace_oid("migrations_schema", true);
        return OidIsValid(schema) && OidIsValid(get_relname_relid("expected_state", schema));
    });
}

bool expected_state_filled() {
    if (!expected_store_exists())
        return false;
    return spi_query("SELECT FROM migrations_schema.expected_state", {}) > 0;
}

std::optional<std::vector<std::string>> expected_scope() {
    spi_query("SELECT schemas IS NULL FROM migrations_schema.expected_state", {});
    if (SPI_processed == 0 || spi_bool(0, 1))
        return std::nullopt;
    const auto rows = spi_query("SELECT pg_catalog.jsonb_array_elements_text(schemas) "
                                "FROM migrations_schema.expected_state",
                                {});
    std::vector<std::string> out;
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back(spi_required_text(i, 1));
    return out;
}

std::optional<std::vector<std::string>> recording_scope() {
    const auto stored = expected_scope();
    const auto current = managed_schema_scope();
    if (!stored)
        return current;
    if (!current)
        return stored;
    std::vector<std::string> both = *stored;
    for (const auto& name : *current)
        if (std::find(both.begin(), both.end(), name) == both.end())
            both.push_back(name);
    return both;
}

std::optional<std::vector<std::string>> comparison_scope() {
    const auto stored = expected_scope();
    const auto current = managed_schema_scope();
    if (!stored)
        return current;
    if (!current)
        return stored;
    std::vector<std::string> both;
    for (const auto& name : *stored)
        if (std::find(current->begin(), current->end(), name) != current->end())
            both.push_back(name);
    return both;
}

std::vector<core::SchemaAttribute> expected_attributes(
    const std::optional<std::vector<std::string>>& schemas) {
    // An object whose schema is not known (taken from an older snapshot and gone since)
    // counts in every scope.
    const auto rows = spi_query("SELECT e.kind, e.identity, a.key, a.value "
                                "FROM migrations_schema.expected_object e, "
                                "pg_catalog.jsonb_each_text(e.object) a "
                                "WHERE $1::pg_catalog.text[] IS NULL OR e.schema_name IS NULL "
                                "OR e.schema_name OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])",
                                {text_array_arg(schemas)});
    std::vector<core::SchemaAttribute> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back({spi_required_text(i, 1), spi_required_text(i, 2), spi_required_text(i, 3),
                       spi_text(i, 4).value_or("")});
    return out;
}

std::optional<std::string> expected_clean_marker() {
    if (spi_query("SELECT catalog_marker FROM migrations_schema.expected_state", {}) == 0)
        return std::nullopt;
    return spi_text(0, 1);
}

std::optional<std::string> expected_clean_at() {
    if (spi_query("SELECT clean_at::pg_catalog.text FROM migrations_schema.expected_state", {}) ==
        0)
        return std::nullopt;
    return spi_text(0, 1);
}

void fill_expected_state() {
    // An older version's snapshot, when there is one: the schema as the runner left it then.
    const bool from_snapshot =
        spi_query("SELECT project, action, recorded_at::pg_catalog.text, schemas::pg_catalog.text "
                  "FROM migrations_schema.schema_snapshot WHERE fingerprint IS NOT NULL "
                  "ORDER BY recorded_at DESC LIMIT 1",
                  {}) > 0;
    std::string project, action, at;
    std::optional<std::string> schemas;
    if (from_snapshot) {
        project = spi_required_text(0, 1);
        action = spi_required_text(0, 2);
        at = spi_required_text(0, 3);
        schemas = spi_text(0, 4);
    } else {
        schemas = scope_json(managed_schema_scope());
    }
    std::optional<std::vector<std::string>> scope;
    if (schemas) {
        scope.emplace();
        const auto rows = spi_query("SELECT pg_catalog.jsonb_array_elements_text($1::pg_catalog.jsonb)",
                                    {text_arg(schemas)});
        for (std::uint64_t i = 0; i < rows; ++i)
            scope->push_back(spi_required_text(i, 1));
    }
    const std::string marker = catalog_marker();
    Columns columns;
    {
        const Objects live = collect_objects(query_object_fingerprints(scope, std::nullopt));
        for (const auto& [key, o] : live)
            add_column_row(&columns, key, o);
    }
    spi_query("DELETE FROM migrations_schema.expected_object", {});
    upsert(columns);
    if (from_snapshot) {
        // The recorded form wins; what the snapshot lacks is drift that stays open.
        spi_query("DELETE FROM migrations_schema.expected_object e WHERE NOT EXISTS ("
                  "SELECT FROM migrations_schema.schema_snapshot s, "
                  "pg_catalog.jsonb_each(s.fingerprint) k, pg_catalog.jsonb_each(k.value) o "
                  "WHERE s.project OPERATOR(pg_catalog.=) $1 AND k.key OPERATOR(pg_catalog.=) "
                  "e.kind AND o.key OPERATOR(pg_catalog.=) e.identity)",
                  {text_arg(project)});
        spi_query("INSERT INTO migrations_schema.expected_object AS e (kind, identity, object) "
                  "SELECT k.key, o.key, o.value FROM migrations_schema.schema_snapshot s, "
                  "pg_catalog.jsonb_each(s.fingerprint) k, pg_catalog.jsonb_each(k.value) o "
                  "WHERE s.project OPERATOR(pg_catalog.=) $1 "
                  "ON CONFLICT (kind, identity) DO UPDATE SET object = excluded.object",
                  {text_arg(project)});
        // The whole-schema snapshots have served: the store replaces them.
        spi_query("UPDATE migrations_schema.schema_snapshot SET schema_hash = NULL, "
                  "fingerprint = NULL, catalog_marker = NULL",
                  {});
    }
    spi_query("INSERT INTO migrations_schema.expected_state (schemas, catalog_marker, clean_at) "
              "VALUES ($1::pg_catalog.jsonb, $2, CASE WHEN $2 IS NULL THEN NULL "
              "ELSE pg_catalog.clock_timestamp() END)",
              {text_arg(schemas),
               text_arg(from_snapshot ? std::nullopt : std::optional<std::string>(marker))});
    // Filled from the live schema, what this run touched is in already; filled from a
    // snapshot, it is recorded next, as after any run.
    if (!from_snapshot)
        spi_query("DELETE FROM migrations_schema.expected_touched", {});
    if (from_snapshot)
        pg_call([&] {
            ereport(NOTICE,
                    (errmsg("filled the expected state of the schema, object by object, from "
                            "the snapshot of the %s of project \"%s\" at %s",
                            action.c_str(), project.c_str(), at.c_str()),
                     errdetail("Drift open then stays open until a migration produces the same "
                               "objects or migrate_accept_drift() takes them in; the whole-schema "
                               "snapshots are no longer kept.")));
        });
}

namespace {

// The objects of every root touched up to `last`: live, and as the store holds them (objects
// dropped or renamed come from there).
void touched_objects(const std::string& last, Objects* live, Objects* stored) {
    const std::int64_t up_to = std::stoll(last);
    // The roots the store holds for what was touched. The live query finds a root from the
    // catalogs, where a dropped index, view or constraint no longer leads to its table: it
    // is named here, so that what stays of the table is taken live, not taken as gone.
    std::vector<std::string> store_kinds, store_idents;
    {
        IndexLookups lookups;
        const auto rows = spi_query(
            "WITH t AS (SELECT * FROM migrations_schema.expected_touched "
            "WHERE id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8) "
            "SELECT x.root_kind, x.root_identity FROM t, LATERAL ("
            "SELECT e.root_kind, e.root_identity FROM migrations_schema.expected_object e "
            "WHERE e.classid OPERATOR(pg_catalog.=) t.classid "
            "AND e.objid OPERATOR(pg_catalog.=) t.objid) x "
            "WHERE x.root_kind IS NOT NULL AND x.root_identity IS NOT NULL "
            "UNION SELECT x.root_kind, x.root_identity FROM t, LATERAL ("
            "SELECT e.root_kind, e.root_identity FROM migrations_schema.expected_object e "
            "WHERE e.kind OPERATOR(pg_catalog.=) t.root_kind "
            "AND e.identity OPERATOR(pg_catalog.=) t.root_identity) x "
            "WHERE x.root_kind IS NOT NULL AND x.root_identity IS NOT NULL",
            {text_arg(last)});
        for (std::uint64_t i = 0; i < rows; ++i) {
            store_kinds.push_back(spi_required_text(i, 1));
            store_idents.push_back(spi_required_text(i, 2));
        }
    }
    *live = collect_objects(
        query_object_fingerprints(recording_scope(), up_to, store_kinds, store_idents));
    std::vector<std::string> root_kinds, root_idents, kinds, idents;
    for (const auto& [key, o] : *live) {
        root_kinds.push_back(o.root_kind.value_or(""));
        root_idents.push_back(o.root_ident.value_or(""));
        kinds.push_back(key.first);
        idents.push_back(key.second);
    }
    // Each part looks its rows up by an index: the store holds every object of the schema
    // (and may never have been analyzed: planned from guesses, these were hash joins over the
    // whole store, 15 ms at 10,000 tables instead of 0.3).
    IndexLookups lookups;
    *stored = collect_objects(spi_query(
        "WITH t AS (SELECT * FROM migrations_schema.expected_touched "
        "WHERE id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8), "
        "roots AS (SELECT x.root_kind, x.root_identity FROM t, LATERAL ("
        "SELECT e.root_kind, e.root_identity FROM migrations_schema.expected_object e "
        "WHERE e.classid OPERATOR(pg_catalog.=) t.classid "
        "AND e.objid OPERATOR(pg_catalog.=) t.objid) x "
        "UNION SELECT t.root_kind, t.root_identity FROM t WHERE t.root_kind OPERATOR(pg_catalog.=) "
        "ANY (ARRAY['rel', 'type', 'schema', 'extension']) "
        "UNION SELECT x.root_kind, x.root_identity FROM t, LATERAL ("
        "SELECT e.root_kind, e.root_identity FROM migrations_schema.expected_object e "
        "WHERE e.kind OPERATOR(pg_catalog.=) t.root_kind "
        "AND e.identity OPERATOR(pg_catalog.=) t.root_identity) x "
        "UNION SELECT * FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]), "
        "pg_catalog.unnest($3::pg_catalog.text[]))), "
        "keys AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($4::pg_catalog.text[]), "
        "pg_catalog.unnest($5::pg_catalog.text[])) k(kind, identity)), "
        "found AS (SELECT x.* FROM roots r, LATERAL (SELECT e.* FROM "
        "migrations_schema.expected_object e WHERE e.root_kind OPERATOR(pg_catalog.=) r.root_kind "
        "AND e.root_identity OPERATOR(pg_catalog.=) r.root_identity) x "
        "UNION SELECT x.* FROM keys k, LATERAL (SELECT e.* FROM migrations_schema.expected_object e "
        "WHERE e.kind OPERATOR(pg_catalog.=) k.kind "
        "AND e.identity OPERATOR(pg_catalog.=) k.identity) x) "
        "SELECT e.kind, e.identity, e.object::pg_catalog.text, e.root_kind, e.root_identity, "
        "e.classid::pg_catalog.text, e.objid::pg_catalog.text, e.objsubid::pg_catalog.text, "
        "e.schema_name, EXISTS (SELECT FROM t WHERE t.classid OPERATOR(pg_catalog.=) e.classid "
        "AND t.objid OPERATOR(pg_catalog.=) e.objid "
        "AND t.objsubid OPERATOR(pg_catalog.=) e.objsubid) "
        "FROM found e",
        {text_arg(last), text_array_arg(root_kinds), text_array_arg(root_idents),
         text_array_arg(kinds), text_array_arg(idents)}));
}

std::optional<std::string> last_touch() {
    spi_query("SELECT pg_catalog.max(id)::pg_catalog.text FROM migrations_schema.expected_touched",
              {});
    return spi_text(0, 1);
}

}  // namespace

std::set<ObjectKey> pending_objects() {
    std::set<ObjectKey> out;
    const auto last = last_touch();
    if (!last)
        return out;
    Objects live, stored;
    touched_objects(*last, &live, &stored);
    for (const auto& entry : live)
        out.insert(entry.first);
    for (const auto& entry : stored)
        out.insert(entry.first);
    return out;
}

Recorded record_touched_objects(const std::set<ObjectKey>& drift_before) {
    const auto last = last_touch();
    if (!last)
        return {};
    Objects live, stored;
    touched_objects(*last, &live, &stored);
    Columns changed;
    std::vector<ObjectKey> gone;
    Recorded recorded;
    recorded.any = true;
    auto decide = [&](const ObjectKey& key, const Object* l, const Object* e) {
        const bool reported = (l && l->reported) || (e && e->reported);
        if (!reported && drift_before.count(key) > 0) {
            recorded.kept = true;
            return;
        }
        recorded.resolved.insert(key);
        if (l == nullptr) {
            gone.push_back(key);
            return;
        }
        // The stored text is jsonb's own; the live text is built to equal it.
        if (e == nullptr || e->obj != l->obj || e->root_kind != l->root_kind ||
            e->root_ident != l->root_ident || e->classid != l->classid || e->objid != l->objid ||
            e->objsubid != l->objsubid || e->schema != l->schema)
            add_column_row(&changed, key, *l);
    };
    for (const auto& [key, l] : live) {
        const auto e = stored.find(key);
        decide(key, &l, e == stored.end() ? nullptr : &e->second);
    }
    for (const auto& [key, e] : stored)
        if (live.count(key) == 0)
            decide(key, nullptr, &e);
    upsert(changed);
    remove_objects(gone);
    spi_query("DELETE FROM migrations_schema.expected_touched "
              "WHERE id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8",
              {text_arg(*last)});
    return recorded;
}

void set_expected_marker(const std::optional<std::string>& marker) {
    spi_query("UPDATE migrations_schema.expected_state SET catalog_marker = $1, "
              "clean_at = CASE WHEN $1 IS NULL THEN clean_at ELSE pg_catalog.clock_timestamp() END, "
              "drift_marker = $1, open_drift = CASE WHEN $1 IS NOT NULL THEN '[]'::pg_catalog.jsonb END",
              {text_arg(marker)});
}

void set_known_drift(const std::string& marker, const std::vector<core::SchemaChange>& changes) {
    if (changes.empty()) {
        set_expected_marker(marker);
        return;
    }
    spi_query("UPDATE migrations_schema.expected_state SET catalog_marker = NULL, "
              "drift_marker = $1, open_drift = $2::pg_catalog.jsonb",
              {text_arg(marker), text_arg(core::changes_json(changes))});
}

std::optional<KnownDrift> expected_known_drift() {
    if (spi_query("SELECT drift_marker FROM migrations_schema.expected_state "
                  "WHERE drift_marker IS NOT NULL AND open_drift IS NOT NULL",
                  {}) == 0)
        return std::nullopt;
    KnownDrift known;
    known.marker = spi_required_text(0, 1);
    const auto rows = spi_query(
        "SELECT c OPERATOR(pg_catalog.->>) 'change', c OPERATOR(pg_catalog.->>) 'kind', "
        "c OPERATOR(pg_catalog.->>) 'object', COALESCE(c OPERATOR(pg_catalog.->>) 'detail', '') "
        "FROM migrations_schema.expected_state, "
        "pg_catalog.jsonb_array_elements(open_drift) WITH ORDINALITY AS a(c, i) ORDER BY a.i",
        {});
    for (std::uint64_t i = 0; i < rows; ++i) {
        const auto change = core::change_kind_named(spi_required_text(i, 1));
        // A change this version cannot read: the drift is computed again.
        if (!change)
            return std::nullopt;
        known.changes.push_back({*change, spi_required_text(i, 2), spi_required_text(i, 3),
                                 spi_required_text(i, 4)});
    }
    return known;
}

void accept_objects(const std::vector<ObjectKey>& objects) {
    std::vector<std::string> kinds, idents;
    for (const auto& k : objects) {
        kinds.push_back(k.first);
        idents.push_back(k.second);
    }
    const Objects live = collect_objects(query_object_fingerprints(recording_scope(), std::nullopt));
    Columns changed;
    std::vector<ObjectKey> gone;
    for (const auto& key : objects) {
        const auto l = live.find(key);
        if (l == live.end())
            gone.push_back(key);
        else
            add_column_row(&changed, key, l->second);
    }
    upsert(changed);
    remove_objects(gone);
}

}  // namespace ms::pg
