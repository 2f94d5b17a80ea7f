// The catalog digest as text: what a run records so that a later check can tell "the catalog
// has not changed since" without fingerprinting the schema (src/pg/schema/catalog_marker.cpp
// computes it). Besides the digest of the whole catalog, the text carries the digest of each
// run of pages of each catalog and what those pages looked like then, so that a later digest
// reads again only the pages that changed since.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

// Sums, not a running hash: the order a scan returns rows in is not part of the state.
struct DigestSum {
    std::uint64_t rows = 0;
    std::uint64_t a = 0;
    std::uint64_t b = 0;

    void add_row(std::uint32_t catalog, std::uint32_t xmin, std::uint32_t block, std::uint16_t offset);
    void add(const DigestSum& other);
    bool operator==(const DigestSum& other) const {
        return rows == other.rows && a == other.a && b == other.b;
    }
    bool operator!=(const DigestSum& other) const { return !(*this == other); }
};

// Pages are digested in runs of this many: small enough that one changed page costs little
// to read again, large enough that the text stays a few kilobytes for a large catalog.
constexpr std::uint32_t pages_per_chunk = 16;

// A run of pages as a digest saw it.
struct PageChunk {
    std::uint64_t max_lsn = 0;   // the newest page LSN: any WAL-logged change of a page raises it
    bool settled = false;        // every row's inserter and deleter had ended before the scan
    DigestSum sum;
};

// One catalog as a digest saw it.
struct CatalogPart {
    std::uint32_t catalog = 0;   // its OID
    std::uint32_t file = 0;      // its file number: a rewrite (VACUUM FULL) changes it
    std::uint32_t blocks = 0;
    std::vector<PageChunk> chunks;  // ceil(blocks / pages_per_chunk) of them
    DigestSum sum;                  // theirs together
};

struct CatalogMarker {
    std::string server;          // server_version_num
    DigestSum total;
    std::vector<CatalogPart> parts;
};

std::string render_marker(const CatalogMarker& marker);

// nullopt for text this definition did not write (an older one, or damaged): nothing is
// taken over from it, and it equals no digest taken now.
std::optional<CatalogMarker> parse_marker(std::string_view text);

// Whether two markers describe the same catalog: the definition, the server and the digest,
// not how each was taken.
bool same_catalog_state(std::string_view a, std::string_view b);

// How many pages chunk `index` of a catalog of `blocks` pages holds.
std::uint32_t chunk_pages(std::uint32_t blocks, std::size_t index);

// A recorded chunk may stand for the same pages now when the catalog's file is the same, the
// chunk holds as many pages, none of them changed (the newest LSN is what it was), and its
// rows' visibility could not have changed since (settled).
bool chunk_still_holds(const CatalogPart& recorded, std::size_t index, std::uint32_t file,
                       std::uint32_t blocks, std::uint64_t max_lsn);

}  // namespace ms::core
