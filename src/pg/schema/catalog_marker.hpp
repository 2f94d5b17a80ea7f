// A cheap, exact test of "has the catalog changed since": what lets a run skip the whole-schema
// fingerprint it would otherwise compute before its migrations to look for drift.
#pragma once

#include <optional>
#include <string>

namespace ms::pg {

// A digest of every visible row of the system catalogs that describe schema objects: the
// number of rows and two independent 64-bit sums over each row's (catalog, xmin, ctid). Any
// committed insert, update or delete of such a row (DDL, GRANT, COMMENT, a role rename, a
// hand-edited catalog) creates or removes a row version and so changes it; what does not
// change the schema (ANALYZE, VACUUM's in-place updates of pg_class, a temporary table
// once it is gone) does not. A VACUUM FULL of a catalog or a TRUNCATE moves rows without
// changing the schema: the digest then differs and the caller compares fingerprints, as
// without it. Equal digests mean equal catalogs, so the fingerprint is equal too.
//
// Read with the snapshot a query would get now. Call it before and after a fingerprint: equal results
// mean no catalog change committed in between, so the digest describes that fingerprint.
//
// Not every row is read every time. Pages are digested in runs (core/schema/catalog_digest.hpp):
// a run none of whose pages' LSNs moved since an earlier digest read it, and whose rows'
// inserters and deleters had all ended by then, holds the same visible rows, and its part is
// taken over from that digest. The lender is `recorded` (a marker taken earlier, by any
// session), else the last digest this backend took.
std::string catalog_marker(const std::optional<std::string>& recorded = std::nullopt);

// Whether two markers describe the same catalog (their digests, not how each was taken).
bool same_catalog_state(const std::string& a, const std::string& b);

}  // namespace ms::pg
