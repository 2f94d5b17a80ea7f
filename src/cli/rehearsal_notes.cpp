#include "cli/rehearsal_notes.hpp"

#include <algorithm>
#include <optional>

namespace ms::cli {

namespace {

std::optional<std::size_t> column(const Table& t, const char* name) {
    const auto c = std::find(t.columns.begin(), t.columns.end(), name);
    if (c == t.columns.end()) return std::nullopt;
    return static_cast<std::size_t>(c - t.columns.begin());
}

bool has(const std::optional<std::string>& cell, const char* text) {
    return cell && cell->find(text) != std::string::npos;
}

}  // namespace

std::vector<std::string> rehearsal_gaps(const Table& result) {
    std::vector<std::string> lines;
    const auto version = column(result, "version");
    if (!version) return lines;
    const auto rehearsal = column(result, "rehearsal");
    const auto reversible = column(result, "reversible");
    const auto detail = column(result, "detail");
    for (const auto& row : result.rows) {
        const std::string v = row[*version].value_or("");
        if (rehearsal && has(row[*rehearsal], "not rehearsed"))
            lines.push_back("not rehearsed in " + v + ": " + *row[*rehearsal]);
        else if (reversible && detail &&
                 (row[*reversible] == std::optional<std::string>("not tested") ||
                  has(row[*detail], "not tested") || has(row[*detail], "not run, as")))
            lines.push_back("not tested in " + v + ": " + row[*detail].value_or(""));
    }
    return lines;
}

}  // namespace ms::cli
