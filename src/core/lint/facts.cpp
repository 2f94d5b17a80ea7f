#include "core/lint/facts.hpp"

#include <cmath>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

bool is_large_table(const std::optional<double>& rows,
                    const std::optional<long long>& bytes) noexcept {
    return (rows && *rows > large_table_rows) || (bytes && *bytes > large_table_bytes);
}

double estimate_rows(const HeapStats& heap, int block_size) noexcept {
    if (heap.current_pages <= 0)
        return 0;
    double density;
    if (heap.reltuples >= 0 && heap.relpages > 0) {
        density = heap.reltuples / heap.relpages;
    } else {
        // As plancat.c: the row plus its 24-byte header (MAXALIGNed 23) and 4-byte line
        // pointer, in a page less its 24-byte header; integer division, as there.
        constexpr int tuple_header = 24, line_pointer = 4, page_header = 24;
        const int width = heap.tuple_width + tuple_header + line_pointer;
        density = static_cast<double>((block_size - page_header) / width);
    }
    return std::rint(density * heap.current_pages);
}

bool timeout_is_enabled(std::string_view value) noexcept {
    // The number comes first, the unit after it; any non-zero digit in it is a timeout.
    std::size_t i = 0;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t' || value[i] == '+'))
        ++i;
    for (; i < value.size(); ++i) {
        const char c = value[i];
        if (c >= '1' && c <= '9')
            return true;
        if (c != '0' && c != '.')
            break;
    }
    return false;
}

bool literal_mentions_value(std::string_view literal, std::string_view value) {
    if (literal == value)
        return true;
    std::string quoted = "'";
    for (const char c : value) {
        quoted += c;
        if (c == '\'')
            quoted += '\'';
    }
    quoted += '\'';
    return literal.find(quoted) != std::string_view::npos;
}

std::string lock_mode_words(std::string_view lock_mode) {
    constexpr std::string_view suffix = "Lock";
    if (lock_mode.size() >= suffix.size() &&
        lock_mode.substr(lock_mode.size() - suffix.size()) == suffix)
        lock_mode.remove_suffix(suffix.size());
    std::string words;
    for (const char c : lock_mode) {
        if (c >= 'A' && c <= 'Z') {
            if (!words.empty())
                words += ' ';
            words += c;
        } else {
            words += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        }
    }
    return words;
}

void ScriptRelations::add(std::string_view schema, std::string_view name) {
    relations_.emplace_back(std::string(schema), std::string(name));
}

bool ScriptRelations::contains(std::string_view schema, std::string_view name) const {
    for (const auto& [s, n] : relations_)
        if (n == name && (s.empty() || schema.empty() || s == schema))
            return true;
    return false;
}

}  // namespace ms::core
