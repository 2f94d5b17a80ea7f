#include "pg/base/spi.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
}

#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ms::pg {

SpiConnection::SpiConnection(bool nonatomic)
    : exceptions_at_entry_(std::uncaught_exceptions()) {
    const int rc = pg_call([&] { return SPI_connect_ext(nonatomic ? SPI_OPT_NONATOMIC : 0); });
    if (rc != SPI_OK_CONNECT)
        throw std::runtime_error(std::string("SPI_connect failed: ") + SPI_result_code_string(rc));
}

SpiConnection::~SpiConnection() {
    // On an error the abort of the (sub)transaction closes the connection.
    if (std::uncaught_exceptions() > exceptions_at_entry_)
        return;
    SPI_finish();
}

SqlArg text_arg(const std::string& value) {
    return SqlArg{TEXTOID, pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(
                                             value.data(), static_cast<int>(value.size()))); }),
                  false};
}

SqlArg text_arg(const std::optional<std::string>& value) {
    return value ? text_arg(*value) : SqlArg{TEXTOID, Datum(0), true};
}

SqlArg float8_arg(double value) {
    return SqlArg{FLOAT8OID, Float8GetDatum(value), false};
}

SqlArg float8_arg(const std::optional<double>& value) {
    return value ? float8_arg(*value) : SqlArg{FLOAT8OID, Datum(0), true};
}

SqlArg int4_arg(int value) {
    return SqlArg{INT4OID, Int32GetDatum(value), false};
}

namespace {

// Internal queries are constant texts with fixed parameter types, run again for every
// migration: each is planned once per backend and kept. PostgreSQL's plan cache replans a
// kept plan when what it uses changes (the extension dropped and created again), and
// permissions are checked at every execution, as the role running it then.
// A query given a large value (a script of many megabytes) is planned generic: a custom
// plan folds each parameter into the plan tree as a constant, copying the value twice more
// (the planner's constant folding and the cached plan's copy); a generic plan reads it in place.
using PlanKey = std::tuple<std::string, std::vector<Oid>, bool>;
constexpr Size large_value_bytes = Size{1} << 20;
std::map<PlanKey, SPIPlanPtr> kept_plans;
// Texts built at run time (a foreign tracking table's name) are few; a bound keeps an odd
// caller from filling the backend's memory with plans.
constexpr std::size_t max_kept_plans = 512;

SPIPlanPtr plan_for(const char* sql, std::vector<Oid>& types, bool generic) {
    PlanKey key{sql, types, generic};
    const auto found = kept_plans.find(key);
    if (found != kept_plans.end())
        return found->second;
    SPIPlanPtr plan = pg_call([&] {
        return SPI_prepare_cursor(sql, static_cast<int>(types.size()), types.data(),
                                  generic ? CURSOR_OPT_GENERIC_PLAN : 0);
    });
    if (plan == nullptr)
        throw std::runtime_error(std::string("internal query could not be planned: ") +
                                 SPI_result_code_string(SPI_result));
    if (kept_plans.size() < max_kept_plans) {
        pg_call([&] { (void)SPI_keepplan(plan); });
        kept_plans.emplace(std::move(key), plan);
    }
    return plan;
}

}  // namespace

namespace {

constexpr const char* pinned_search_path = "pg_catalog, pg_temp";

// search_path = pg_catalog, pg_temp while an internal query is planned and run, whatever the
// caller's session, function or event has set: no function, operator or type a role could
// create elsewhere (a shadowing `=` for oid and regclass, a `text(regclass)`) can be chosen by
// its parser, and pg_temp, listed last, is never searched for functions or operators. Already
// pinned (an InternalScope, a function's own SET), it changes nothing.
class PinnedSearchPath {
public:
    PinnedSearchPath() {
        if (namespace_search_path != nullptr &&
            std::string(namespace_search_path) == pinned_search_path)
            return;
        level_ = pg_call([] { return NewGUCNestLevel(); });
        pg_call([] {
            (void)set_config_option("search_path", pinned_search_path, PGC_USERSET,
                                    PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        });
    }
    ~PinnedSearchPath() {
        // Plain assignment and a walk of the GUC stack at this level: safe while unwinding.
        if (level_ != 0)
            AtEOXact_GUC(false, level_);
    }
    PinnedSearchPath(const PinnedSearchPath&) = delete;
    PinnedSearchPath& operator=(const PinnedSearchPath&) = delete;

private:
    int level_ = 0;
};

std::uint64_t run_query(const char* sql, std::initializer_list<SqlArg> args) {
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
    bool large = false;
    for (const auto& a : args) {
        types.push_back(a.type);
        values.push_back(a.value);
        nulls.push_back(a.is_null ? 'n' : ' ');
        if (!a.is_null && !large)
            large = pg_call([&] {
                return get_typlen(a.type) == -1 &&
                       VARSIZE_ANY(DatumGetPointer(a.value)) > large_value_bytes;
            });
    }
    // The previous result is no longer needed; freeing it keeps memory bounded by one
    // result (one script) however many queries a call makes.
    pg_call([] { SPI_freetuptable(SPI_tuptable); });
    SPIPlanPtr plan = plan_for(sql, types, large);
    const int rc = pg_call(
        [&] { return SPI_execute_plan(plan, values.data(), nulls.data(), false, 0); });
    if (rc < 0)
        throw std::runtime_error(std::string("internal query failed: ") +
                                 SPI_result_code_string(rc));
    return SPI_processed;
}

}  // namespace

std::uint64_t spi_query(const char* sql, std::initializer_list<SqlArg> args) {
    fault_point("internal_query");
    PinnedSearchPath pinned;
    return run_query(sql, args);
}

std::uint64_t spi_query_caller_names(const char* sql, std::initializer_list<SqlArg> args) {
    fault_point("internal_query");
    return run_query(sql, args);
}

Datum spi_datum(std::uint64_t row, int col, bool* is_null) {
    return pg_call([&] {
        return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, is_null);
    });
}

std::optional<std::string> spi_text(std::uint64_t row, int col) {
    bool is_null = false;
    Datum d = Datum(0);
    text* t = nullptr;
    // Detoasting can fail (out of memory), so it runs under the guard too; one guard for
    // both, since status reads tens of thousands of cells.
    pg_call([&] {
        d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &is_null);
        if (!is_null)
            t = DatumGetTextPP(d);
    });
    if (is_null)
        return std::nullopt;
    std::string value(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    if (reinterpret_cast<Pointer>(t) != DatumGetPointer(d))
        pfree(t);
    return value;
}

std::string spi_required_text(std::uint64_t row, int col) {
    auto v = spi_text(row, col);
    if (!v)
        throw std::runtime_error("unexpected NULL in the tracking tables");
    return std::move(*v);
}

bool spi_bool(std::uint64_t row, int col) {
    bool is_null = false;
    const Datum d = spi_datum(row, col, &is_null);
    return !is_null && DatumGetBool(d);
}

SqlArg text_array_arg(const std::optional<std::vector<std::string>>& values) {
    if (!values)
        return SqlArg{TEXTARRAYOID, Datum(0), true};
    std::vector<Datum> elements;
    elements.reserve(values->size());
    for (const auto& v : *values)
        elements.push_back(text_arg(v).value);
    ArrayType* array = pg_call([&] {
        return elements.empty()
                   ? construct_empty_array(TEXTOID)
                   : construct_array(elements.data(), static_cast<int>(elements.size()), TEXTOID,
                                     -1, false, TYPALIGN_INT);
    });
    return SqlArg{TEXTARRAYOID, PointerGetDatum(array), false};
}

}  // namespace ms::pg
