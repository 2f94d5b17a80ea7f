#include "pg/schema/touched_selection.hpp"

#include "pg/base/spi.hpp"
#include "pg/schema/catalog_sql.hpp"

#include <array>
#include <string>

namespace ms::pg {

namespace {

// The objects the runner's statements touched (rows up to $1), each taken to its root, and
// what came along (pg_depend): the views over a changed relation, the sequences it owns, the
// relations and functions that use a changed type.
constexpr const char* selection_sql = R"sql(
WITH
touched AS (
    SELECT DISTINCT x.classid, x.objid FROM (
        SELECT tt.classid, tt.objid FROM migrations_schema.expected_touched tt
        WHERE tt.id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8 AND tt.classid IS NOT NULL
        -- The roots the store names for what was touched ($2, $3): a dropped index or view
        -- is gone from the catalogs, but the table it was on is still there and is taken
        -- again as a whole, with what stays of it.
        UNION ALL
        SELECT CASE r.k WHEN 'rel' THEN {rc:pg_class} WHEN 'type' THEN {rc:pg_type}
                        WHEN 'function' THEN {rc:pg_proc} WHEN 'schema' THEN {rc:pg_namespace}
                        WHEN 'extension' THEN {rc:pg_extension} END::pg_catalog.oid,
               CASE r.k WHEN 'rel' THEN pg_catalog.to_regclass(r.i)::pg_catalog.oid
                        WHEN 'type' THEN pg_catalog.to_regtype(r.i)::pg_catalog.oid
                        -- Not to_regprocedure: on PostgreSQL 15 it raises when an argument's
                        -- type is gone (a function over a dropped table's row type).
                        WHEN 'function' THEN (SELECT p.oid FROM migrations_schema.expected_object e
                            JOIN pg_catalog.pg_proc p ON p.oid {=} e.objid
                            WHERE e.kind {=} ANY (ARRAY['function', 'aggregate'])
                              AND e.identity {=} r.i AND e.classid {=} {rc:pg_proc}
                              AND p.oid::pg_catalog.regprocedure::pg_catalog.text {=} r.i)
                        WHEN 'schema' THEN pg_catalog.to_regnamespace(r.i)::pg_catalog.oid
                        WHEN 'extension' THEN (SELECT x.oid FROM pg_catalog.pg_extension x
                            WHERE pg_catalog.format('%I', x.extname) {=} r.i) END
        FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]),
                        pg_catalog.unnest($3::pg_catalog.text[])) r(k, i)) x
    WHERE x.classid IS NOT NULL AND x.objid IS NOT NULL),
trel AS (
    SELECT t.objid AS oid FROM touched t WHERE t.classid {=} {rc:pg_class}
    UNION SELECT i.indrelid FROM touched t JOIN pg_catalog.pg_index i
        ON t.classid {=} {rc:pg_class} AND i.indexrelid {=} t.objid
    UNION SELECT co.conrelid FROM touched t JOIN pg_catalog.pg_constraint co
        ON t.classid {=} {rc:pg_constraint} AND co.oid {=} t.objid WHERE co.conrelid {<>} 0
    UNION SELECT tg.tgrelid FROM touched t JOIN pg_catalog.pg_trigger tg
        ON t.classid {=} {rc:pg_trigger} AND tg.oid {=} t.objid
    UNION SELECT po.polrelid FROM touched t JOIN pg_catalog.pg_policy po
        ON t.classid {=} {rc:pg_policy} AND po.oid {=} t.objid
    UNION SELECT rw.ev_class FROM touched t JOIN pg_catalog.pg_rewrite rw
        ON t.classid {=} {rc:pg_rewrite} AND rw.oid {=} t.objid
    UNION SELECT sx.stxrelid FROM touched t JOIN pg_catalog.pg_statistic_ext sx
        ON t.classid {=} {rc:pg_statistic_ext} AND sx.oid {=} t.objid
    UNION SELECT ad.adrelid FROM touched t JOIN pg_catalog.pg_attrdef ad
        ON t.classid {=} {rc:pg_attrdef} AND ad.oid {=} t.objid
    UNION SELECT ty.typrelid FROM touched t JOIN pg_catalog.pg_type ty
        ON t.classid {=} {rc:pg_type} AND ty.oid {=} t.objid WHERE ty.typrelid {<>} 0
    UNION SELECT c.oid FROM migrations_schema.expected_touched tt JOIN pg_catalog.pg_class c
        ON c.oid {=} pg_catalog.to_regclass(tt.root_identity)::pg_catalog.oid
        WHERE tt.id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8 AND tt.root_kind {=} 'rel'),
ttyp AS (
    SELECT t.objid AS oid FROM touched t WHERE t.classid {=} {rc:pg_type}
    UNION SELECT co.contypid FROM touched t JOIN pg_catalog.pg_constraint co
        ON t.classid {=} {rc:pg_constraint} AND co.oid {=} t.objid WHERE co.contypid {<>} 0
    UNION SELECT c.reltype FROM trel JOIN pg_catalog.pg_class c ON c.oid {=} trel.oid
        WHERE c.relkind {=} 'c'),
came_along AS (
    SELECT rw.ev_class AS oid FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite rw ON rw.oid {=} d.objid
        WHERE d.classid {=} {rc:pg_rewrite} AND d.refclassid {=} {rc:pg_class}
          AND d.refobjid IN (SELECT oid FROM trel)
    UNION SELECT d.objid FROM pg_catalog.pg_depend d
        WHERE d.classid {=} {rc:pg_class} AND d.refclassid {=} {rc:pg_class}
          AND d.refobjid IN (SELECT oid FROM trel) AND d.deptype {=} ANY ('{a,i}'::pg_catalog."char"[])
    UNION SELECT d.objid FROM pg_catalog.pg_depend d
        WHERE d.classid {=} {rc:pg_class} AND d.refclassid {=} {rc:pg_type}
          AND d.refobjid IN (SELECT oid FROM ttyp)),
sel AS (
    SELECT ARRAY(SELECT oid FROM trel UNION SELECT oid FROM came_along) AS rels,
           ARRAY(SELECT oid FROM ttyp) AS typs,
           ARRAY(SELECT t.objid FROM touched t WHERE t.classid {=} {rc:pg_proc}
                 UNION SELECT d.objid FROM pg_catalog.pg_depend d
                 WHERE d.classid {=} {rc:pg_proc} AND d.refclassid {=} {rc:pg_type}
                   AND d.refobjid IN (SELECT oid FROM ttyp)) AS fns,
           ARRAY(SELECT t.objid FROM touched t WHERE t.classid {=} {rc:pg_namespace}) AS nsps,
           ARRAY(SELECT t.objid FROM touched t WHERE t.classid {=} {rc:pg_extension}) AS exts)
SELECT s.rels::pg_catalog.text, s.typs::pg_catalog.text, s.fns::pg_catalog.text,
       s.nsps::pg_catalog.text, s.exts::pg_catalog.text,
       pg_catalog.cardinality(s.nsps) {>} 0,
       EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid {=} ANY (s.rels)
               AND c.relkind {=} ANY ('{r,p,f}'::pg_catalog."char"[])),
       EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid {=} ANY (s.rels)
               AND c.relkind {=} ANY ('{v,m}'::pg_catalog."char"[])),
       EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid {=} ANY (s.rels)
               AND c.relkind {=} 'S'),
       EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid {=} ANY (s.rels)
               AND c.relkind {<>} 'S'),
       EXISTS (SELECT FROM pg_catalog.pg_constraint co WHERE co.conrelid {=} ANY (s.rels))
           OR EXISTS (SELECT FROM pg_catalog.pg_constraint co WHERE co.contypid {=} ANY (s.typs)),
       EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid {=} ANY (s.rels)),
       EXISTS (SELECT FROM pg_catalog.pg_trigger tg WHERE tg.tgrelid {=} ANY (s.rels)
               AND NOT tg.tgisinternal),
       EXISTS (SELECT FROM pg_catalog.pg_policy po WHERE po.polrelid {=} ANY (s.rels)),
       EXISTS (SELECT FROM pg_catalog.pg_rewrite rw WHERE rw.ev_class {=} ANY (s.rels)
               AND rw.rulename {<>} '_RETURN'),
       EXISTS (SELECT FROM pg_catalog.pg_statistic_ext sx WHERE sx.stxrelid {=} ANY (s.rels)),
       pg_catalog.cardinality(s.typs) {>} 0,
       EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.oid {=} ANY (s.fns) AND p.prokind {<>} 'a'),
       EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.oid {=} ANY (s.fns) AND p.prokind {=} 'a'),
       pg_catalog.cardinality(s.exts) {>} 0
FROM sel s
)sql";

// In the order of the query's flags. A flag may be true where the kind's own conditions
// (schema scope, extension membership) then find nothing; never false where they would
// find something.
constexpr std::array<const char*, 15> flagged_kinds = {
    "schema", "table",  "view",       "sequence", "column",   "constraint", "index",    "trigger",
    "policy", "rule",   "statistics", "type",     "function", "aggregate",  "extension"};

}  // namespace

TouchedSelection select_touched(std::int64_t up_to, const std::vector<std::string>& root_kinds,
                                const std::vector<std::string>& root_idents) {
    static const std::string sql = expand_catalog_sql(selection_sql);
    spi_query(sql.c_str(), {text_arg(std::to_string(up_to)), text_array_arg(root_kinds),
                            text_array_arg(root_idents)});
    TouchedSelection s;
    s.rels = spi_required_text(0, 1);
    s.typs = spi_required_text(0, 2);
    s.fns = spi_required_text(0, 3);
    s.nsps = spi_required_text(0, 4);
    s.exts = spi_required_text(0, 5);
    for (std::size_t i = 0; i < flagged_kinds.size(); ++i)
        if (spi_bool(0, static_cast<int>(i) + 6))
            s.kinds.insert(flagged_kinds[i]);
    return s;
}

}  // namespace ms::pg
