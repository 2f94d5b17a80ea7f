#include "pg/base/extension_objects.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_class_d.h"
#include "catalog/pg_extension_d.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace ms::pg {

namespace {

Oid lookup_owner() {
    const Oid nsp = get_namespace_oid(tracking_schema, false);
    HeapTuple tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
    if (!HeapTupleIsValid(tuple))
        elog(ERROR, "cache lookup failed for schema %u", nsp);
    const Oid owner = reinterpret_cast<Form_pg_namespace>(GETSTRUCT(tuple))->nspowner;
    ReleaseSysCache(tuple);
    return owner;
}

}  // namespace

Oid extension_owner() {
    return pg_call([] { return lookup_owner(); });
}

bool is_extension_object(Oid class_id, Oid object_id) {
    const Oid schema = get_namespace_oid(tracking_schema, true);
    if (!OidIsValid(schema))
        return false;
    if (class_id == NamespaceRelationId)
        return object_id == schema;
    if (class_id == RelationRelationId && get_rel_namespace(object_id) == schema)
        return true;
    const Oid extension = get_extension_oid("migrations_schema", true);
    if (!OidIsValid(extension))
        return false;
    if (class_id == ExtensionRelationId)
        return object_id == extension;
    return getExtensionOfObject(class_id, object_id) == extension;
}

bool is_new_relation_in_tracking_schema(Oid relation_id) {
    const Oid schema = get_namespace_oid(tracking_schema, true);
    if (!OidIsValid(schema))
        return false;
    Relation pg_class = table_open(RelationRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_class_oid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(relation_id));
    SysScanDesc scan = systable_beginscan(pg_class, ClassOidIndexId, true, SnapshotSelf, 1, &key);
    const HeapTuple tuple = systable_getnext(scan);
    const bool inside = HeapTupleIsValid(tuple) &&
                        reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relnamespace == schema;
    systable_endscan(scan);
    table_close(pg_class, AccessShareLock);
    return inside;
}

}  // namespace ms::pg
