#include "core/citus/citus.hpp"

#include <boost/algorithm/string/classification.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

bool is_citus_internal_application(const std::string& application_name) {
    return boost::algorithm::starts_with(application_name, "citus_internal gpid=") ||
           boost::algorithm::starts_with(application_name, "citus_rebalancer gpid=");
}

std::vector<std::uint64_t> shard_id_candidates(const std::string& identity) {
    std::vector<std::string> parts;
    boost::algorithm::split(parts, identity, boost::algorithm::is_any_of(". "));
    std::vector<std::uint64_t> ids;
    for (auto& part : parts) {
        // A quoted identifier ("Big Table_102008") keeps its quotes in the identity: they
        // end the part; a quote inside a name is part of the name.
        boost::algorithm::trim_if(part, boost::algorithm::is_any_of("\""));
        const auto underscore = part.rfind('_');
        if (underscore == std::string::npos || underscore == 0 || underscore + 1 == part.size())
            continue;
        const char* first = part.data() + underscore + 1;
        const char* last = part.data() + part.size();
        std::uint64_t id = 0;
        const auto [end, error] = std::from_chars(first, last, id);
        if (error != std::errc() || end != last || !std::all_of(first, last, [](char c) {
                return c >= '0' && c <= '9';
            }))
            continue;
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    }
    return ids;
}

std::string pretty_size(long long bytes) {
    // pg_size_pretty: a unit while the number is under 10240 of it, rounded half up.
    static const char* const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    long long size = bytes;
    std::size_t unit = 0;
    while (unit + 1 < std::size(units) && (size < 0 ? -size : size) >= 10 * 1024) {
        size = (size + (size < 0 ? -512 : 512)) / 1024;
        ++unit;
    }
    return std::to_string(size) + " " + units[unit];
}

std::string citus_finding_note(const std::string& distribution, long long shards,
                               std::optional<long long> bytes) {
    const std::string size = bytes ? ", " + pretty_size(*bytes) + " over the workers" : "";
    if (distribution == "reference")
        return "Citus: a reference table, copied to every node" + size +
               "; each copy takes the lock and does the work";
    if (distribution == "hash" || distribution == "range" || distribution == "append")
        return "Citus: a " + distribution + "-distributed table of " + std::to_string(shards) +
               (shards == 1 ? " shard" : " shards") + size +
               "; each shard takes the lock and does the work";
    return {};
}

}  // namespace ms::core
