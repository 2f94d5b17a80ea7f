// Reading other migration tools' tracking tables, as the caller (who must be allowed to
// read them) and with names taken from the catalog, never from text pasted into SQL.
#pragma once

#include "core/folder/import.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// The records of `source`'s table in `schema` (or the one the caller's search_path finds;
// Sqitch's default schema is "sqitch"), in the order the tool wrote them. A missing table
// is an error naming what was looked for. ImportSource::Table reads the table and columns
// `mapping` names (its schema, when it names one, before `schema`).
std::vector<core::ForeignRecord> read_foreign_records(
    core::ImportSource source, const std::optional<std::string>& schema,
    const std::optional<core::TableMapping>& mapping = std::nullopt);

}  // namespace ms::pg
