#include "core/schema/catalog_digest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

using namespace ms::core;

namespace {

CatalogMarker sample() {
    CatalogMarker m;
    m.server = "150020";
    for (std::uint32_t c : {1247u, 1249u, 1259u}) {
        CatalogPart p;
        p.catalog = c;
        p.file = c + 7;
        p.blocks = c % 40 + 10;  // 17, 19 and 29 pages: two chunks each, the second partial
        for (std::uint32_t i = 0; chunk_pages(p.blocks, i) > 0; ++i) {
            PageChunk chunk;
            chunk.max_lsn = 0x1234abcd0000ULL + c * 100 + i;
            chunk.settled = !(c == 1249 && i == 0);
            for (std::uint32_t row = 0; row < c % 5 + 2; ++row)
                chunk.sum.add_row(c, 700 + row, i * pages_per_chunk + row / 3,
                                  static_cast<std::uint16_t>(row % 3 + 1));
            p.sum.add(chunk.sum);
            p.chunks.push_back(chunk);
        }
        m.total.add(p.sum);
        m.parts.push_back(p);
    }
    return m;
}

}  // namespace

TEST(CatalogDigest, RendersAndParsesBack) {
    const CatalogMarker m = sample();
    const std::string text = render_marker(m);
    const auto back = parse_marker(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(render_marker(*back), text);
    EXPECT_EQ(back->server, "150020");
    EXPECT_EQ(back->total, m.total);
    ASSERT_EQ(back->parts.size(), 3u);
    ASSERT_EQ(back->parts[0].chunks.size(), 2u);
    EXPECT_FALSE(back->parts[1].chunks[0].settled);
    EXPECT_EQ(back->parts[2].chunks[1].max_lsn, m.parts[2].chunks[1].max_lsn);
    EXPECT_EQ(back->parts[2].sum, m.parts[2].sum);
}

TEST(CatalogDigest, TheSameStateWhateverThePagesLookedLike) {
    CatalogMarker a = sample();
    CatalogMarker b = a;
    b.parts[0].chunks[0].max_lsn += 1;  // a page was written (a hint, a prune) without a row changing
    b.parts[1].chunks[0].settled = true;
    EXPECT_TRUE(same_catalog_state(render_marker(a), render_marker(b)));
    b.parts[2].chunks[0].sum.add_row(1259, 900, 4, 1);
    b.parts[2].sum.add_row(1259, 900, 4, 1);
    b.total.add_row(1259, 900, 4, 1);
    EXPECT_FALSE(same_catalog_state(render_marker(a), render_marker(b)));
    CatalogMarker other_server = a;
    other_server.server = "150021";
    EXPECT_FALSE(same_catalog_state(render_marker(a), render_marker(other_server)));
}

TEST(CatalogDigest, EveryRowMovesTheDigest) {
    DigestSum base;
    base.add_row(1259, 700, 0, 1);
    for (auto [catalog, xmin, block, offset] :
         {std::tuple{1249u, 700u, 0u, 1}, {1259u, 701u, 0u, 1}, {1259u, 700u, 1u, 1}, {1259u, 700u, 0u, 2}}) {
        DigestSum other;
        other.add_row(catalog, xmin, block, static_cast<std::uint16_t>(offset));
        EXPECT_NE(base, other);
    }
}

TEST(CatalogDigest, TextOfAnotherDefinitionOrDamagedLendsNothingAndEqualsNothing) {
    const std::string good = render_marker(sample());
    const std::string old_definition = "m1:150020:1c2:0123456789abcdef0123456789abcdef";
    EXPECT_FALSE(parse_marker(old_definition).has_value());
    EXPECT_FALSE(same_catalog_state(old_definition, old_definition));
    EXPECT_FALSE(same_catalog_state(good, old_definition));
    std::string wrong_sum = good;
    wrong_sum[wrong_sum.size() - 1] = wrong_sum.back() == '0' ? '1' : '0';
    EXPECT_FALSE(parse_marker(wrong_sum).has_value()) << "parts that do not add up";
    for (std::size_t cut = 0; cut < good.size(); ++cut)
        EXPECT_FALSE(parse_marker(good.substr(0, cut)).has_value()) << cut;
    EXPECT_FALSE(parse_marker("m2:150020:1,2,3|zz,1,1/1,1,1,2,3").has_value());
    EXPECT_FALSE(parse_marker("m2:150020:1,2,3|1,1,1/1,2,1,2,3").has_value()) << "settled is 0 or 1";
    EXPECT_TRUE(parse_marker("m2:150020:1,2,3|1,1,1/1,1,1,2,3").has_value());
    EXPECT_FALSE(parse_marker("m2:150020:1,2,3|1,1,11/1,1,1,2,3").has_value()) << "17 pages, one chunk";
}

TEST(CatalogDigest, ChunksCoverTheCatalogsPages) {
    EXPECT_EQ(chunk_pages(0, 0), 0u);
    EXPECT_EQ(chunk_pages(1, 0), 1u);
    EXPECT_EQ(chunk_pages(16, 0), 16u);
    EXPECT_EQ(chunk_pages(16, 1), 0u);
    EXPECT_EQ(chunk_pages(17, 1), 1u);
    EXPECT_EQ(chunk_pages(40, 2), 8u);
}

TEST(CatalogDigest, ARecordedChunkHoldsOnlyWhileNothingAboutItsPagesChanged) {
    CatalogPart p;
    p.file = 10;
    p.blocks = 20;  // chunks of 16 and 4 pages
    p.chunks = {PageChunk{1000, true, {}}, PageChunk{2000, true, {}}};
    EXPECT_TRUE(chunk_still_holds(p, 0, 10, 20, 1000));
    EXPECT_TRUE(chunk_still_holds(p, 0, 10, 40, 1000)) << "pages added after it leave it whole";
    EXPECT_TRUE(chunk_still_holds(p, 1, 10, 20, 2000));
    EXPECT_FALSE(chunk_still_holds(p, 1, 10, 21, 2000)) << "a page added to it";
    EXPECT_FALSE(chunk_still_holds(p, 1, 10, 19, 2000)) << "a page cut from it";
    EXPECT_FALSE(chunk_still_holds(p, 0, 11, 20, 1000)) << "the catalog rewritten";
    EXPECT_FALSE(chunk_still_holds(p, 0, 10, 20, 1001)) << "a page written";
    EXPECT_FALSE(chunk_still_holds(p, 2, 10, 40, 0)) << "no such chunk recorded";
    p.chunks[0].settled = false;
    EXPECT_FALSE(chunk_still_holds(p, 0, 10, 20, 1000));
}
