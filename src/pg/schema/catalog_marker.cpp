#include "pg/schema/catalog_marker.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/indexing.h"
#include "catalog/pg_auth_members.h"
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "catalog/pg_db_role_setting.h"
#include "catalog/pg_largeobject.h"
#include "catalog/pg_largeobject_metadata.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_replication_origin.h"
#include "catalog/pg_shdepend.h"
#include "catalog/pg_shdescription.h"
#include "catalog/pg_shseclabel.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_statistic_ext_data.h"
#include "catalog/pg_subscription.h"
#include "catalog/pg_subscription_rel.h"
#include "catalog/pg_tablespace.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

#include <cstdint>

namespace ms::pg {

namespace {

// Raised whenever what the digest covers or how the fingerprint is built changes: a digest
// recorded by another definition must never compare equal.
constexpr const char* definition = "m1";

// Catalogs whose rows change without any schema object changing (statistics, large
// objects, per-role settings, other databases' dependencies, replication state), or that
// the fingerprint never reads. Leaving them out only spares needless fingerprints.
bool left_out(Oid catalog) {
    switch (catalog) {
        case StatisticRelationId:
        case StatisticExtDataRelationId:
        case LargeObjectRelationId:
        case LargeObjectMetadataRelationId:
        case DbRoleSettingRelationId:
        case ReplicationOriginRelationId:
        case SubscriptionRelationId:
        case SubscriptionRelRelationId:
        case DatabaseRelationId:
        case SharedDependRelationId:
        case SharedDescriptionRelationId:
        case SharedSecLabelRelationId:
        case TableSpaceRelationId:
        case AuthMemRelationId:
            return true;
        default:
            return false;
    }
}

// splitmix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct Digest {
    std::uint64_t rows = 0;
    std::uint64_t sum_a = 0;
    std::uint64_t sum_b = 0;
};

// Sums, not a running hash: the order a scan returns rows in is not part of the state.
void add_row(Digest* d, Oid catalog, TransactionId xmin, BlockNumber block, OffsetNumber offset) {
    const std::uint64_t where = (std::uint64_t(block) << 16) | offset;
    const std::uint64_t who = (std::uint64_t(catalog) << 32) | xmin;
    d->rows += 1;
    d->sum_a += mix(who ^ mix(where));
    d->sum_b += mix(where * 0x2545f4914f6cdd1dULL + mix(who + 0x632be59bd9b4e019ULL));
}

void digest_catalogs(Digest* d) {
    // The snapshot the next query of this transaction sees: under REPEATABLE READ the one
    // the fingerprint was taken with, so that the digest never takes in a change the
    // fingerprint did not see.
    Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
    Relation classes = table_open(RelationRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_class_relnamespace, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(PG_CATALOG_NAMESPACE));
    SysScanDesc scan = systable_beginscan(classes, ClassNameNspIndexId, true, snapshot, 1, &key);
    List* catalogs = NIL;
    HeapTuple tuple;
    while (HeapTupleIsValid(tuple = systable_getnext(scan))) {
        const auto* form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
        if (form->relkind == RELKIND_RELATION && !left_out(form->oid))
            catalogs = lappend_oid(catalogs, form->oid);
    }
    systable_endscan(scan);
    table_close(classes, AccessShareLock);

    ListCell* cell;
    foreach (cell, catalogs) {
        const Oid catalog = lfirst_oid(cell);
        Relation rel = table_open(catalog, AccessShareLock);
        TableScanDesc rows = table_beginscan(rel, snapshot, 0, nullptr);
        while (HeapTupleIsValid(tuple = heap_getnext(rows, ForwardScanDirection)))
            add_row(d, catalog, HeapTupleHeaderGetRawXmin(tuple->t_data),
                    ItemPointerGetBlockNumber(&tuple->t_self),
                    ItemPointerGetOffsetNumber(&tuple->t_self));
        table_endscan(rows);
        table_close(rel, AccessShareLock);
    }
    list_free(catalogs);
    UnregisterSnapshot(snapshot);
}

}  // namespace

std::string catalog_marker() {
    Digest d;
    // A minor release may print a view or a default differently: the fingerprint is taken
    // again once after an upgrade of the server.
    const char* server = nullptr;
    pg_call([&] {
        digest_catalogs(&d);
        server = GetConfigOption("server_version_num", false, false);
    });
    char text[128];
    snprintf(text, sizeof text, "%s:%s:%llx:%016llx%016llx", definition, server,
                  static_cast<unsigned long long>(d.rows),
                  static_cast<unsigned long long>(d.sum_a),
                  static_cast<unsigned long long>(d.sum_b));
    return text;
}

}  // namespace ms::pg
