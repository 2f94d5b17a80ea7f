#include "pg/schema/schema_description.hpp"

#include "core/base/failure.hpp"
#include "pg/base/extension_objects.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/catalog_sql.hpp"
#include "pg/schema/fingerprint.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
}

#include <stdexcept>

namespace ms::pg {

namespace {

// Every object of the user schemas that a pg_depend row can name, with the fingerprint's
// kind and identity. A default (pg_attrdef) is its column, a view's _RETURN rule and a
// relation's row type are the relation, an array type is its element type. $1 text[]: the
// schemas (NULL: every user schema); $2 text: the tracking schema.
// {=} stands for OPERATOR(pg_catalog.=), {<>} for OPERATOR(pg_catalog.<>).
constexpr const char* objects_sql = R"sql(
WITH names AS (SELECT $1::pg_catalog.text[] AS list),
ns AS (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n, names
    WHERE NOT pg_catalog.starts_with(n.nspname::pg_catalog.text, 'pg_')
      AND n.nspname {<>} 'information_schema' AND n.nspname {<>} $2::pg_catalog.text
      AND (names.list IS NULL OR n.nspname {=} ANY (names.list))),
rel AS (
    SELECT c.oid, c.relname, c.relkind, c.reltype, n.nspname,
           CASE WHEN c.relkind {=} ANY ('{r,p,f}'::pg_catalog."char"[]) THEN 'table'
                WHEN c.relkind {=} ANY ('{v,m}'::pg_catalog."char"[]) THEN 'view'
                WHEN c.relkind {=} 'S' THEN 'sequence'
                WHEN c.relkind {=} ANY ('{i,I}'::pg_catalog."char"[]) THEN 'index'
                ELSE 'type' END AS kind,
           pg_catalog.format('%I.%I', n.nspname, c.relname) AS ident
    FROM pg_catalog.pg_class c JOIN ns n ON n.oid {=} c.relnamespace
    WHERE c.relkind {=} ANY ('{r,p,f,v,m,S,i,I,c}'::pg_catalog."char"[])),
obj (classid, objid, subid, kind, ident) AS (
    SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid, 0, 'schema',
           pg_catalog.format('%I', n.nspname)
    FROM ns n
    UNION ALL
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, r.oid, 0, r.kind, r.ident FROM rel r
    UNION ALL
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, r.oid, a.attnum::pg_catalog.int4, 'column',
           pg_catalog.format('%s.%I', r.ident, a.attname)
    FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid {=} r.oid
    WHERE a.attnum {>} 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass, ad.oid, 0, 'column',
           pg_catalog.format('%s.%I', r.ident, a.attname)
    FROM rel r JOIN pg_catalog.pg_attrdef ad ON ad.adrelid {=} r.oid
    JOIN pg_catalog.pg_attribute a ON a.attrelid {=} ad.adrelid AND a.attnum {=} ad.adnum
    UNION ALL
    SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, co.oid, 0, 'constraint',
           pg_catalog.format('%I.%I.%I', n.nspname, COALESCE(c.relname, t.typname), co.conname)
    FROM pg_catalog.pg_constraint co
    LEFT JOIN pg_catalog.pg_class c ON c.oid {=} co.conrelid
    LEFT JOIN pg_catalog.pg_type t ON t.oid {=} co.contypid
    JOIN ns n ON n.oid {=} COALESCE(c.relnamespace, t.typnamespace)
    WHERE co.contype {<>} 'n'  -- 18's NOT NULL constraints: the column's not_null
    UNION ALL
    SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, 0,
           COALESCE(r.kind, 'type'),
           COALESCE(r.ident, pg_catalog.format('%I.%I', n.nspname, b.typname))
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_type b
      ON b.oid {=} CASE WHEN t.typelem {<>} 0 AND t.typsubscript::pg_catalog.oid {=}
                             'pg_catalog.array_subscript_handler'::pg_catalog.regproc::pg_catalog.oid
                        THEN t.typelem ELSE t.oid END
    JOIN ns n ON n.oid {=} b.typnamespace
    LEFT JOIN rel r ON r.oid {=} b.typrelid
    UNION ALL
    SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0,
           CASE WHEN p.prokind {=} 'a' THEN 'aggregate' ELSE 'function' END,
           p.oid::pg_catalog.regprocedure::pg_catalog.text
    FROM pg_catalog.pg_proc p JOIN ns n ON n.oid {=} p.pronamespace
    UNION ALL
    SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass, tg.oid, 0, 'trigger',
           pg_catalog.format('%s.%I', r.ident, tg.tgname)
    FROM rel r JOIN pg_catalog.pg_trigger tg ON tg.tgrelid {=} r.oid
    -- a foreign key's triggers on the referenced table are the key's, not that table's
    WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass, po.oid, 0, 'policy',
           pg_catalog.format('%s.%I', r.ident, po.polname)
    FROM rel r JOIN pg_catalog.pg_policy po ON po.polrelid {=} r.oid
    UNION ALL
    SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, rw.oid, 0,
           CASE WHEN rw.rulename {=} '_RETURN' THEN r.kind ELSE 'rule' END,
           CASE WHEN rw.rulename {=} '_RETURN' THEN r.ident
                ELSE pg_catalog.format('%s.%I', r.ident, rw.rulename) END
    FROM rel r JOIN pg_catalog.pg_rewrite rw ON rw.ev_class {=} r.oid
    UNION ALL
    SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, s.oid, 0, 'statistics',
           pg_catalog.format('%I.%I', n.nspname, s.stxname)
    FROM pg_catalog.pg_statistic_ext s JOIN ns n ON n.oid {=} s.stxnamespace
    UNION ALL
    SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass, x.oid, 0, 'extension',
           pg_catalog.format('%I', x.extname)
    FROM pg_catalog.pg_extension x)
)sql";

constexpr const char* description_tail = R"sql(,
deps AS (
    SELECT DISTINCT d.kind, d.ident, r.kind AS rkind, r.ident AS rident
    FROM pg_catalog.pg_depend dep
    JOIN obj d ON d.classid {=} dep.classid AND d.objid {=} dep.objid AND d.subid {=} dep.objsubid
    JOIN obj r ON r.classid {=} dep.refclassid AND r.objid {=} dep.refobjid
              AND r.subid {=} dep.refobjsubid
    WHERE dep.deptype {=} ANY ('{n,a,i}'::pg_catalog."char"[])
      AND (d.kind {<>} r.kind OR d.ident {<>} r.ident)),
positions AS (
    SELECT pg_catalog.format('%s.%I', r.ident, a.attname) AS ident, a.attnum
    FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid {=} r.oid
    WHERE a.attnum {>} 0 AND NOT a.attisdropped
      AND r.kind {=} ANY ('{table,view,type}'::pg_catalog.text[])),
implied (kind, ident, okind, oident) AS (
    -- an inherited column comes with its table (PARTITION OF, INHERITS, or the parent's ADD)
    SELECT 'column', pg_catalog.format('%s.%I', r.ident, a.attname), r.kind, r.ident
    FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid {=} r.oid
    WHERE a.attnum {>} 0 AND NOT a.attisdropped AND NOT a.attislocal AND r.kind {=} 'table'
    UNION ALL
    -- a partition's clone of its parent's constraint; an inherited check
    SELECT 'constraint', o.ident, COALESCE(po.kind, 'table'),
           COALESCE(po.ident, pg_catalog.format('%I.%I', n.nspname, c.relname))
    FROM pg_catalog.pg_constraint co
    JOIN obj o ON o.classid {=} 'pg_catalog.pg_constraint'::pg_catalog.regclass AND o.objid {=} co.oid
    JOIN pg_catalog.pg_class c ON c.oid {=} co.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid {=} c.relnamespace
    LEFT JOIN obj po ON po.classid {=} 'pg_catalog.pg_constraint'::pg_catalog.regclass
                    AND po.objid {=} co.conparentid
    WHERE (co.conparentid {<>} 0 OR NOT co.conislocal) AND co.contype {<>} 'n'
    UNION ALL
    -- a partition's index attached to its parent's
    SELECT 'index', ci.ident, pi.kind, pi.ident
    FROM pg_catalog.pg_inherits i
    JOIN rel ci ON ci.oid {=} i.inhrelid AND ci.kind {=} 'index'
    JOIN rel pi ON pi.oid {=} i.inhparent
    UNION ALL
    -- a partition's clone of its parent's trigger
    SELECT 'trigger', o.ident, po.kind, po.ident
    FROM pg_catalog.pg_trigger tg
    JOIN obj o ON o.classid {=} 'pg_catalog.pg_trigger'::pg_catalog.regclass AND o.objid {=} tg.oid
    JOIN obj po ON po.classid {=} 'pg_catalog.pg_trigger'::pg_catalog.regclass
               AND po.objid {=} tg.tgparentid
    WHERE tg.tgparentid {<>} 0)
SELECT pg_catalog.jsonb_build_object(
    'fingerprint', $3::pg_catalog.jsonb,
    'dependencies', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(kind, ident, rkind, rident)
                                                         ORDER BY kind, ident, rkind, rident)
                              FROM deps), '[]'::pg_catalog.jsonb),
    'positions', COALESCE((SELECT pg_catalog.jsonb_object_agg(ident, attnum) FROM positions),
                          '{}'::pg_catalog.jsonb),
    'implied', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(kind, ident, okind, oident)
                                                    ORDER BY kind, ident)
                         FROM implied), '[]'::pg_catalog.jsonb))::pg_catalog.text
)sql";


// The first thing in the argument that is not a fingerprint's shape, or NULL. $1: the
// fingerprint part (the argument, or its "fingerprint" member).
constexpr const char* shape_check_sql = R"sql(
SELECT CASE
    WHEN pg_catalog.jsonb_typeof(f) {<>} 'object' THEN 'it is a JSON ' {||} pg_catalog.jsonb_typeof(f) {||} ', not an object'
    ELSE (SELECT pg_catalog.format('%s is %s', p, t) FROM (
              SELECT pg_catalog.format('kind %s', k.key) AS p,
                     'a JSON ' {||} pg_catalog.jsonb_typeof(k.value) {||} ', not an object' AS t, 1 AS o
              FROM pg_catalog.jsonb_each(f) k WHERE pg_catalog.jsonb_typeof(k.value) {<>} 'object'
              UNION ALL
              SELECT pg_catalog.format('%s %s', k.key, o.key),
                     'a JSON ' {||} pg_catalog.jsonb_typeof(o.value) {||} ', not an object', 2
              FROM pg_catalog.jsonb_each(f) k, pg_catalog.jsonb_each(k.value) o
              WHERE pg_catalog.jsonb_typeof(k.value) {=} 'object'
                AND pg_catalog.jsonb_typeof(o.value) {<>} 'object'
              UNION ALL
              SELECT pg_catalog.format('attribute %s of %s %s', a.key, k.key, o.key),
                     'a JSON ' {||} pg_catalog.jsonb_typeof(a.value) {||} ', not a string', 3
              FROM pg_catalog.jsonb_each(f) k, pg_catalog.jsonb_each(k.value) o,
                   pg_catalog.jsonb_each(o.value) a
              WHERE pg_catalog.jsonb_typeof(k.value) {=} 'object'
                AND pg_catalog.jsonb_typeof(o.value) {=} 'object'
                AND pg_catalog.jsonb_typeof(a.value) {<>} 'string'
              ORDER BY 3, 1 LIMIT 1) x)
    END
FROM (SELECT CASE WHEN pg_catalog.jsonb_typeof($1::pg_catalog.jsonb) {=} 'object'
                        AND $1::pg_catalog.jsonb {?} 'fingerprint'
                  THEN $1::pg_catalog.jsonb {->} 'fingerprint' ELSE $1::pg_catalog.jsonb END AS f) s
)sql";

constexpr const char* pairs_sql = R"sql(
SELECT e {->>} 0, e {->>} 1, e {->>} 2, e {->>} 3
FROM pg_catalog.jsonb_array_elements(
         CASE WHEN pg_catalog.jsonb_typeof($1::pg_catalog.jsonb {->} $2) {=} 'array'
              THEN $1::pg_catalog.jsonb {->} $2 ELSE '[]'::pg_catalog.jsonb END) e
WHERE pg_catalog.jsonb_typeof(e) {=} 'array'
  AND (e {->>} 0) IS NOT NULL AND (e {->>} 1) IS NOT NULL AND (e {->>} 2) IS NOT NULL AND (e {->>} 3) IS NOT NULL
)sql";

std::vector<core::SchemaDependency> read_pairs(const std::string& json, const char* member) {
    static const std::string sql = expand_catalog_sql(pairs_sql);
    const auto rows = spi_query(sql.c_str(), {text_arg(json), text_arg(std::string(member))});
    std::vector<core::SchemaDependency> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back({{spi_required_text(i, 1), spi_required_text(i, 2)},
                       {spi_required_text(i, 3), spi_required_text(i, 4)}});
    return out;
}

}  // namespace

std::string schema_description(const std::optional<std::vector<std::string>>& schemas) {
    const SchemaFingerprint fp = schema_fingerprint(schemas);
    static const std::string sql = expand_catalog_sql(std::string(objects_sql) + description_tail);
    spi_query(sql.c_str(), {text_array_arg(schemas), text_arg(std::string(tracking_schema)),
                            text_arg(fp.json)});
    return spi_required_text(0, 1);
}

core::SchemaModel description_model(const std::string& json, const char* argument) {
    static const std::string check = expand_catalog_sql(shape_check_sql);
    spi_query(check.c_str(), {text_arg(json)});
    if (const auto problem = spi_text(0, 1))
        throw core::Failure(core::FailureKind::InvalidValue,
                            std::string(argument) + " is not a schema fingerprint: " + *problem,
                            "A fingerprint is {kind: {identity: {attribute: text}}}, as "
                            "migrate_schema_fingerprint() returns it; a description is "
                            "{\"fingerprint\": ..., \"dependencies\": ...}, as "
                            "migrate_schema_description() returns it.",
                            "Pass the result of migrate_schema_fingerprint() or "
                            "migrate_schema_description() of the database with the desired schema.");
    const auto rows = spi_query(
        "SELECT k.key, o.key, a.key, a.value "
        "FROM (SELECT CASE WHEN $1::pg_catalog.jsonb OPERATOR(pg_catalog.?) 'fingerprint' "
        "             THEN $1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'fingerprint' "
        "             ELSE $1::pg_catalog.jsonb END AS f) s, "
        "pg_catalog.jsonb_each(s.f) k, pg_catalog.jsonb_each(k.value) o, "
        "pg_catalog.jsonb_each_text(o.value) a",
        {text_arg(json)});
    std::vector<core::SchemaAttribute> attributes;
    attributes.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        attributes.push_back({spi_required_text(i, 1), spi_required_text(i, 2),
                              spi_required_text(i, 3), spi_text(i, 4).value_or("")});
    std::map<std::string, int> positions;
    const auto n = spi_query(
        "SELECT p.key, p.value FROM pg_catalog.jsonb_each_text("
        "CASE WHEN pg_catalog.jsonb_typeof($1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'positions') "
        "OPERATOR(pg_catalog.=) 'object' THEN $1::pg_catalog.jsonb OPERATOR(pg_catalog.->) 'positions' "
        "ELSE '{}'::pg_catalog.jsonb END) p "
        "WHERE p.value OPERATOR(pg_catalog.~) '^[0-9]{1,9}$'",
        {text_arg(json)});
    for (std::uint64_t i = 0; i < n; ++i)
        positions[spi_required_text(i, 1)] = std::stoi(spi_required_text(i, 2));
    const auto dependencies = read_pairs(json, "dependencies");
    const auto implied = read_pairs(json, "implied");
    return core::build_model(attributes, dependencies, positions, implied);
}

}  // namespace ms::pg
