#include "pg/schema/catalog_marker.hpp"

#include "core/schema/catalog_digest.hpp"
#include "pg/base/compat.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
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
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

#include <algorithm>
#include <cstring>
#include <vector>

namespace ms::pg {

namespace {

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

// How much of the last digest was read, for DEBUG1.
struct Effort {
    long chunks = 0;
    long lent = 0;
    long read = 0;
};
Effort effort;

// A row whose inserter and deleter had ended before the snapshot was taken is visible, or
// not, to every later snapshot alike: nothing but a change of the page (which moves its LSN)
// can change that. A row touched by a transaction still running then, this one included,
// may become visible or vanish without its page changing.
bool settled(const HeapTupleHeaderData* tuple, Snapshot snapshot) {
    const TransactionId xmin = HeapTupleHeaderGetRawXmin(tuple);
    if (!HeapTupleHeaderXminFrozen(tuple) && TransactionIdIsNormal(xmin) &&
        !TransactionIdPrecedes(xmin, snapshot->xmin))
        return false;
    const uint16 mask = tuple->t_infomask;
    if ((mask & HEAP_XMAX_INVALID) != 0 || HEAP_XMAX_IS_LOCKED_ONLY(mask))
        return true;
    if ((mask & HEAP_XMAX_IS_MULTI) != 0)
        return false;
    const TransactionId xmax = HeapTupleHeaderGetRawXmax(tuple);
    return !TransactionIdIsNormal(xmax) || TransactionIdPrecedes(xmax, snapshot->xmin);
}

// Adds the visible rows of one page to `chunk`, with the page's LSN read last: setting hint
// bits while reading may move it (with data checksums).
void read_page(Relation rel, BlockNumber block, Snapshot snapshot, BufferAccessStrategy strategy,
               core::PageChunk* chunk) {
    const Buffer buffer = ReadBufferExtended(rel, MAIN_FORKNUM, block, RBM_NORMAL, strategy);
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    const Page page = BufferGetPage(buffer);
    const OffsetNumber last = PageIsNew(page) ? InvalidOffsetNumber : PageGetMaxOffsetNumber(page);
    for (OffsetNumber offset = FirstOffsetNumber; offset <= last; offset = OffsetNumberNext(offset)) {
        const ItemId item = PageGetItemId(page, offset);
        if (!ItemIdIsNormal(item))
            continue;
        HeapTupleData tuple;
        tuple.t_data = reinterpret_cast<HeapTupleHeader>(PageGetItem(page, item));
        tuple.t_len = ItemIdGetLength(item);
        tuple.t_tableOid = RelationGetRelid(rel);
        ItemPointerSet(&tuple.t_self, block, offset);
        if (!settled(tuple.t_data, snapshot))
            chunk->settled = false;
        if (HeapTupleSatisfiesVisibility(&tuple, snapshot, buffer))
            chunk->sum.add_row(RelationGetRelid(rel), HeapTupleHeaderGetRawXmin(tuple.t_data), block,
                               offset);
    }
    chunk->max_lsn = std::max<std::uint64_t>(chunk->max_lsn, BufferGetLSNAtomic(buffer));
    UnlockReleaseBuffer(buffer);
}

XLogRecPtr page_lsn(Relation rel, BlockNumber block, BufferAccessStrategy strategy) {
    const Buffer buffer = ReadBufferExtended(rel, MAIN_FORKNUM, block, RBM_NORMAL, strategy);
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    const XLogRecPtr lsn = BufferGetLSNAtomic(buffer);
    UnlockReleaseBuffer(buffer);
    return lsn;
}

// One catalog's part, a run of pages at a time: a run none of whose pages changed since the
// lender read it is taken over, the others are read. Each call into the server is guarded on
// its own (no C++ allocation under PG_TRY); what an error leaves open (the relation, a
// buffer) the transaction's abort releases.
core::CatalogPart digest_catalog(Oid catalog, Snapshot snapshot, BufferAccessStrategy strategy,
                                 const core::CatalogPart* lender) {
    Relation rel = nullptr;
    core::CatalogPart part;
    part.catalog = catalog;
    pg_call([&] {
        rel = table_open(catalog, AccessShareLock);
        part.file = compat::relation_file_number(rel);
        part.blocks = RelationGetNumberOfBlocks(rel);
    });
    for (std::size_t index = 0; core::chunk_pages(part.blocks, index) > 0; ++index) {
        const BlockNumber first = static_cast<BlockNumber>(index * core::pages_per_chunk);
        const BlockNumber end = first + core::chunk_pages(part.blocks, index);
        core::PageChunk chunk;
        bool lent = false;
        if (lender != nullptr) {
            XLogRecPtr newest = InvalidXLogRecPtr;
            pg_call([&] {
                for (BlockNumber block = first; block < end; ++block)
                    newest = std::max(newest, page_lsn(rel, block, strategy));
            });
            lent = core::chunk_still_holds(*lender, index, part.file, part.blocks, newest);
        }
        if (lent) {
            chunk = lender->chunks[index];
            effort.lent += 1;
        } else {
            chunk.settled = true;
            pg_call([&] {
                for (BlockNumber block = first; block < end; ++block)
                    read_page(rel, block, snapshot, strategy, &chunk);
            });
            effort.read += 1;
        }
        effort.chunks += 1;
        part.sum.add(chunk.sum);
        part.chunks.push_back(chunk);
    }
    pg_call([&] { table_close(rel, AccessShareLock); });
    return part;
}

// The catalogs of pg_catalog the digest covers, in OID order.
std::vector<Oid> covered_catalogs(Snapshot snapshot) {
    List* catalogs = NIL;
    pg_call([&] {
        Relation classes = table_open(RelationRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_class_relnamespace, BTEqualStrategyNumber, F_OIDEQ,
                    ObjectIdGetDatum(PG_CATALOG_NAMESPACE));
        SysScanDesc scan = systable_beginscan(classes, ClassNameNspIndexId, true, snapshot, 1, &key);
        HeapTuple tuple;
        while (HeapTupleIsValid(tuple = systable_getnext(scan))) {
            const auto* form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
            if (form->relkind == RELKIND_RELATION && !left_out(form->oid))
                catalogs = lappend_oid(catalogs, form->oid);
        }
        systable_endscan(scan);
        table_close(classes, AccessShareLock);
    });
    std::vector<Oid> out;
    ListCell* cell;
    foreach (cell, catalogs)
        out.push_back(lfirst_oid(cell));
    pg_call([&] { list_free(catalogs); });
    std::sort(out.begin(), out.end());
    return out;
}

core::CatalogMarker digest_catalogs(const std::optional<core::CatalogMarker>& recorded) {
    core::CatalogMarker marker;
    // The snapshot the next query of this transaction sees: under REPEATABLE READ the one
    // the fingerprint was taken with, so that the digest never takes in a change the
    // fingerprint did not see.
    Snapshot snapshot = nullptr;
    BufferAccessStrategy strategy = nullptr;
    pg_call([&] {
        snapshot = RegisterSnapshot(GetTransactionSnapshot());
        strategy = GetAccessStrategy(BAS_BULKREAD);
    });
    effort = Effort{};
    for (const Oid catalog : covered_catalogs(snapshot)) {
        const core::CatalogPart* lent = nullptr;
        if (recorded)
            for (const auto& p : recorded->parts)
                if (p.catalog == catalog)
                    lent = &p;
        marker.parts.push_back(digest_catalog(catalog, snapshot, strategy, lent));
        marker.total.add(marker.parts.back().sum);
    }
    pg_call([&] {
        FreeAccessStrategy(strategy);
        UnregisterSnapshot(snapshot);
        elog(DEBUG1, "catalog digest: %ld of %ld runs of pages taken over, %ld read", effort.lent,
             effort.chunks, effort.read);
    });
    return marker;
}

// The last digest this backend took: the lender when the caller names none.
std::optional<core::CatalogMarker>& last_marker() {
    static auto* last = new std::optional<core::CatalogMarker>();
    return *last;
}

}  // namespace

std::string catalog_marker(const std::optional<std::string>& recorded) {
    std::optional<core::CatalogMarker> lender;
    if (recorded)
        lender = core::parse_marker(*recorded);
    if (!lender)
        lender = last_marker();
    // The tests' way to compare a digest that took parts over with one that read every page.
    if (strcmp(fault_injection_setting(), "digest_reads_all") == 0)
        lender.reset();
    // A minor release may print a view or a default differently: the fingerprint is taken
    // again once after an upgrade of the server.
    const char* server = nullptr;
    pg_call([&] { server = GetConfigOption("server_version_num", false, false); });
    if (lender && lender->server != server)
        lender.reset();
    core::CatalogMarker marker = digest_catalogs(lender);
    marker.server = server;
    last_marker() = marker;
    return core::render_marker(marker);
}

bool same_catalog_state(const std::string& a, const std::string& b) {
    // The tests' oracle: no marker equals another, so every check compares fingerprints.
    if (strcmp(fault_injection_setting(), "no_catalog_digest") == 0)
        return false;
    return core::same_catalog_state(a, b);
}

}  // namespace ms::pg
