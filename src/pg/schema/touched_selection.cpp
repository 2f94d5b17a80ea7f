#include "pg/schema/touched_selection.hpp"

#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/catalog_sql.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

#include <array>
#include <cstring>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

namespace {

// The objects the runner's statements touched (rows up to $1) and the roots the store names
// for what was touched ($2, $3): a dropped index or view is gone from the catalogs, but the
// table it was on is still there and is taken again as a whole, with what stays of it. The
// rest (each object's root, what came along) is looked up below through the catalogs'
// indexes: as one query it took a new session 9 ms to plan at 10,000 tables, for a few rows.
constexpr const char* touched_sql = R"sql(
SELECT DISTINCT x.classid, x.objid FROM (
    SELECT tt.classid, tt.objid FROM migrations_schema.expected_touched tt
    WHERE tt.id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8 AND tt.classid IS NOT NULL
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
                    pg_catalog.unnest($3::pg_catalog.text[])) r(k, i)
    -- The relation a touched row's store entry is rooted at.
    UNION ALL
    SELECT {rc:pg_class}::pg_catalog.oid, pg_catalog.to_regclass(tt.root_identity)::pg_catalog.oid
    FROM migrations_schema.expected_touched tt
    WHERE tt.id OPERATOR(pg_catalog.<=) $1::pg_catalog.int8 AND tt.root_kind {=} 'rel') x
WHERE x.classid IS NOT NULL AND x.objid IS NOT NULL
)sql";

using OidSet = std::set<Oid>;

// The value of column `result` (an oid, or a "char" widened to one) of the row of `catalog`
// whose column `key` equals `value`, found through `index`; InvalidOid when there is none.
Oid column_by_key(Oid catalog, Oid index, AttrNumber key, Oid value, AttrNumber result) {
    Oid found = InvalidOid;
    pg_call([&] {
        Relation rel = table_open(catalog, AccessShareLock);
        ScanKeyData skey;
        ScanKeyInit(&skey, key, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(value));
        SysScanDesc scan = systable_beginscan(rel, index, true, nullptr, 1, &skey);
        const HeapTuple tuple = systable_getnext(scan);
        if (HeapTupleIsValid(tuple)) {
            bool isnull = false;
            const Datum d = heap_getattr(tuple, result, RelationGetDescr(rel), &isnull);
            const Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), result - 1);
            if (!isnull)
                found = att->atttypid == CHAROID ? static_cast<Oid>(static_cast<unsigned char>(DatumGetChar(d)))
                                                 : DatumGetObjectId(d);
        }
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    return found;
}

// Whether a row of `catalog` has `key` = `value` (through `index`, whose first column is
// `key`) and passes `keep`.
bool any_row(Oid catalog, Oid index, AttrNumber key, Oid value, bool (*keep)(HeapTuple)) {
    bool found = false;
    pg_call([&] {
        Relation rel = table_open(catalog, AccessShareLock);
        ScanKeyData skey;
        ScanKeyInit(&skey, key, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(value));
        SysScanDesc scan = systable_beginscan(rel, index, true, nullptr, 1, &skey);
        HeapTuple tuple;
        while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
            found = keep == nullptr || keep(tuple);
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    return found;
}

// What depends on (refclassid, refobjid) and is of catalog `classid`, with a dependency type
// among `deptypes` (nullptr: any).
std::vector<Oid> dependents(Oid refclassid, Oid refobjid, Oid classid, const char* deptypes) {
    List* found = NIL;
    pg_call([&] {
        Relation rel = table_open(DependRelationId, AccessShareLock);
        ScanKeyData skey[2];
        ScanKeyInit(&skey[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
                    ObjectIdGetDatum(refclassid));
        ScanKeyInit(&skey[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
                    ObjectIdGetDatum(refobjid));
        SysScanDesc scan = systable_beginscan(rel, DependReferenceIndexId, true, nullptr, 2, skey);
        HeapTuple tuple;
        while (HeapTupleIsValid(tuple = systable_getnext(scan))) {
            const auto* d = reinterpret_cast<Form_pg_depend>(GETSTRUCT(tuple));
            if (d->classid == classid && (deptypes == nullptr || strchr(deptypes, d->deptype) != nullptr))
                found = lappend_oid(found, d->objid);
        }
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    std::vector<Oid> out;
    ListCell* cell;
    foreach (cell, found)
        out.push_back(lfirst_oid(cell));
    pg_call([&] { list_free(found); });
    return out;
}

void add_if_valid(OidSet* set, Oid oid) {
    if (OidIsValid(oid))
        set->insert(oid);
}

std::string oid_array(const OidSet& oids) {
    std::string out = "{";
    for (const Oid oid : oids) {
        if (out.size() > 1)
            out += ",";
        out += std::to_string(oid);
    }
    return out + "}";
}

bool user_trigger(HeapTuple t) {
    return !reinterpret_cast<Form_pg_trigger>(GETSTRUCT(t))->tgisinternal;
}

bool not_view_rule(HeapTuple t) {
    return strcmp(NameStr(reinterpret_cast<Form_pg_rewrite>(GETSTRUCT(t))->rulename), "_RETURN") != 0;
}

char relkind_of(Oid rel) {
    return static_cast<char>(column_by_key(RelationRelationId, ClassOidIndexId, Anum_pg_class_oid, rel,
                                           Anum_pg_class_relkind));
}

// In the order of the flags below. A flag may be true where the kind's own conditions
// (schema scope, extension membership) then find nothing; never false where they would
// find something.
constexpr std::array<const char*, 15> flagged_kinds = {
    "schema", "table",  "view",       "sequence", "column",   "constraint", "index",    "trigger",
    "policy", "rule",   "statistics", "type",     "function", "aggregate",  "extension"};

}  // namespace

TouchedSelection select_touched(std::int64_t up_to, const std::vector<std::string>& root_kinds,
                                const std::vector<std::string>& root_idents) {
    static const std::string sql = expand_catalog_sql(touched_sql);
    const std::uint64_t rows = spi_query(sql.c_str(), {text_arg(std::to_string(up_to)),
                                                       text_array_arg(root_kinds),
                                                       text_array_arg(root_idents)});
    std::vector<std::pair<Oid, Oid>> touched;
    for (std::uint64_t i = 0; i < rows; ++i) {
        bool isnull = false;
        touched.emplace_back(DatumGetObjectId(spi_datum(i, 1, &isnull)),
                             DatumGetObjectId(spi_datum(i, 2, &isnull)));
    }

    // Each touched object's relation or type: what the store recomputes whole.
    OidSet trel, ttyp, fns, nsps, exts;
    for (const auto& [classid, objid] : touched) {
        switch (classid) {
            case RelationRelationId:
                trel.insert(objid);
                add_if_valid(&trel, column_by_key(IndexRelationId, IndexRelidIndexId,
                                                  Anum_pg_index_indexrelid, objid, Anum_pg_index_indrelid));
                break;
            case ConstraintRelationId:
                add_if_valid(&trel, column_by_key(ConstraintRelationId, ConstraintOidIndexId,
                                                  Anum_pg_constraint_oid, objid, Anum_pg_constraint_conrelid));
                add_if_valid(&ttyp, column_by_key(ConstraintRelationId, ConstraintOidIndexId,
                                                  Anum_pg_constraint_oid, objid, Anum_pg_constraint_contypid));
                break;
            case TriggerRelationId:
                add_if_valid(&trel, column_by_key(TriggerRelationId, TriggerOidIndexId,
                                                  Anum_pg_trigger_oid, objid, Anum_pg_trigger_tgrelid));
                break;
            case PolicyRelationId:
                add_if_valid(&trel, column_by_key(PolicyRelationId, PolicyOidIndexId,
                                                  Anum_pg_policy_oid, objid, Anum_pg_policy_polrelid));
                break;
            case RewriteRelationId:
                add_if_valid(&trel, column_by_key(RewriteRelationId, RewriteOidIndexId,
                                                  Anum_pg_rewrite_oid, objid, Anum_pg_rewrite_ev_class));
                break;
            case StatisticExtRelationId:
                add_if_valid(&trel, column_by_key(StatisticExtRelationId, StatisticExtOidIndexId,
                                                  Anum_pg_statistic_ext_oid, objid, Anum_pg_statistic_ext_stxrelid));
                break;
            case AttrDefaultRelationId:
                add_if_valid(&trel, column_by_key(AttrDefaultRelationId, AttrDefaultOidIndexId,
                                                  Anum_pg_attrdef_oid, objid, Anum_pg_attrdef_adrelid));
                break;
            case TypeRelationId:
                ttyp.insert(objid);
                add_if_valid(&trel, column_by_key(TypeRelationId, TypeOidIndexId, Anum_pg_type_oid,
                                                  objid, Anum_pg_type_typrelid));
                break;
            case ProcedureRelationId:
                fns.insert(objid);
                break;
            case NamespaceRelationId:
                nsps.insert(objid);
                break;
            case ExtensionRelationId:
                exts.insert(objid);
                break;
            default:
                break;
        }
    }
    // A composite type's relation stands for the type too.
    for (const Oid rel : trel)
        if (relkind_of(rel) == RELKIND_COMPOSITE_TYPE)
            add_if_valid(&ttyp, column_by_key(RelationRelationId, ClassOidIndexId, Anum_pg_class_oid,
                                              rel, Anum_pg_class_reltype));

    // What came along: the views over a changed relation, what it owns or carries (a
    // sequence, a toast table, an index), the relations and functions that use a changed type.
    OidSet rels = trel;
    for (const Oid rel : trel) {
        for (const Oid rule : dependents(RelationRelationId, rel, RewriteRelationId, nullptr))
            add_if_valid(&rels, column_by_key(RewriteRelationId, RewriteOidIndexId, Anum_pg_rewrite_oid,
                                              rule, Anum_pg_rewrite_ev_class));
        for (const Oid owned : dependents(RelationRelationId, rel, RelationRelationId, "ai"))
            rels.insert(owned);
    }
    for (const Oid typ : ttyp) {
        for (const Oid user : dependents(TypeRelationId, typ, RelationRelationId, nullptr))
            rels.insert(user);
        for (const Oid fn : dependents(TypeRelationId, typ, ProcedureRelationId, nullptr))
            fns.insert(fn);
    }

    bool has_kind[flagged_kinds.size()] = {};
    has_kind[0] = !nsps.empty();
    for (const Oid rel : rels) {
        const char kind = relkind_of(rel);
        if (kind == '\0')
            continue;  // gone
        has_kind[1] |= kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE ||
                       kind == RELKIND_FOREIGN_TABLE;
        has_kind[2] |= kind == RELKIND_VIEW || kind == RELKIND_MATVIEW;
        has_kind[3] |= kind == RELKIND_SEQUENCE;
        has_kind[4] |= kind != RELKIND_SEQUENCE;
    }
    for (const Oid rel : rels) {
        has_kind[5] = has_kind[5] || any_row(ConstraintRelationId, ConstraintRelidTypidNameIndexId,
                                             Anum_pg_constraint_conrelid, rel, nullptr);
        has_kind[6] = has_kind[6] || any_row(IndexRelationId, IndexIndrelidIndexId,
                                             Anum_pg_index_indrelid, rel, nullptr);
        has_kind[7] = has_kind[7] || any_row(TriggerRelationId, TriggerRelidNameIndexId,
                                             Anum_pg_trigger_tgrelid, rel, user_trigger);
        has_kind[8] = has_kind[8] || any_row(PolicyRelationId, PolicyPolrelidPolnameIndexId,
                                             Anum_pg_policy_polrelid, rel, nullptr);
        has_kind[9] = has_kind[9] || any_row(RewriteRelationId, RewriteRelRulenameIndexId,
                                             Anum_pg_rewrite_ev_class, rel, not_view_rule);
        has_kind[10] = has_kind[10] || any_row(StatisticExtRelationId, StatisticExtRelidIndexId,
                                               Anum_pg_statistic_ext_stxrelid, rel, nullptr);
    }
    for (const Oid typ : ttyp)
        has_kind[5] = has_kind[5] || any_row(ConstraintRelationId, ConstraintTypidIndexId,
                                             Anum_pg_constraint_contypid, typ, nullptr);
    has_kind[11] = !ttyp.empty();
    for (const Oid fn : fns) {
        const char kind = static_cast<char>(column_by_key(ProcedureRelationId, ProcedureOidIndexId,
                                                          Anum_pg_proc_oid, fn, Anum_pg_proc_prokind));
        if (kind == '\0')
            continue;  // gone
        has_kind[12] |= kind != PROKIND_AGGREGATE;
        has_kind[13] |= kind == PROKIND_AGGREGATE;
    }
    has_kind[14] = !exts.empty();

    TouchedSelection s;
    s.rels = oid_array(rels);
    s.typs = oid_array(ttyp);
    s.fns = oid_array(fns);
    s.nsps = oid_array(nsps);
    s.exts = oid_array(exts);
    for (std::size_t i = 0; i < flagged_kinds.size(); ++i)
        if (has_kind[i])
            s.kinds.insert(flagged_kinds[i]);
    return s;
}

}  // namespace ms::pg
