#include "pg/lint/catalog.hpp"

#include "core/lint/facts.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/index_lookups.hpp"
#include "pg/base/spi.hpp"

namespace ms::pg {

namespace {

// One row per heap the relation stores its rows in: itself, or every leaf partition of a
// partitioned table or index. A partitioned relation without partitions gives one row of
// NULLs; a relation that does not exist gives none.
constexpr const char* relation_sql = R"SQL(
WITH target AS (
    SELECT c.oid, c.relkind FROM pg_catalog.pg_class c
    WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)
), heaps AS (
    SELECT t.oid AS relid FROM target t
    WHERE t.relkind OPERATOR(pg_catalog.<>) ALL (ARRAY['p', 'I']::pg_catalog."char"[])
    UNION ALL
    SELECT p.relid FROM target t, pg_catalog.pg_partition_tree(t.oid) p
    WHERE t.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['p', 'I']::pg_catalog."char"[])
      AND p.isleaf
)
SELECT t.relkind::pg_catalog.text,
       c.oid IS NOT NULL,
       c.reltuples::pg_catalog.float8,
       c.relpages::pg_catalog.float8,
       pg_catalog.pg_relation_size(c.oid)::pg_catalog.float8,
       pg_catalog.current_setting('block_size')::pg_catalog.int4,
       (SELECT pg_catalog.sum(CASE WHEN ty.typlen OPERATOR(pg_catalog.>) 0 THEN ty.typlen
                                   ELSE 32 END)::pg_catalog.int4
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
        WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped),
       pg_catalog.pg_total_relation_size(c.oid)
FROM target t
LEFT JOIN (heaps h JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) h.relid) ON true
)SQL";

double float8_at(std::uint64_t row, int col) {
    bool is_null = false;
    const Datum d = spi_datum(row, col, &is_null);
    return is_null ? 0 : DatumGetFloat8(d);
}

long long int8_at(std::uint64_t row, int col) {
    bool is_null = false;
    const Datum d = spi_datum(row, col, &is_null);
    return is_null ? 0 : static_cast<long long>(DatumGetInt64(d));
}

int int4_at(std::uint64_t row, int col) {
    bool is_null = false;
    const Datum d = spi_datum(row, col, &is_null);
    return is_null ? 0 : DatumGetInt32(d);
}

// A Citus table's distribution, and the sizes of its shards over the workers, read through
// Citus's own functions. The heap size (citus_relation_size) gives the row estimate: the
// shell table on the coordinator holds no rows.
constexpr const char* citus_sql = R"SQL(
SELECT CASE WHEN p.partmethod OPERATOR(pg_catalog.=) 'h' THEN 'hash'
            WHEN p.partmethod OPERATOR(pg_catalog.=) 'r' THEN 'range'
            WHEN p.partmethod OPERATOR(pg_catalog.=) 'a' THEN 'append'
            WHEN p.repmodel OPERATOR(pg_catalog.=) 't' THEN 'reference'
            ELSE 'citus local' END,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_dist_shard s
        WHERE s.logicalrelid OPERATOR(pg_catalog.=) p.logicalrelid),
       (SELECT a.attname::pg_catalog.text FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) p.logicalrelid
          AND a.attnum::pg_catalog.text OPERATOR(pg_catalog.=)
              pg_catalog.substring(p.partkey, ':varattno ([0-9]+)')),
       CASE WHEN p.partmethod OPERATOR(pg_catalog.<>) 'n' OR p.repmodel OPERATOR(pg_catalog.=) 't'
            THEN pg_catalog.citus_total_relation_size(p.logicalrelid) END,
       CASE WHEN p.partmethod OPERATOR(pg_catalog.<>) 'n' OR p.repmodel OPERATOR(pg_catalog.=) 't'
            THEN pg_catalog.citus_relation_size(p.logicalrelid)::pg_catalog.float8 END
FROM pg_catalog.pg_dist_partition p
WHERE p.logicalrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)
)SQL";

void add_citus_facts(const std::string& relation, int block_size, int tuple_width,
                     RelationFacts& facts) {
    if (!citus_catalog_present() || spi_query_caller_names(citus_sql, {text_arg(relation)}) == 0)
        return;
    CitusTableFacts citus;
    citus.distribution = spi_required_text(0, 1);
    citus.shards = int8_at(0, 2);
    citus.column = spi_text(0, 3);
    bool unsized = false;
    (void)spi_datum(0, 4, &unsized);
    if (!unsized && block_size > 0) {
        // Shards of a table Citus distributed hold its rows; nothing measured them here.
        facts.bytes = int8_at(0, 4);
        facts.rows = core::estimate_rows(
            core::HeapStats{-1, 0, float8_at(0, 5) / block_size, tuple_width}, block_size);
    }
    facts.citus = std::move(citus);
}

}  // namespace

RelationFacts relation_facts(const std::string& relation) {
    RelationFacts facts;
    // pg_partition_tree's default estimate (1,000 rows) made the join to pg_class a hash over
    // the whole catalog: 4 ms at 10,000 tables for the one row of a plain table.
    std::uint64_t heaps = 0;
    {
        IndexLookups lookups;
        heaps = spi_query_caller_names(relation_sql, {text_arg(relation)});
    }
    if (heaps == 0)
        return facts;
    facts.exists = true;
    facts.kind = spi_required_text(0, 1).front();
    const int first_block_size = int4_at(0, 6);
    const int first_tuple_width = int4_at(0, 7);
    double rows = 0;
    long long bytes = 0;
    for (std::uint64_t i = 0; i < heaps; ++i) {
        if (!spi_bool(i, 2))
            continue;  // a partitioned relation without partitions holds nothing
        const int block_size = int4_at(i, 6);
        const core::HeapStats heap{float8_at(i, 3), float8_at(i, 4),
                                   block_size > 0 ? float8_at(i, 5) / block_size : 0,
                                   int4_at(i, 7)};
        rows += core::estimate_rows(heap, block_size);
        bytes += int8_at(i, 8);
    }
    facts.rows = rows;
    facts.bytes = bytes;
    add_citus_facts(relation, first_block_size, first_tuple_width, facts);
    return facts;
}

std::optional<CatalogType> column_type(const std::string& relation, const std::string& column) {
    const auto n = spi_query_caller_names(
        "SELECT t.typname::pg_catalog.text, a.atttypmod, "
        "pg_catalog.format_type(a.atttypid, a.atttypmod) "
        "FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid "
        "WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
        "AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name "
        "AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped",
        {text_arg(relation), text_arg(column)});
    if (n == 0)
        return std::nullopt;
    CatalogType result;
    result.type.name = spi_required_text(0, 1);
    result.type.modifiers = core::modifiers_from_typmod(result.type.name, int4_at(0, 2));
    result.display = spi_required_text(0, 3);
    return result;
}

std::optional<std::pair<std::string, std::string>> resolve_type(const std::string& type_name) {
    const auto n = spi_query_caller_names(
        "SELECT t.typname::pg_catalog.text, pg_catalog.format_type(t.oid, NULL) "
        "FROM pg_catalog.pg_type t "
        "WHERE t.oid OPERATOR(pg_catalog.=) pg_catalog.to_regtype($1)",
        {text_arg(type_name)});
    if (n == 0)
        return std::nullopt;
    return std::make_pair(spi_required_text(0, 1), spi_required_text(0, 2));
}

std::vector<std::pair<std::string, bool>> not_null_checks(const std::string& relation,
                                                          const std::string& column) {
    // pg_get_constraintdef() prints CHECK (c IS NOT NULL) as CHECK ((c IS NOT NULL)), with
    // the column quoted as quote_ident() does, and " NOT VALID" after it until validated.
    const auto n = spi_query_caller_names(
        "WITH expected AS (SELECT 'CHECK ((' OPERATOR(pg_catalog.||) pg_catalog.quote_ident($2) "
        "OPERATOR(pg_catalog.||) ' IS NOT NULL))' AS def) "
        "SELECT c.conname::pg_catalog.text, c.convalidated "
        "FROM pg_catalog.pg_constraint c, expected e "
        "WHERE c.conrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
        "AND c.contype OPERATOR(pg_catalog.=) 'c' "
        "AND pg_catalog.pg_get_constraintdef(c.oid) OPERATOR(pg_catalog.=) ANY "
        "(ARRAY[e.def, e.def OPERATOR(pg_catalog.||) ' NOT VALID']) "
        "ORDER BY c.conname",
        {text_arg(relation), text_arg(column)});
    std::vector<std::pair<std::string, bool>> checks;
    for (std::uint64_t i = 0; i < n; ++i)
        checks.emplace_back(spi_required_text(i, 1), spi_bool(i, 2));
    return checks;
}

std::optional<bool> index_is_valid(const std::string& table, const std::string& index) {
    const auto n = spi_query_caller_names(
        "SELECT i.indisvalid FROM pg_catalog.pg_index i "
        "JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid "
        "JOIN pg_catalog.pg_class tc ON tc.relnamespace OPERATOR(pg_catalog.=) ic.relnamespace "
        "WHERE tc.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
        "AND ic.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name",
        {text_arg(table), text_arg(index)});
    if (n == 0)
        return std::nullopt;
    return spi_bool(0, 1);
}

core::Volatility function_volatility(const std::string& schema, const std::string& name,
                                     int nargs) {
    // 'i' < 's' < 'v' in byte order: the maximum is the most volatile overload.
    const auto n = spi_query_caller_names(
        "SELECT pg_catalog.max(p.provolatile::pg_catalog.text COLLATE pg_catalog.\"C\") "
        "FROM pg_catalog.pg_proc p "
        "WHERE p.proname OPERATOR(pg_catalog.=) $2::pg_catalog.name "
        "AND CASE WHEN $1::pg_catalog.text IS NULL "
        "THEN pg_catalog.pg_function_is_visible(p.oid) "
        "ELSE p.pronamespace OPERATOR(pg_catalog.=) (SELECT ns.oid "
        "FROM pg_catalog.pg_namespace ns "
        "WHERE ns.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name) END "
        "AND ($3 OPERATOR(pg_catalog.<) 0 OR ((p.pronargs OPERATOR(pg_catalog.-) "
        "p.pronargdefaults) OPERATOR(pg_catalog.<=) $3 AND ($3 OPERATOR(pg_catalog.<=) "
        "p.pronargs OR p.provariadic OPERATOR(pg_catalog.<>) 0)))",
        {text_arg(schema.empty() ? std::nullopt : std::optional<std::string>(schema)),
         text_arg(name), int4_arg(nargs)});
    const auto code = n == 0 ? std::nullopt : spi_text(0, 1);
    return code && !code->empty() ? core::volatility_from_code((*code)[0])
                                  : core::Volatility::Unknown;
}

std::vector<std::string> referencing_tables(const std::string& relation) {
    const auto n = spi_query_caller_names(
        "SELECT DISTINCT c.conrelid::pg_catalog.regclass::pg_catalog.text "
        "FROM pg_catalog.pg_constraint c "
        "WHERE c.confrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
        "AND c.contype OPERATOR(pg_catalog.=) 'f' "
        "AND c.conrelid OPERATOR(pg_catalog.<>) c.confrelid ORDER BY 1",
        {text_arg(relation)});
    std::vector<std::string> tables;
    for (std::uint64_t i = 0; i < n; ++i)
        tables.push_back(spi_required_text(i, 1));
    return tables;
}

bool time_zone_is_utc() {
    // The server's own reading: a zone whose offset is zero now and has no daylight time.
    spi_query("SELECT pg_catalog.current_setting('TimeZone') OPERATOR(pg_catalog.=) ANY "
              "('{UTC,Etc/UTC,UCT,Etc/UCT,Zulu,Etc/Zulu,GMT,Etc/GMT,Universal,Etc/Universal,"
              "Greenwich,Etc/Greenwich,GMT0,Etc/GMT0,GMT+0,GMT-0}'::pg_catalog.text[])",
              {});
    return spi_bool(0, 1);
}

std::string current_lock_timeout() {
    spi_query("SELECT pg_catalog.current_setting('lock_timeout')", {});
    return spi_required_text(0, 1);
}

bool enum_has_value(const std::string& type_name, const std::string& value) {
    spi_query_caller_names(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_enum e "
        "WHERE e.enumtypid OPERATOR(pg_catalog.=) pg_catalog.to_regtype($1) "
        "AND e.enumlabel OPERATOR(pg_catalog.=) $2::pg_catalog.name)",
        {text_arg(type_name), text_arg(value)});
    return spi_bool(0, 1);
}

}  // namespace ms::pg
