#include "cli/table_printer.hpp"

#include "core/client/terminal_text.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ms::cli {

namespace {

using core::display_width;

// A cell's lines as they are shown: control characters and invalid bytes escaped.
std::vector<std::string> lines_of(const std::string& raw) {
    const std::string value = core::escape_controls(raw);
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = value.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(value.substr(start, nl - start));
    lines.push_back(value.substr(start));
    return lines;
}

void pad(std::ostream& out, const std::string& text, std::size_t width, bool right) {
    const std::string fill(width - std::min(width, display_width(text)), ' ');
    if (right) out << fill << text;
    else out << text << fill;
}

}  // namespace

void print_table(std::ostream& out, const Table& table) {
    const std::size_t columns = table.columns.size();
    if (columns == 0) return;

    // Every cell as its lines, so widths and row heights come from one pass.
    std::vector<std::vector<std::vector<std::string>>> cells;
    std::vector<std::string> headers;
    std::vector<std::size_t> width(columns);
    for (std::size_t c = 0; c < columns; ++c) {
        headers.push_back(core::escape_controls(table.columns[c]));
        width[c] = display_width(headers[c]);
    }
    for (const auto& row : table.rows) {
        auto& lines = cells.emplace_back();
        for (std::size_t c = 0; c < columns; ++c) {
            lines.push_back(lines_of(row[c].value_or("")));
            for (const auto& l : lines.back()) width[c] = std::max(width[c], display_width(l));
        }
    }

    const auto emit_line = [&](auto text_of, auto right_of) {
        for (std::size_t c = 0; c < columns; ++c) {
            out << (c == 0 ? " " : " | ");
            // The last column is not padded on the left-aligned side: no trailing blanks.
            if (c + 1 == columns && !right_of(c)) out << text_of(c);
            else pad(out, text_of(c), width[c], right_of(c));
        }
        out << '\n';
    };

    emit_line([&](std::size_t c) { return headers[c]; }, [](std::size_t) { return false; });
    for (std::size_t c = 0; c < columns; ++c)
        out << (c == 0 ? "-" : "-+-") << std::string(width[c], '-')
            << (c + 1 == columns ? "-" : "");
    out << '\n';
    for (const auto& row : cells) {
        std::size_t height = 1;
        for (const auto& cell : row) height = std::max(height, cell.size());
        for (std::size_t line = 0; line < height; ++line)
            emit_line(
                [&](std::size_t c) { return line < row[c].size() ? row[c][line] : std::string(); },
                [&](std::size_t c) { return table.right_aligned[c]; });
    }
    const auto n = table.rows.size();
    out << '(' << n << (n == 1 ? " row)" : " rows)") << "\n";
}

}  // namespace ms::cli
