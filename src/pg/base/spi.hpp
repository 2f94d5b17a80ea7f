// Internal queries through SPI: constant SQL text, every value a parameter (CONTRIBUTING.md,
// "Security"), every PostgreSQL error turned into a PgError by pg_call.
#pragma once

#include "pg/base/pg.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// SPI_connect for the lifetime of the object. Values returned to the caller must be made
// after it ends: SPI_finish frees everything allocated while connected.
class SpiConnection {
public:
    // nonatomic: for a procedure that commits between migrations (SPI_commit).
    explicit SpiConnection(bool nonatomic = false);
    ~SpiConnection();
    SpiConnection(const SpiConnection&) = delete;
    SpiConnection& operator=(const SpiConnection&) = delete;

private:
    int exceptions_at_entry_;
};

struct SqlArg {
    Oid type;
    Datum value;
    bool is_null;
};

SqlArg text_arg(const std::string& value);
SqlArg text_arg(const std::optional<std::string>& value);
SqlArg float8_arg(double value);
SqlArg float8_arg(const std::optional<double>& value);
// A text[] parameter; nullopt: NULL.
SqlArg text_array_arg(const std::optional<std::vector<std::string>>& values);
SqlArg int4_arg(int value);

// Runs an internal query with search_path = pg_catalog, pg_temp and returns the number of
// rows it returned or changed; the rows are in SPI_tuptable until the next query.
std::uint64_t spi_query(const char* sql, std::initializer_list<SqlArg> args);
// The same with the search_path the code runs under, for the few queries that resolve a
// name a script wrote (to_regclass($1)) as the script will, or print one as the caller
// reads it (regclass output). Every function, operator and type in their text is
// qualified with pg_catalog, which the trap test (test/t/014_trap.pl) holds them to.
std::uint64_t spi_query_caller_names(const char* sql, std::initializer_list<SqlArg> args);

// Column `col` (1-based) of row `row` of the last result.
std::optional<std::string> spi_text(std::uint64_t row, int col);
std::string spi_required_text(std::uint64_t row, int col);
bool spi_bool(std::uint64_t row, int col);
// The raw datum, for values passed through unchanged (timestamps in status rows).
Datum spi_datum(std::uint64_t row, int col, bool* is_null);

}  // namespace ms::pg
