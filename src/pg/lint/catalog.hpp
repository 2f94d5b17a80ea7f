// Catalog facts the lint rules need, read at lint time through SPI as the caller: names
// resolve with the caller's search_path, as they will when the script runs. Every query is
// constant text with parameters, every name and operator in it qualified (CONTRIBUTING.md, "Security").
#pragma once

#include "core/lint/types.hpp"
#include "core/lint/volatility.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

// A table Citus knows (its catalog looked up by name, only when it is there).
struct CitusTableFacts {
    std::string distribution;           // hash, range, append, reference, citus local
    long long shards = 0;
    std::optional<std::string> column;  // the distribution column
};

struct RelationFacts {
    bool exists = false;
    char kind = 0;                      // pg_class.relkind
    // pg_total_relation_size, summed over partitions; of a distributed or reference table,
    // over its shards on the workers (Citus's citus_total_relation_size)
    std::optional<long long> bytes;
    std::optional<double> rows;         // count-free estimate, summed over partitions (shards)
    std::optional<CitusTableFacts> citus;
};

// `relation` as written in the script (quoted, maybe schema-qualified).
RelationFacts relation_facts(const std::string& relation);

struct CatalogType {
    core::ColumnType type;
    std::string display;  // format_type(): "character varying(20)"
};

// The column's type; nullopt when the relation or the column does not exist.
std::optional<CatalogType> column_type(const std::string& relation, const std::string& column);

// pg_type.typname and format_type() of a quoted type name; nullopt when it does not exist.
std::optional<std::pair<std::string, std::string>> resolve_type(const std::string& type_name);

// The tables with a foreign key to the relation (TRUNCATE ... CASCADE empties them too).
std::vector<std::string> referencing_tables(const std::string& relation);

// Whether the session's TimeZone is UTC (or an alias of it).
bool time_zone_is_utc();

// CHECK (column IS NOT NULL) constraints of the relation: (name, validated).
std::vector<std::pair<std::string, bool>> not_null_checks(const std::string& relation,
                                                          const std::string& column);

// Whether the index of that name in the table's schema is valid; nullopt: there is none.
std::optional<bool> index_is_valid(const std::string& table, const std::string& index);

// The most volatile of the functions of that name (schema empty: those on the search path)
// that a call with `nargs` arguments can reach (defaults and VARIADIC counted; -1: any).
core::Volatility function_volatility(const std::string& schema, const std::string& name,
                                     int nargs = -1);

// current_setting('lock_timeout').
std::string current_lock_timeout();

// Whether the enum type (quoted name) already has the value.
bool enum_has_value(const std::string& type_name, const std::string& value);

}  // namespace ms::pg
