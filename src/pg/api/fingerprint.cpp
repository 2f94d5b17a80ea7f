// migrate_schema_fingerprint(schemas text[]) -> jsonb and migrate_schema_hash(schemas) -> text:
// the canonical description of the user schemas (or of the schemas named) and its SHA-256.
// Changes nothing.
#include "core/failure.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/schema/fingerprint.hpp"
#include "pg/base/spi.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
}

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

namespace {

// NULL: every user schema. A NULL element is refused: it names no schema, and skipping it
// silently would fingerprint less than the caller asked for.
std::optional<std::vector<std::string>> schemas_argument(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n))
        return std::nullopt;
    ArrayType* array = pg_call([&] { return PG_GETARG_ARRAYTYPE_P(n); });
    Datum* elements = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    pg_call([&] {
        deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
    });
    std::vector<std::string> schemas;
    schemas.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            throw core::Failure(core::FailureKind::NullValue,
                                "argument \"schemas\" must not contain NULL",
                                "Element " + std::to_string(i + 1) + " is NULL.",
                                "Name each schema, or pass NULL instead of an array for every "
                                "user schema.");
        text* t = pg_call([&] { return DatumGetTextPP(elements[i]); });
        schemas.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
    return schemas;
}

SchemaFingerprint fingerprint_of(FunctionCallInfo fcinfo) {
    const auto schemas = schemas_argument(fcinfo, 0);
    SpiConnection spi;
    InternalScope internal;
    return schema_fingerprint(schemas);
}

Datum fingerprint_body(FunctionCallInfo fcinfo) {
    // SPI is finished when fingerprint_of returns: the jsonb is built in the caller's context.
    const SchemaFingerprint fp = fingerprint_of(fcinfo);
    return pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(fp.json.c_str())); });
}

Datum hash_body(FunctionCallInfo fcinfo) {
    const SchemaFingerprint fp = fingerprint_of(fcinfo);
    return pg_call([&] { return CStringGetTextDatum(fp.sha256.c_str()); });
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_schema_fingerprint, ms::pg::fingerprint_body)
MS_SQL_FUNCTION(migrate_schema_hash, ms::pg::hash_body)
