// migrate_history(project) -> SETOF history rows, oldest first.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"

#include <array>

namespace ms::pg {

namespace {

Datum history_body(FunctionCallInfo fcinfo) {
    const auto project = optional_text(fcinfo, 0);
    ResultSet rows(fcinfo);
    SpiConnection spi;
    InternalScope internal;
    const auto count = spi_query(
        "SELECT id, project, version, action, at, role_name, application_name, duration_ms, "
        "checksum, old_checksum, detail FROM migrations_schema.history "
        "WHERE $1::pg_catalog.text IS NULL OR project OPERATOR(pg_catalog.=) $1 ORDER BY id",
        {text_arg(project)});
    for (std::uint64_t i = 0; i < count; ++i) {
        // id, at and duration_ms are passed by value; text is copied out of the result.
        bool id_null = false, at_null = false, duration_null = false;
        const Datum id = spi_datum(i, 1, &id_null);
        const Datum at = spi_datum(i, 5, &at_null);
        const Datum duration = spi_datum(i, 8, &duration_null);
        std::array<std::optional<std::string>, 11> text;
        for (const int col : {2, 3, 4, 6, 7, 9, 10, 11})
            text[col - 1] = spi_text(i, col);
        rows.add_row({Cell::datum(id, id_null), Cell::text(text[1]), Cell::text(text[2]),
                      Cell::text(text[3]), Cell::datum(at, at_null), Cell::text(text[5]),
                      Cell::text(text[6]), Cell::datum(duration, duration_null),
                      Cell::text(text[8]), Cell::text(text[9]), Cell::text(text[10])});
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_history, ms::pg::history_body)
