// migrate_schema_fingerprint(schemas text[]) -> jsonb and migrate_schema_hash(schemas) -> text:
// the canonical description of the user schemas (or of the schemas named) and its SHA-256.
// Changes nothing.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/fingerprint.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

namespace {

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
