#include "core/plan/run_plan.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <algorithm>
#include <regex>
#include <string>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

bool has_no_transaction_marker(std::string_view script) {
    const auto eol = script.find_first_of("\r\n");
    std::string first(script.substr(0, eol));
    boost::algorithm::trim(first);
    if (!boost::algorithm::starts_with(first, "--"))
        return false;
    std::string rest = first.substr(2);
    boost::algorithm::trim(rest);
    return boost::algorithm::iequals(rest, "migrate:no-transaction");
}

std::vector<Segment> segment_statements(const std::vector<bool>& top_level) {
    std::vector<Segment> segments;
    for (std::size_t i = 0; i < top_level.size(); ++i) {
        if (top_level[i]) {
            segments.push_back({i, i + 1, true});
        } else if (!segments.empty() && !segments.back().top_level) {
            segments.back().end = i + 1;
        } else {
            segments.push_back({i, i + 1, false});
        }
    }
    return segments;
}

bool body_controls_transactions(std::string_view body) {
    static const std::regex word(R"((^|[^A-Za-z0-9_])(commit|rollback)([^A-Za-z0-9_]|$))",
                                 std::regex::icase);
    return std::regex_search(body.begin(), body.end(), word);
}

long retry_delay_ms(int attempt, double jitter, long base_ms, long max_ms) {
    long delay = base_ms;
    for (int i = 1; i < attempt && delay < max_ms; ++i)
        delay *= 2;
    delay = std::min(delay, max_ms);
    jitter = std::clamp(jitter, 0.0, 1.0);
    return static_cast<long>(static_cast<double>(delay) * (0.5 + jitter / 2));
}

}  // namespace ms::core
