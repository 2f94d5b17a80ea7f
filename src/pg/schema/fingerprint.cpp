#include "pg/schema/fingerprint.hpp"

#include "core/base/failure.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/extension_objects.hpp"
#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/schema/catalog_sql.hpp"
#include "pg/schema/touched_selection.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/guc.h"
}

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/replace.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

namespace {

// The fingerprint is one query. $1 text[]: the schemas (NULL: every user schema);
// $2 text: the tracking schema.
//
// Shape: {kind: {identity: {attribute: text}}}. Identities are quote_ident-style qualified
// names ("schema.table.column"; functions and aggregates as regprocedure text, which under
// the pinned search_path is schema-qualified); never OIDs, attnums or anything else that
// depends on creation order. An attribute whose value is NULL is left out; booleans are
// 'true'/'false'. Column order is not part of it: a table whose columns were added in
// another order, or a dropped column, compares equal.
//
// Kinds: schema, table (r, p, f), column (of tables, views, materialized views and
// composite types), constraint (of tables, and of domains as "schema.domain.name"), index,
// sequence, view (views and materialized views), function (functions, procedures, window
// functions), aggregate (from pg_aggregate: pg_get_functiondef cannot show aggregates),
// trigger (not internal), policy, rule (other than a view's _RETURN), statistics (extended
// statistics objects), type (enum, domain, composite, range, base; implicit array and
// multirange types, and the constructors of a range, are part of their type), extension.
// Every kind may carry "comment"; schema, table, column, sequence, view, function,
// aggregate and type carry "acl": the aclitems sorted as text (collation "C") and joined
// with ','; absent when the ACL is NULL or equal to the object's default privileges
// (acldefault), '' when every privilege was revoked.
//
// Left out: the system schemas (pg_*, information_schema), the tracking schema, schemas
// and objects that are members of an extension (and the columns, constraints, indexes,
// triggers, ... of such members), the migrations_schema extension itself, temporary
// objects, owners, tablespaces, and data (sequence values). Extensions are listed with
// their version and schema; when schemas are named, only the extensions installed in one of
// them (so that a fingerprint of some schemas does not change with unrelated extensions).
//
// The text is built directly in jsonb's own output form (keys ordered by byte length, then
// bytes; ", " and ": " separators; strings escaped by to_json), so that it is exactly
// jsonb's text of itself: no jsonb is built for 10,000s of objects only to be printed.
// Text comparisons that decide an order use collation "C", so that databases with another
// default collation get the same text.
//
// On a Citus node (pg_catalog.pg_dist_partition exists) the tables Citus knows carry their
// distribution: "distribution" (hash, range, append, reference, citus local),
// "distribution_column", "colocated_with" (the first table, by identity, of its colocation
// group: colocation ids differ between clusters, names do not) and "shard_count"; and shards
// (a table whose name is its logical table's name, '_' and a shard id of pg_dist_shard) are
// left out with everything on them. Citus's own objects are extension members already.
// Without Citus the query is the one built before Citus was known, byte for byte: stored
// snapshots compare with its text and hash.
//
// In the SQL below {=} stands for OPERATOR(pg_catalog.=) (every operator is qualified) and
// {rc:pg_class} for 'pg_catalog.pg_class'::pg_catalog.regclass; expand_catalog_sql()
// (catalog_sql.hpp) spells them out.

struct Attribute {
    std::string key;
    std::string value;   // SQL expression; NULL leaves the attribute out
    bool plain = false;  // its text never needs JSON escaping (a keyword, a number)
};

Attribute plain(const char* key, std::string value) {
    return Attribute{key, std::move(value), true};
}

struct Branch {
    std::string kind;
    std::string ident;  // SQL expression of the identity
    std::vector<Attribute> attributes;
    std::string from;   // FROM ... WHERE ...
};

// The canonical ACL: NULL when it is the default, the sorted aclitems otherwise.
std::string acl(const std::string& acl, const char* type, const std::string& owner) {
    const std::string sorted = R"(SELECT COALESCE(pg_catalog.string_agg(x::pg_catalog.text, ','
                                     ORDER BY x::pg_catalog.text COLLATE pg_catalog."C"), '') AS t
                FROM pg_catalog.unnest()";
    return "CASE WHEN " + acl + " IS NOT NULL THEN (SELECT CASE WHEN g.t {=} dflt.t THEN NULL " +
           "ELSE g.t END FROM (" + sorted + acl + ") x) g, (" + sorted + "pg_catalog.acldefault('" +
           type + "', " + owner + ")) x) dflt) END";
}

// An options array (reloptions, ftoptions, ...) as one string, sorted; NULL when there are none.
std::string options(const std::string& array, const std::string& filter = {}) {
    return "CASE WHEN " + array + " IS NOT NULL THEN (SELECT pg_catalog.string_agg(o, ',' " +
           "ORDER BY o COLLATE pg_catalog.\"C\") FROM pg_catalog.unnest(" + array + ") o" +
           (filter.empty() ? "" : " WHERE " + filter) + ") END";
}

// The object's comment is d.description.
std::string described(const char* catalog, const std::string& oid,
                      const std::string& subid = "0") {
    return " LEFT JOIN pg_catalog.pg_description d ON d.objoid {=} " + oid +
           " AND d.classoid {=} {rc:" + catalog + "} AND d.objsubid {=} " + subid;
}

std::string collation_name(const std::string& oid) {
    return "(SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname) "
           "FROM pg_catalog.pg_collation co "
           "JOIN pg_catalog.pg_namespace cn ON cn.oid {=} co.collnamespace "
           "WHERE co.oid {=} " + oid + ")";
}

// A function reference (regproc) with its argument types; NULL when there is none.
std::string function_name(const std::string& regproc) {
    return "CASE WHEN " + regproc + "::pg_catalog.oid {<>} 0 THEN " + regproc +
           "::pg_catalog.oid::pg_catalog.regprocedure::pg_catalog.text END";
}

// A "char" code spelled out: when_then is {{"a", "always"}, ...}; anything else is `other`.
std::string spelled(const std::string& code,
                    std::initializer_list<std::pair<const char*, const char*>> when_then,
                    const char* other) {
    std::string sql = "CASE";
    for (const auto& [when, then] : when_then)
        sql += std::string(" WHEN ") + code + " {=} '" + when + "' THEN '" + then + "'";
    return sql + (other ? std::string(" ELSE '") + other + "'" : std::string()) + " END";
}

std::string boolean(const std::string& expr) {
    return expr + "::pg_catalog.text";
}

// jsonb's order of object keys: shorter first, then bytewise.
bool jsonb_key_less(const std::string& a, const std::string& b) {
    if (a.size() != b.size())
        return a.size() < b.size();
    return std::memcmp(a.data(), b.data(), a.size()) < 0;
}

// The object's text as jsonb prints it; an attribute whose value is NULL is skipped by
// concat_ws.
std::string object_text(std::vector<Attribute> attributes) {
    std::sort(attributes.begin(), attributes.end(),
              [](const Attribute& a, const Attribute& b) { return jsonb_key_less(a.key, b.key); });
    std::string sql = "'{' {||} pg_catalog.concat_ws(', '";
    for (const auto& a : attributes)
        sql += a.plain ? ",\n        '\"" + a.key + "\": \"' {||} (" + a.value +
                             ")::pg_catalog.text {||} '\"'"
                       : ",\n        '\"" + a.key + "\": ' {||} pg_catalog.to_json((" + a.value +
                             ")::pg_catalog.text)::pg_catalog.text";
    return sql + ") {||} '}'";
}

// The distribution attributes of a table, from pg_dist_partition (LEFT JOINed as dp); NULL
// for a table Citus does not know, so such a table reads as without Citus. The distribution
// column is read from the partition key's node text (":varattno N"), which every Citus
// version stores, rather than through a Citus function.
std::vector<Attribute> distribution_attributes() {
    return {
        // 'n' (no distribution column): replicated to every node (reference) or kept on the
        // coordinator (citus local).
        plain("distribution",
              "CASE WHEN dp.partmethod {=} 'n' THEN CASE WHEN dp.repmodel {=} 't' THEN 'reference' "
              "ELSE 'citus local' END ELSE " +
                  spelled("dp.partmethod", {{"h", "hash"}, {"r", "range"}, {"a", "append"}}, nullptr) +
                  " END"),
        {"distribution_column",
         "(SELECT da.attname FROM pg_catalog.pg_attribute da WHERE da.attrelid {=} r.oid "
         "AND da.attnum::pg_catalog.text {=} pg_catalog.substring(dp.partkey, ':varattno ([0-9]+)'))"},
        {"colocated_with",
         "CASE WHEN dp.partmethod {<>} 'n' AND dp.colocationid {<>} 0 THEN "
         "(SELECT pg_catalog.min(pg_catalog.format('%I.%I', cn.nspname, cc.relname) COLLATE pg_catalog.\"C\") "
         "FROM pg_catalog.pg_dist_partition cp "
         "JOIN pg_catalog.pg_class cc ON cc.oid {=} cp.logicalrelid "
         "JOIN pg_catalog.pg_namespace cn ON cn.oid {=} cc.relnamespace "
         "WHERE cp.colocationid {=} dp.colocationid) END"},
        plain("shard_count",
              "CASE WHEN dp.partmethod {<>} 'n' THEN (SELECT pg_catalog.count(*) FROM "
              "pg_catalog.pg_dist_shard ds WHERE ds.logicalrelid {=} r.oid) END"),
    };
}

std::vector<Branch> branches(bool citus) {
    std::vector<Branch> b;
    const std::string persistence =
        spelled("r.relpersistence", {{"u", "unlogged"}}, "permanent");

    b.push_back({"schema", "pg_catalog.format('%I', n.nspname)",
                 {{"name", "n.nspname"},
                  {"comment", "d.description"},
                  {"acl", acl("n.nspacl", "n", "n.nspowner")}},
                 "FROM ns n" + described("pg_namespace", "n.oid")});

    b.push_back({"table", "r.ident",
                 {plain("kind", spelled("r.relkind",
                                        {{"p", "partitioned table"}, {"f", "foreign table"}}, "table")),
                  plain("persistence", persistence),
                  {"partition_key", "CASE WHEN r.relkind {=} 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END"},
                  // A bound holds no column references: no relation needs opening to print it.
                  {"partition_bound", "pg_catalog.pg_get_expr(r.relpartbound, 0)"},
                  {"inherits", "inh.parents"},
                  {"options", options("r.reloptions")},
                  {"access_method", "CASE WHEN am.amname {<>} 'heap' THEN am.amname END"},
                  {"of_type", "CASE WHEN r.reloftype {<>} 0 THEN pg_catalog.format_type(r.reloftype, NULL) END"},
                  plain("row_security", boolean("r.relrowsecurity")),
                  plain("force_row_security", boolean("r.relforcerowsecurity")),
                  plain("replica_identity",
                   spelled("r.relreplident", {{"n", "nothing"}, {"f", "full"}, {"i", "index"}}, "default")),
                  {"server", "fs.srvname"},
                  {"foreign_options", options("ft.ftoptions")},
                  {"comment", "d.description"},
                  {"acl", acl("r.relacl", "r", "r.relowner")}},
                 R"(FROM rel r
    LEFT JOIN inh ON inh.inhrelid {=} r.oid
    LEFT JOIN pg_catalog.pg_am am ON am.oid {=} r.relam
    LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid {=} r.oid
    LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid {=} ft.ftserver)" +
                     described("pg_class", "r.oid") +
                     (citus ? "\n    LEFT JOIN pg_catalog.pg_dist_partition dp ON dp.logicalrelid {=} r.oid"
                            : "") +
                     R"(
    WHERE r.relkind {=} ANY ('{r,p,f}'::pg_catalog."char"[]))"});
    if (citus)
        for (auto& a : distribution_attributes())
            b.back().attributes.push_back(std::move(a));

    b.push_back({"view", "r.ident",
                 {plain("kind", spelled("r.relkind", {{"m", "materialized view"}}, "view")),
                  {"definition", "pg_catalog.pg_get_viewdef(r.oid)"},
                  {"options", options("r.reloptions")},
                  {"comment", "d.description"},
                  {"acl", acl("r.relacl", "r", "r.relowner")}},
                 "FROM rel r" + described("pg_class", "r.oid") +
                     R"(
    WHERE r.relkind {=} ANY ('{v,m}'::pg_catalog."char"[]))"});

    // A sequence is owned by at most one column (OWNED BY, serial: 'a'; identity: 'i').
    b.push_back({"sequence", "r.ident",
                 {{"type", "pg_catalog.format_type(s.seqtypid, NULL)"},
                  plain("start", "s.seqstart"),
                  plain("increment", "s.seqincrement"),
                  plain("min", "s.seqmin"),
                  plain("max", "s.seqmax"),
                  plain("cache", "s.seqcache"),
                  plain("cycle", boolean("s.seqcycle")),
                  plain("persistence", persistence),
                  {"owned_by", "CASE WHEN own.objid IS NOT NULL THEN pg_catalog.format('%I.%I.%I', "
                               "own_n.nspname, own_c.relname, own_a.attname) END"},
                  {"comment", "d.description"},
                  {"acl", acl("r.relacl", "s", "r.relowner")}},
                 R"(FROM rel r
    JOIN pg_catalog.pg_sequence s ON s.seqrelid {=} r.oid
    LEFT JOIN pg_catalog.pg_depend own
      ON own.classid {=} {rc:pg_class} AND own.objid {=} r.oid
     AND own.refclassid {=} {rc:pg_class} AND own.refobjsubid {>} 0
     AND own.deptype {=} ANY ('{a,i}'::pg_catalog."char"[])
    LEFT JOIN pg_catalog.pg_class own_c ON own_c.oid {=} own.refobjid
    LEFT JOIN pg_catalog.pg_namespace own_n ON own_n.oid {=} own_c.relnamespace
    LEFT JOIN pg_catalog.pg_attribute own_a
      ON own_a.attrelid {=} own.refobjid AND own_a.attnum {=} own.refobjsubid)" +
                     described("pg_class", "r.oid")});

    // A default holds no column references (only a generation expression does): printing it
    // needs no relation opened.
    b.push_back({"column", "pg_catalog.format('%I.%I.%I', r.nspname, r.relname, a.attname)",
                 {{"type", "pg_catalog.format_type(a.atttypid, a.atttypmod)"},
                  plain("not_null", boolean("a.attnotnull")),
                  {"default", "CASE WHEN a.attgenerated {=} '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) END"},
                  plain("identity", spelled("a.attidentity", {{"a", "always"}, {"d", "by default"}}, nullptr)),
                  plain("generated", spelled("a.attgenerated", {{"s", "stored"}}, nullptr)),
                  {"generation_expression",
                   "CASE WHEN a.attgenerated {<>} '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END"},
                  {"collation", "CASE WHEN a.attcollation {<>} t.typcollation THEN " +
                                    collation_name("a.attcollation") + " END"},
                  {"storage", "CASE WHEN a.attstorage {<>} t.typstorage THEN " +
                                  spelled("a.attstorage", {{"p", "plain"}, {"e", "external"}, {"m", "main"}},
                                          "extended") +
                                  " END"},
                  plain("compression", spelled("a.attcompression", {{"p", "pglz"}, {"l", "lz4"}}, nullptr)),
                  plain("statistics", "CASE WHEN a.attstattarget {>=} 0 THEN a.attstattarget END"),
                  // Options named pg_* are the server's bookkeeping, not schema: some builds
                  // stamp every column with pg_attver=<a per-creation number>.
                  {"options", "CASE WHEN a.attoptions IS NULL OR (pg_catalog.array_length(a.attoptions, 1) {=} 1 "
                              "AND pg_catalog.starts_with(a.attoptions[1], 'pg_')) THEN NULL ELSE " +
                                  options("a.attoptions", "NOT pg_catalog.starts_with(o, 'pg_')") + " END"},
                  {"foreign_options", options("a.attfdwoptions")},
                  {"comment", "d.description"},
                  {"acl", acl("a.attacl", "c", "r.relowner")}},
                 R"(FROM rel r
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid {=} r.oid AND a.attnum {>} 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid {=} a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid {=} a.attrelid AND ad.adnum {=} a.attnum)" +
                     described("pg_class", "r.oid", "a.attnum") + R"(
    WHERE r.relkind {<>} 'S')"});

    b.push_back({"constraint", "pg_catalog.format('%s.%I', o.ident, co.conname)",
                 {plain("type", spelled("co.contype",
                                   {{"c", "check"}, {"f", "foreign key"}, {"p", "primary key"},
                                    {"u", "unique"}, {"x", "exclusion"}, {"t", "trigger"}},
                                   "other")),
                  {"definition", "pg_catalog.pg_get_constraintdef(co.oid)"},
                  plain("validated", boolean("co.convalidated")),
                  {"comment", "d.description"}},
                 R"(FROM pg_catalog.pg_constraint co
    JOIN (SELECT r.oid AS relid, 0::pg_catalog.oid AS typid, r.ident FROM rel r
          UNION ALL
          SELECT 0::pg_catalog.oid, t.oid, t.ident FROM typ t WHERE t.typtype {=} 'd') o
      ON co.conrelid {=} o.relid AND co.contypid {=} o.typid)" +
                     described("pg_constraint", "co.oid") +
                     R"(
    -- NOT NULL, which 18 records as a constraint too, is the column's (or domain's) not_null
    WHERE co.contype {<>} 'n')"});

    b.push_back({"index", "pg_catalog.format('%I.%I', r.nspname, ic.relname)",
                 {{"table", "r.ident"},
                  {"definition", "pg_catalog.pg_get_indexdef(i.indexrelid)"},
                  plain("valid", boolean("i.indisvalid")),
                  plain("clustered", "CASE WHEN i.indisclustered THEN 'true' END"),
                  plain("replica_identity", "CASE WHEN i.indisreplident THEN 'true' END"),
                  {"comment", "d.description"}},
                 R"(FROM rel r
    JOIN pg_catalog.pg_index i ON i.indrelid {=} r.oid
    JOIN pg_catalog.pg_class ic ON ic.oid {=} i.indexrelid)" +
                     described("pg_class", "i.indexrelid")});

    const auto enabled_state = [](const std::string& code) {
        return spelled(code, {{"D", "disabled"}, {"R", "replica"}, {"A", "always"}}, "origin");
    };
    b.push_back({"trigger", "pg_catalog.format('%I.%I.%I', r.nspname, r.relname, tg.tgname)",
                 {{"definition", "pg_catalog.pg_get_triggerdef(tg.oid)"},
                  plain("enabled", enabled_state("tg.tgenabled")),
                  {"comment", "d.description"}},
                 R"(FROM rel r JOIN pg_catalog.pg_trigger tg ON tg.tgrelid {=} r.oid)" +
                     described("pg_trigger", "tg.oid") + R"(
    WHERE NOT tg.tgisinternal)"});

    b.push_back({"policy", "pg_catalog.format('%I.%I.%I', r.nspname, r.relname, po.polname)",
                 {plain("permissive", boolean("po.polpermissive")),
                  {"roles", R"((SELECT pg_catalog.string_agg(x.rn, ',' ORDER BY x.rn COLLATE pg_catalog."C")
                FROM (SELECT CASE WHEN ro {=} 0 THEN 'public'
                                  ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(ro)::pg_catalog.text)
                             END AS rn
                      FROM pg_catalog.unnest(po.polroles) ro) x))"},
                  plain("command", spelled("po.polcmd",
                                      {{"r", "SELECT"}, {"a", "INSERT"}, {"w", "UPDATE"}, {"d", "DELETE"}},
                                      "ALL")),
                  {"using", "pg_catalog.pg_get_expr(po.polqual, po.polrelid)"},
                  {"with_check", "pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid)"},
                  {"comment", "d.description"}},
                 R"(FROM rel r JOIN pg_catalog.pg_policy po ON po.polrelid {=} r.oid)" +
                     described("pg_policy", "po.oid")});

    b.push_back({"rule", "pg_catalog.format('%I.%I.%I', r.nspname, r.relname, rw.rulename)",
                 {{"definition", "pg_catalog.pg_get_ruledef(rw.oid)"},
                  plain("enabled", enabled_state("rw.ev_enabled")),
                  {"comment", "d.description"}},
                 R"(FROM rel r JOIN pg_catalog.pg_rewrite rw ON rw.ev_class {=} r.oid)" +
                     described("pg_rewrite", "rw.oid") + R"(
    WHERE rw.rulename {<>} '_RETURN')"});

    // Its columns and expressions are sets: pg_get_statisticsobjdef() would list the columns
    // in attnum order, which depends on how the table was built.
    b.push_back({"statistics", "pg_catalog.format('%I.%I', sn.nspname, s.stxname)",
                 {{"table", "r.ident"},
                  {"kinds", R"((SELECT pg_catalog.string_agg(x.k, ',' ORDER BY x.k COLLATE pg_catalog."C")
                FROM (SELECT )" + spelled("k", {{"d", "ndistinct"}, {"f", "dependencies"}, {"m", "mcv"},
                                                {"e", "expressions"}}, "other") +
                                R"( AS k
                      FROM pg_catalog.unnest(s.stxkind) k) x))"},
                  {"columns", R"((SELECT pg_catalog.string_agg(pg_catalog.quote_ident(sa.attname::pg_catalog.text), ','
                                         ORDER BY sa.attname COLLATE pg_catalog."C")
                  FROM pg_catalog.unnest(s.stxkeys::pg_catalog.int2[]) k
                  JOIN pg_catalog.pg_attribute sa ON sa.attrelid {=} s.stxrelid AND sa.attnum {=} k))"},
                  {"expressions", R"((SELECT pg_catalog.string_agg(e, ',' ORDER BY e COLLATE pg_catalog."C")
                      FROM pg_catalog.unnest(pg_catalog.pg_get_statisticsobjdef_expressions(s.oid)) e))"},
                  plain("target", "CASE WHEN s.stxstattarget {>=} 0 THEN s.stxstattarget END"),
                  {"comment", "d.description"}},
                 R"(FROM rel r
    JOIN pg_catalog.pg_statistic_ext s ON s.stxrelid {=} r.oid
    JOIN pg_catalog.pg_namespace sn ON sn.oid {=} s.stxnamespace)" +
                     described("pg_statistic_ext", "s.oid")});

    b.push_back({"type", "t.ident",
                 {plain("kind", spelled("t.typtype",
                                   {{"e", "enum"}, {"d", "domain"}, {"c", "composite"}, {"r", "range"}},
                                   "base")),
                  {"values", R"(CASE WHEN t.typtype {=} 'e' THEN
                    (SELECT pg_catalog.jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)::pg_catalog.text
                     FROM pg_catalog.pg_enum e WHERE e.enumtypid {=} t.oid) END)"},
                  {"base_type", "CASE WHEN t.typtype {=} 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END"},
                  {"default", "COALESCE(pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typdefault)"},
                  plain("not_null", "CASE WHEN t.typtype {=} 'd' THEN " + boolean("t.typnotnull") + " END"),
                  {"collation", "CASE WHEN t.typtype {=} 'd' AND t.typcollation {<>} bt.typcollation THEN " +
                                    collation_name("t.typcollation") +
                                    " WHEN t.typtype {=} 'r' AND rg.rngcollation {<>} 0 THEN " +
                                    collation_name("rg.rngcollation") + " END"},
                  {"subtype", "pg_catalog.format_type(rg.rngsubtype, NULL)"},
                  {"subtype_opclass", R"((SELECT pg_catalog.format('%I.%I', ocn.nspname, oc.opcname)
                          FROM pg_catalog.pg_opclass oc
                          JOIN pg_catalog.pg_namespace ocn ON ocn.oid {=} oc.opcnamespace
                          WHERE oc.oid {=} rg.rngsubopc))"},
                  {"canonical", function_name("rg.rngcanonical")},
                  {"subtype_diff", function_name("rg.rngsubdiff")},
                  {"multirange", "pg_catalog.format_type(rg.rngmultitypid, NULL)"},
                  {"input", "CASE WHEN t.typtype {=} 'b' THEN " + function_name("t.typinput") + " END"},
                  {"output", "CASE WHEN t.typtype {=} 'b' THEN " + function_name("t.typoutput") + " END"},
                  plain("length", "CASE WHEN t.typtype {=} 'b' THEN t.typlen END"),
                  {"comment", "d.description"},
                  {"acl", acl("t.typacl", "T", "t.typowner")}},
                 R"(FROM typ t
    LEFT JOIN pg_catalog.pg_type bt ON bt.oid {=} t.typbasetype
    LEFT JOIN pg_catalog.pg_range rg ON rg.rngtypid {=} t.oid)" +
                     described("pg_type", "t.oid")});

    b.push_back({"function", "p.oid::pg_catalog.regprocedure::pg_catalog.text",
                 {plain("kind", spelled("p.prokind", {{"p", "procedure"}, {"w", "window"}}, "function")),
                  {"definition", "pg_catalog.pg_get_functiondef(p.oid)"},
                  {"comment", "d.description"},
                  {"acl", acl("p.proacl", "f", "p.proowner")}},
                 "FROM fn p" + described("pg_proc", "p.oid") + R"(
    WHERE p.prokind {<>} 'a')"});

    b.push_back({"aggregate", "p.oid::pg_catalog.regprocedure::pg_catalog.text",
                 {plain("kind", spelled("a.aggkind", {{"o", "ordered-set"}, {"h", "hypothetical-set"}}, "normal")),
                  plain("direct_arguments", "CASE WHEN a.aggnumdirectargs {>} 0 THEN a.aggnumdirectargs END"),
                  {"transition", function_name("a.aggtransfn")},
                  {"state_type", "pg_catalog.format_type(a.aggtranstype, NULL)"},
                  {"initial_value", "a.agginitval"},
                  {"final", function_name("a.aggfinalfn")},
                  plain("final_extra", "CASE WHEN a.aggfinalextra THEN 'true' END"),
                  {"combine", function_name("a.aggcombinefn")},
                  {"serialize", function_name("a.aggserialfn")},
                  {"deserialize", function_name("a.aggdeserialfn")},
                  {"moving_transition", function_name("a.aggmtransfn")},
                  {"moving_inverse", function_name("a.aggminvtransfn")},
                  {"moving_state_type",
                   "CASE WHEN a.aggmtranstype {<>} 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END"},
                  {"moving_initial_value", "a.aggminitval"},
                  {"sort_operator",
                   "CASE WHEN a.aggsortop {<>} 0 THEN a.aggsortop::pg_catalog.regoperator::pg_catalog.text END"},
                  plain("parallel", spelled("p.proparallel", {{"s", "safe"}, {"r", "restricted"}}, "unsafe")),
                  {"comment", "d.description"},
                  {"acl", acl("p.proacl", "f", "p.proowner")}},
                 "FROM fn p JOIN pg_catalog.pg_aggregate a ON a.aggfnoid {=} p.oid" +
                     described("pg_proc", "p.oid") + R"(
    WHERE p.prokind {=} 'a')"});

    b.push_back({"extension", "pg_catalog.format('%I', x.extname)",
                 {{"version", "x.extversion"}, {"schema", "xn.nspname"}, {"comment", "d.description"}},
                 R"(FROM pg_catalog.pg_extension x
    JOIN pg_catalog.pg_namespace xn ON xn.oid {=} x.extnamespace
    CROSS JOIN names)" + described("pg_extension", "x.oid") + R"(
    WHERE x.extname {<>} 'migrations_schema'
      AND (names.list IS NULL OR xn.nspname {=} ANY (names.list)))"});
    return b;
}

constexpr const char* query_head = R"sql(
WITH
names AS (SELECT $1::pg_catalog.text[] AS list),
member AS (
    SELECT m.classid, m.objid FROM pg_catalog.pg_depend m
    WHERE m.refclassid {=} {rc:pg_extension} AND m.deptype {=} 'e'),
ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_catalog.pg_namespace n, names
    WHERE NOT pg_catalog.starts_with(n.nspname::pg_catalog.text, 'pg_')
      AND n.nspname {<>} 'information_schema' AND n.nspname {<>} $2::pg_catalog.text
      AND NOT EXISTS (SELECT FROM member m
                      WHERE m.classid {=} {rc:pg_namespace} AND m.objid {=} n.oid)
      AND (names.list IS NULL OR n.nspname {=} ANY (names.list))),
rel AS (
    SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relowner, c.relacl, c.reloptions,
           c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.relpartbound,
           c.reloftype, c.relam, n.nspname,
           pg_catalog.format('%I.%I', n.nspname, c.relname) AS ident
    FROM pg_catalog.pg_class c JOIN ns n ON n.oid {=} c.relnamespace
    WHERE c.relkind {=} ANY ('{r,p,f,v,m,S,c}'::pg_catalog."char"[])
      AND c.relpersistence {<>} 't'{not_shard}
      AND NOT EXISTS (SELECT FROM member m
                      WHERE m.classid {=} {rc:pg_class} AND m.objid {=} c.oid)
      AND NOT EXISTS (SELECT FROM member m
                      WHERE m.classid {=} {rc:pg_type} AND m.objid {=} c.reltype)),
-- The parents of each table (inheritance or partitioning), in declared order.
inh AS (
    SELECT i.inhrelid,
           pg_catalog.string_agg(pg_catalog.format('%I.%I', pn.nspname, pc.relname), ','
                                 ORDER BY i.inhseqno) AS parents
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class pc ON pc.oid {=} i.inhparent
    JOIN pg_catalog.pg_namespace pn ON pn.oid {=} pc.relnamespace
    GROUP BY i.inhrelid),
-- Types of their own: not the row type of a table, not an implicit array, not a multirange
-- (each is part of another object).
typ AS (
    SELECT t.oid, t.typtype, t.typowner, t.typacl, t.typbasetype, t.typtypmod, t.typnotnull,
           t.typdefaultbin, t.typdefault, t.typcollation, t.typinput, t.typoutput, t.typlen,
           pg_catalog.format('%I.%I', n.nspname, t.typname) AS ident
    FROM pg_catalog.pg_type t JOIN ns n ON n.oid {=} t.typnamespace
    WHERE (t.typtype {=} ANY ('{e,d,r}'::pg_catalog."char"[])
           OR (t.typtype {=} 'b' AND t.typsubscript::pg_catalog.oid {<>}
               'pg_catalog.array_subscript_handler'::pg_catalog.regproc::pg_catalog.oid)
           OR (t.typtype {=} 'c' AND EXISTS (SELECT FROM pg_catalog.pg_class c
                                             WHERE c.oid {=} t.typrelid AND c.relkind {=} 'c')))
      AND NOT EXISTS (SELECT FROM member m
                      WHERE m.classid {=} {rc:pg_type} AND m.objid {=} t.oid)),
-- Functions that are internal parts of another object (the constructors of a range or
-- multirange type) come and go with it.
fn AS (
    SELECT p.oid, p.prokind, p.proowner, p.proacl, p.proparallel
    FROM pg_catalog.pg_proc p JOIN ns n ON n.oid {=} p.pronamespace
    WHERE NOT EXISTS (SELECT FROM member m
                      WHERE m.classid {=} {rc:pg_proc} AND m.objid {=} p.oid)
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend i
                      WHERE i.classid {=} {rc:pg_proc} AND i.objid {=} p.oid
                        AND i.deptype {=} 'i')),
-- One row per kind: its objects, {identity: object, ...}; NULL when there are none.
kinds (kind, objs) AS ()sql";

constexpr const char* query_tail = R"sql(),
fingerprint AS (
    SELECT COALESCE('{' {||} pg_catalog.string_agg(
               pg_catalog.to_json(k.kind)::pg_catalog.text {||} ': ' {||} k.objs, ', '
               ORDER BY pg_catalog.octet_length(k.kind), k.kind COLLATE pg_catalog."C") {||} '}',
           '{}') AS fp
    FROM kinds k),
-- The first name (in array order) that is no schema, and the first that is no user schema.
checked AS (
    SELECT (SELECT u.s FROM pg_catalog.unnest(names.list) WITH ORDINALITY u(s, i)
            WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_namespace n WHERE n.nspname {=} u.s)
            ORDER BY u.i LIMIT 1) AS unknown,
           (SELECT u.s FROM pg_catalog.unnest(names.list) WITH ORDINALITY u(s, i)
            WHERE NOT EXISTS (SELECT FROM ns WHERE ns.nspname {=} u.s)
            ORDER BY u.i LIMIT 1) AS not_user
    FROM names)
SELECT f.fp,
       pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(f.fp, 'UTF8')), 'hex'),
       c.unknown, c.not_user
FROM fingerprint f, checked c
)sql";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    boost::algorithm::replace_all(text, from, to);
}

// On a Citus node: a shard is named after its logical table (in its schema), '_' and its
// shard id; a name too long for that keeps its beginning and the shard id at its end. A shard
// Citus has let go of (a split, a move, a table distributed concurrently) waits in
// pg_dist_cleanup for its deferred drop: it is no longer in pg_dist_shard, and not ours either.
constexpr const char* not_shard = R"sql(
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_shard s
                      JOIN pg_catalog.pg_class lc ON lc.oid {=} s.logicalrelid
                      WHERE s.shardid::pg_catalog.text {=}
                            pg_catalog.substring(c.relname::pg_catalog.text, '_([0-9]+)$')
                        AND lc.oid {<>} c.oid AND lc.relnamespace {=} c.relnamespace
                        AND pg_catalog.starts_with(c.relname::pg_catalog.text,
                                                   pg_catalog.left(lc.relname::pg_catalog.text, 8)))
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_cleanup dc
                      WHERE dc.object_type {=} 1
                        AND dc.object_name {=} pg_catalog.format('%I.%I',
                              (SELECT cn.nspname FROM pg_catalog.pg_namespace cn
                               WHERE cn.oid {=} c.relnamespace), c.relname)))sql";

// Each kind is aggregated on its own: its rows need no sorting by kind first.
std::string build_query(bool citus) {
    std::string sql = query_head;
    replace_all(sql, "{not_shard}", citus ? not_shard : "");
    bool first = true;
    for (const auto& branch : branches(citus)) {
        sql += first ? "\n    " : "\n    UNION ALL\n    ";
        sql += "SELECT '" + branch.kind + R"('::pg_catalog.text,
        '{' {||} pg_catalog.string_agg(
            pg_catalog.to_json(o.ident)::pg_catalog.text {||} ': ' {||} o.obj, ', '
            ORDER BY pg_catalog.octet_length(o.ident), o.ident COLLATE pg_catalog."C") {||} '}'
    FROM (SELECT )" + branch.ident + " AS ident,\n        " + object_text(branch.attributes) +
               " AS obj\n    " + branch.from + ") o";
        first = false;
    }
    return expand_catalog_sql(sql + query_tail);
}

// Where each kind's object sits, for the expected state (schema/expected_state.cpp): its
// root (the object recomputed as a whole when anything of it changes: a relation with its
// columns, constraints, indexes, triggers, policies, rules and statistics; a type with its
// domain constraints; a function; a schema; an extension) and its own catalog address, as
// the event triggers report it.
struct Placement {
    const char* root_kind;
    const char* root_ident;
    const char* classid;
    const char* objid;
    const char* objsubid;
    const char* subset;  // the condition that keeps the touched objects only (or "")
    const char* schema;  // the schema it is in, for migrations_schema.managed_schemas
};

Placement placement(const std::string& kind) {
    if (kind == "schema")
        return {"schema", "pg_catalog.format('%I', n.nspname)", "{rc:pg_namespace}", "n.oid", "0",
                "n.oid {=} ANY ((SELECT s.nsps FROM sel s)::pg_catalog.oid[])", "n.nspname"};
    if (kind == "table" || kind == "view" || kind == "sequence")
        return {"rel", "r.ident", "{rc:pg_class}", "r.oid", "0", "", "r.nspname"};
    if (kind == "column")
        return {"rel", "r.ident", "{rc:pg_class}", "r.oid", "a.attnum", "", "r.nspname"};
    if (kind == "constraint")
        return {"CASE WHEN o.relid {<>} 0 THEN 'rel' ELSE 'type' END", "o.ident",
                "{rc:pg_constraint}", "co.oid", "0", "",
                "(SELECT cn.nspname FROM pg_catalog.pg_namespace cn WHERE cn.oid {=} co.connamespace)"};
    if (kind == "index")
        return {"rel", "r.ident", "{rc:pg_class}", "i.indexrelid", "0", "", "r.nspname"};
    if (kind == "trigger")
        return {"rel", "r.ident", "{rc:pg_trigger}", "tg.oid", "0", "", "r.nspname"};
    if (kind == "policy")
        return {"rel", "r.ident", "{rc:pg_policy}", "po.oid", "0", "", "r.nspname"};
    if (kind == "rule")
        return {"rel", "r.ident", "{rc:pg_rewrite}", "rw.oid", "0", "", "r.nspname"};
    if (kind == "statistics")
        return {"rel", "r.ident", "{rc:pg_statistic_ext}", "s.oid", "0", "", "r.nspname"};
    if (kind == "type")
        return {"type", "t.ident", "{rc:pg_type}", "t.oid", "0", "",
                "(SELECT tn.nspname FROM pg_catalog.pg_type tt JOIN pg_catalog.pg_namespace tn "
                "ON tn.oid {=} tt.typnamespace WHERE tt.oid {=} t.oid)"};
    if (kind == "function" || kind == "aggregate")
        return {"function", "p.oid::pg_catalog.regprocedure::pg_catalog.text", "{rc:pg_proc}",
                "p.oid", "0", "",
                "(SELECT pn.nspname FROM pg_catalog.pg_proc pp JOIN pg_catalog.pg_namespace pn "
                "ON pn.oid {=} pp.pronamespace WHERE pp.oid {=} p.oid)"};
    if (kind == "extension")
        return {"extension", "pg_catalog.format('%I', x.extname)", "{rc:pg_extension}", "x.oid",
                "0", "x.oid {=} ANY ((SELECT s.exts FROM sel s)::pg_catalog.oid[])", "xn.nspname"};
    throw std::logic_error("no placement for the fingerprint kind " + kind);
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
    const std::size_t pos = text.find(from);
    if (pos == std::string::npos || text.find(from, pos + 1) != std::string::npos)
        throw std::logic_error("the object fingerprint query lost its anchor: " + from);
    text.replace(pos, from.size(), to);
}

// One row per object: kind, ident, obj (its attributes as jsonb text), root_kind, root_ident,
// classid, objid, objsubid, reported (a touched address is its own). The same objects and
// text as the whole fingerprint; with `touched`, only the roots the runner touched, given as
// oid[] texts $3 (relations) to $7 (extensions) as touched_selection.hpp selects them, and
// only the kinds named; $8 is the last touched row.
std::string build_object_query(bool citus, bool touched, const std::set<std::string>& kinds = {}) {
    std::string head = query_head;
    replace_all(head, "{not_shard}", citus ? not_shard : "");
    head = head.substr(0, head.find("-- One row per kind"));
    if (touched) {
        replace_once(head, "WITH\n",
                     "WITH\nsel AS (SELECT $3::pg_catalog.text::pg_catalog.oid[] AS rels, "
                     "$4::pg_catalog.text::pg_catalog.oid[] AS typs, "
                     "$5::pg_catalog.text::pg_catalog.oid[] AS fns, "
                     "$6::pg_catalog.text::pg_catalog.oid[] AS nsps, "
                     "$7::pg_catalog.text::pg_catalog.oid[] AS exts),\n");
        replace_once(head, "FROM pg_catalog.pg_class c JOIN ns n ON n.oid {=} c.relnamespace\n    WHERE ",
                     "FROM pg_catalog.pg_class c JOIN ns n ON n.oid {=} c.relnamespace\n    WHERE "
                     "c.oid {=} ANY ((SELECT s.rels FROM sel s)::pg_catalog.oid[]) AND ");
        replace_once(head, "FROM pg_catalog.pg_type t JOIN ns n ON n.oid {=} t.typnamespace\n    WHERE ",
                     "FROM pg_catalog.pg_type t JOIN ns n ON n.oid {=} t.typnamespace\n    WHERE "
                     "t.oid {=} ANY ((SELECT s.typs FROM sel s)::pg_catalog.oid[]) AND ");
        replace_once(head, "FROM pg_catalog.pg_proc p JOIN ns n ON n.oid {=} p.pronamespace\n    WHERE ",
                     "FROM pg_catalog.pg_proc p JOIN ns n ON n.oid {=} p.pronamespace\n    WHERE "
                     "p.oid {=} ANY ((SELECT s.fns FROM sel s)::pg_catalog.oid[]) AND ");
        // A few objects: the extension membership of each is looked up by its index rather
        // than by reading every membership of the database.
        replace_all(head, "FROM member m\n                      WHERE ",
                    "FROM pg_catalog.pg_depend m\n                      WHERE m.refclassid {=} "
                    "{rc:pg_extension} AND m.deptype {=} 'e' AND ");
    }
    std::string sql = head + "objects AS (";
    bool first = true;
    for (const auto& branch : branches(citus)) {
        if (touched && kinds.count(branch.kind) == 0)
            continue;
        const Placement p = placement(branch.kind);
        const std::string root_kind =
            std::strchr(p.root_kind, ' ') ? p.root_kind : "'" + std::string(p.root_kind) + "'";
        std::string from = branch.from;
        if (touched && *p.subset)
            from += (branch.kind == "schema" ? "\n    WHERE " : "\n      AND ") + std::string(p.subset);
        sql += first ? "\n    " : "\n    UNION ALL\n    ";
        sql += "SELECT '" + branch.kind + "'::pg_catalog.text AS kind, " + branch.ident +
               " AS ident,\n        " + object_text(branch.attributes) + " AS obj,\n        " +
               root_kind + "::pg_catalog.text AS root_kind, " + p.root_ident +
               "::pg_catalog.text AS root_ident, " + p.classid + "::pg_catalog.oid AS classid, " +
               p.objid + "::pg_catalog.oid AS objid, " + p.objsubid +
               "::pg_catalog.int4 AS objsubid, " + p.schema +
               "::pg_catalog.text AS schema_name\n    " + from;
        first = false;
    }
    sql += ")\nSELECT o.kind, o.ident, o.obj, o.root_kind, o.root_ident, "
           "o.classid::pg_catalog.text, o.objid::pg_catalog.text, o.objsubid::pg_catalog.text, "
           "o.schema_name, ";
    sql += touched ? "EXISTS (SELECT FROM migrations_schema.expected_touched tt "
                     "WHERE tt.id OPERATOR(pg_catalog.<=) $8::pg_catalog.int8 "
                     "AND tt.classid {=} o.classid AND tt.objid {=} o.objid "
                     "AND tt.objsubid {=} o.objsubid)"
                   : "false";
    sql += " FROM objects o";
    return expand_catalog_sql(sql);
}

// The settings that change how values and names are printed, pinned while the query runs:
// a date in a partition bound or a default, a timestamptz, a float, a bytea, a quoted
// identifier must read the same whatever the caller's session has set. JIT is off: a
// catalog query this size would spend longer compiling than running; work_mem is raised so
// that sorting a large schema's objects stays in memory.
class OutputSettings {
public:
    OutputSettings() {
        static const std::pair<const char*, const char*> pinned[] = {
            {"DateStyle", "ISO, YMD"},        {"IntervalStyle", "postgres"},
            {"TimeZone", "UTC"},              {"extra_float_digits", "1"},
            {"bytea_output", "hex"},          {"standard_conforming_strings", "on"},
            {"quote_all_identifiers", "off"}, {"lc_monetary", "C"},
            {"jit", "off"},                   {"work_mem", "64MB"},
        };
        for (const auto& setting : pinned)
            pg_call([&] {
                (void)set_config_option(setting.first, setting.second, PGC_USERSET,
                                        PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
            });
    }

private:
    SettingsScope restore_;  // first member: it opens the level the settings above go into
};

}  // namespace

std::uint64_t query_object_fingerprints(const std::optional<std::vector<std::string>>& schemas,
                                        std::optional<std::int64_t> touched_up_to,
                                        const std::vector<std::string>& root_kinds,
                                        const std::vector<std::string>& root_idents) {
    fault_point("fingerprint");
    const bool citus = citus_catalog_present();
    if (!touched_up_to) {
        static const std::string every[2] = {build_object_query(false, false),
                                             build_object_query(true, false)};
        OutputSettings settings;
        return spi_query(every[citus ? 1 : 0].c_str(),
                         {text_array_arg(schemas), text_arg(std::string(tracking_schema))});
    }
    const TouchedSelection touched = select_touched(*touched_up_to, root_kinds, root_idents);
    if (touched.kinds.empty())
        return 0;
    // A few combinations of kinds recur (a table and its columns, with or without indexes):
    // their texts are kept for the session.
    static std::map<std::pair<bool, std::set<std::string>>, std::string> built;
    auto query = built.find({citus, touched.kinds});
    if (query == built.end())
        query = built.emplace(std::make_pair(citus, touched.kinds),
                              build_object_query(citus, true, touched.kinds))
                    .first;
    OutputSettings settings;
    return spi_query(query->second.c_str(),
                     {text_array_arg(schemas), text_arg(std::string(tracking_schema)),
                      text_arg(touched.rels), text_arg(touched.typs), text_arg(touched.fns),
                      text_arg(touched.nsps), text_arg(touched.exts),
                      text_arg(std::to_string(*touched_up_to))});
}

SchemaFingerprint schema_fingerprint(const std::optional<std::vector<std::string>>& schemas) {
    fault_point("fingerprint");
    static const std::string plain_query = build_query(false);
    static const std::string citus_query = build_query(true);
    std::uint64_t rows = 0;
    const std::string& query = citus_catalog_present() ? citus_query : plain_query;
    // The query reads the catalog under its snapshot, and some of the functions it calls
    // (pg_get_indexdef, pg_get_viewdef, ...) open the relation under the latest one: another
    // session dropping an object in between makes them fail with an internal error. Such an
    // error is the other session's doing, not ours: the query runs again, in a subtransaction
    // that is rolled back first, and sees the catalog without the object.
    for (int attempt = 1;; ++attempt) {
        bool vanished = false;
        try {
            in_subtransaction([&] {
                OutputSettings settings;
                rows = spi_query(query.c_str(),
                                 {text_array_arg(schemas), text_arg(std::string(tracking_schema))});
            });
        } catch (const PgError& e) {
            const std::string message = e.what();
            if (attempt >= 8 || e.data()->sqlerrcode != ERRCODE_INTERNAL_ERROR ||
                !(boost::algorithm::starts_with(message, "could not open relation with OID") ||
                  boost::algorithm::starts_with(message, "cache lookup failed")))
                throw;
            vanished = true;
        }
        if (!vanished)
            break;
    }
    if (rows != 1)
        throw std::runtime_error("the schema fingerprint query returned no row");
    if (const auto unknown = spi_text(0, 3))
        throw core::Failure(core::FailureKind::UndefinedSchema,
                            "schema \"" + *unknown + "\" does not exist", {},
                            "Name existing schemas, or pass NULL for every user schema.");
    if (const auto other = spi_text(0, 4))
        throw core::Failure(core::FailureKind::InvalidValue,
                            "schema \"" + *other + "\" is not a user schema",
                            "The fingerprint leaves out the system schemas (pg_*, "
                            "information_schema), the extension's own schema " +
                                std::string(tracking_schema) +
                                " and schemas that belong to an extension.",
                            "Name user schemas only, or pass NULL for every user schema.");
    SchemaFingerprint result;
    result.json = spi_required_text(0, 1);
    result.sha256 = spi_required_text(0, 2);
    return result;
}

}  // namespace ms::pg
