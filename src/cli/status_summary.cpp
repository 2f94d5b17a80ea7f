#include "cli/status_summary.hpp"

#include "core/base/version.hpp"

#include <algorithm>

namespace ms::cli {

namespace {

std::optional<std::size_t> column(const Table& t, const char* name) {
    const auto it = std::find(t.columns.begin(), t.columns.end(), name);
    if (it == t.columns.end()) return std::nullopt;
    return static_cast<std::size_t>(it - t.columns.begin());
}

bool counts_as_applied(const std::string& state) {
    return state == "applied" || state == "baseline" || state == "modified" || state == "missing";
}

}  // namespace

StatusCounts count_states(const Table& status) {
    StatusCounts c;
    for (const char* s : {"applied", "pending", "failed", "modified", "missing"}) c.by_state[s] = 0;
    const auto state = column(status, "state");
    const auto version = column(status, "version");
    if (!state || !version) return c;
    for (const auto& row : status.rows) {
        const std::string s = row[*state].value_or("");
        ++c.by_state[s];
        ++c.total;
        const std::string v = row[*version].value_or("");
        if (!counts_as_applied(s) || v.empty()) continue;
        try {
            if (!c.newest_applied ||
                core::Version::parse(*c.newest_applied) < core::Version::parse(v))
                c.newest_applied = v;
        } catch (const std::exception&) {
            // A version the server accepted always parses; nothing to rank otherwise.
        }
    }
    return c;
}

std::string summary_line(const StatusCounts& c) {
    std::string line = std::to_string(c.total) + (c.total == 1 ? " migration: " : " migrations: ");
    const char* sep = "";
    for (const char* s : {"applied", "pending", "failed", "modified", "missing"}) {
        line += sep + std::to_string(c.by_state.at(s)) + " " + s;
        sep = ", ";
    }
    if (const auto baseline = c.by_state.find("baseline"); baseline != c.by_state.end())
        line += ", " + std::to_string(baseline->second) + " baseline";
    return line + (c.newest_applied ? "; newest applied " + *c.newest_applied : "");
}

}  // namespace ms::cli
