#include "core/schema/catalog_digest.hpp"

#include <boost/algorithm/string/classification.hpp>
#include <boost/algorithm/string/split.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

// Raised whenever what the digest covers or how it is built changes: a marker written by
// another definition must never compare equal.
constexpr std::string_view definition = "m2";

// splitmix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
}

template <typename T>
bool read_hex(std::string_view s, T* out) {
    if (s.empty() || s.size() > 2 * sizeof(T))
        return false;
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
    return error == std::errc() && end == s.data() + s.size();
}

std::string render_sum(const DigestSum& s) {
    return hex(s.rows) + "," + hex(s.a) + "," + hex(s.b);
}

bool read_sum(std::string_view text, DigestSum* out) {
    std::vector<std::string> f;
    const std::string copy(text);
    boost::algorithm::split(f, copy, boost::algorithm::is_any_of(","));
    return f.size() == 3 && read_hex(f[0], &out->rows) && read_hex(f[1], &out->a) &&
           read_hex(f[2], &out->b);
}

// The comparable head: definition, server and the digest of every catalog.
std::string_view head(std::string_view text) {
    return text.substr(0, text.find('|'));
}

}  // namespace

void DigestSum::add_row(std::uint32_t catalog, std::uint32_t xmin, std::uint32_t block,
                        std::uint16_t offset) {
    const std::uint64_t where = (std::uint64_t(block) << 16) | offset;
    const std::uint64_t who = (std::uint64_t(catalog) << 32) | xmin;
    rows += 1;
    a += mix(who ^ mix(where));
    b += mix(where * 0x2545f4914f6cdd1dULL + mix(who + 0x632be59bd9b4e019ULL));
}

void DigestSum::add(const DigestSum& other) {
    rows += other.rows;
    a += other.a;
    b += other.b;
}

std::string render_marker(const CatalogMarker& marker) {
    std::string out = std::string(definition) + ":" + marker.server + ":" + render_sum(marker.total) + "|";
    for (std::size_t i = 0; i < marker.parts.size(); ++i) {
        const CatalogPart& p = marker.parts[i];
        if (i > 0)
            out += ";";
        out += hex(p.catalog) + "," + hex(p.file) + "," + hex(p.blocks);
        for (const PageChunk& c : p.chunks)
            out += "/" + hex(c.max_lsn) + "," + (c.settled ? "1" : "0") + "," + render_sum(c.sum);
    }
    return out;
}

std::optional<CatalogMarker> parse_marker(std::string_view text) {
    const auto bar = text.find('|');
    if (bar == std::string_view::npos)
        return std::nullopt;
    std::vector<std::string> fields;
    const std::string top(text.substr(0, bar));
    boost::algorithm::split(fields, top, boost::algorithm::is_any_of(":"));
    if (fields.size() != 3 || fields[0] != definition || fields[1].empty())
        return std::nullopt;
    CatalogMarker m;
    m.server = fields[1];
    if (!read_sum(fields[2], &m.total))
        return std::nullopt;
    std::vector<std::string> entries;
    const std::string rest(text.substr(bar + 1));
    boost::algorithm::split(entries, rest, boost::algorithm::is_any_of(";"));
    DigestSum parts_total;
    for (const auto& entry : entries) {
        std::vector<std::string> pieces;
        boost::algorithm::split(pieces, entry, boost::algorithm::is_any_of("/"));
        std::vector<std::string> head_fields;
        boost::algorithm::split(head_fields, pieces[0], boost::algorithm::is_any_of(","));
        CatalogPart p;
        if (head_fields.size() != 3 || !read_hex(head_fields[0], &p.catalog) ||
            !read_hex(head_fields[1], &p.file) || !read_hex(head_fields[2], &p.blocks) ||
            pieces.size() - 1 != (p.blocks + pages_per_chunk - 1) / pages_per_chunk)
            return std::nullopt;
        for (std::size_t i = 1; i < pieces.size(); ++i) {
            const auto comma = pieces[i].find(',');
            PageChunk c;
            if (comma == std::string::npos || comma + 2 >= pieces[i].size() ||
                pieces[i][comma + 2] != ',' ||
                !read_hex(std::string_view(pieces[i]).substr(0, comma), &c.max_lsn) ||
                (pieces[i][comma + 1] != '0' && pieces[i][comma + 1] != '1') ||
                !read_sum(std::string_view(pieces[i]).substr(comma + 3), &c.sum))
                return std::nullopt;
            c.settled = pieces[i][comma + 1] == '1';
            p.sum.add(c.sum);
            p.chunks.push_back(c);
        }
        parts_total.add(p.sum);
        m.parts.push_back(std::move(p));
    }
    // Parts that do not add up to the digest were not written together.
    if (parts_total != m.total)
        return std::nullopt;
    return m;
}

bool same_catalog_state(std::string_view a, std::string_view b) {
    const std::string_view ha = head(a);
    return ha.substr(0, definition.size() + 1) == std::string(definition) + ":" && ha == head(b);
}

std::uint32_t chunk_pages(std::uint32_t blocks, std::size_t index) {
    const std::uint64_t first = std::uint64_t(index) * pages_per_chunk;
    if (first >= blocks)
        return 0;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(pages_per_chunk, blocks - first));
}

bool chunk_still_holds(const CatalogPart& recorded, std::size_t index, std::uint32_t file,
                       std::uint32_t blocks, std::uint64_t max_lsn) {
    if (index >= recorded.chunks.size() || recorded.file != file)
        return false;
    const PageChunk& c = recorded.chunks[index];
    const std::uint32_t pages = chunk_pages(blocks, index);
    return pages > 0 && pages == chunk_pages(recorded.blocks, index) && c.settled &&
           c.max_lsn == max_lsn;
}

}  // namespace ms::core
