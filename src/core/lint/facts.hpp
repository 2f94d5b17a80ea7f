// What the lint rules conclude from catalog numbers and from earlier statements of the same
// script: when a table is large, how many rows it holds without counting them, whether a
// lock_timeout value is in force, which relations the script itself creates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ms::core {

// "Large" for unbounded UPDATE/DELETE: enough rows or bytes that one statement touching all
// of them holds its locks and bloats the table for a noticeable time.
constexpr double large_table_rows = 10000;
constexpr long long large_table_bytes = 10LL * 1024 * 1024;

bool is_large_table(const std::optional<double>& rows, const std::optional<long long>& bytes) noexcept;

// One heap (a table, or one leaf partition) as pg_class and the storage manager see it.
struct HeapStats {
    double reltuples = -1;     // -1: never vacuumed or analyzed
    double relpages = 0;       // pages when reltuples was measured
    double current_pages = 0;  // pages now
    int tuple_width = 0;       // bytes of the columns (32 for each variable-width one)
};

// The planner's count-free row estimate (estimate_rel_size): the measured density scaled to
// the current size, or a density computed from the row width when nothing was measured.
double estimate_rows(const HeapStats& heap, int block_size) noexcept;

// Whether a lock_timeout value as SET writes it ('5s', 2000, '0') means a timeout: 0 in any
// unit turns it off.
bool timeout_is_enabled(std::string_view value) noexcept;

// Whether a string constant of a later statement uses an enum value: the constant is the value
// ('x'::mood, VALUES ('x')), or quotes it inside a body ($$ ... 'x' ... $$).
bool literal_mentions_value(std::string_view literal, std::string_view value);

// "ShareRowExclusiveLock" (the server's name for a lock mode) -> "SHARE ROW EXCLUSIVE", as
// LOCK TABLE and the documentation spell it.
std::string lock_mode_words(std::string_view lock_mode);

// Relations (tables, materialized views, indexes) created earlier in the script. Other
// sessions cannot see them until the migration commits, so their locks block nobody and
// they hold no rows yet. Names are compared as the parser folded them; an unqualified name
// matches the same name in any schema.
class ScriptRelations {
public:
    void add(std::string_view schema, std::string_view name);
    bool contains(std::string_view schema, std::string_view name) const;

private:
    std::vector<std::pair<std::string, std::string>> relations_;  // (schema or "", name)
};

}  // namespace ms::core
