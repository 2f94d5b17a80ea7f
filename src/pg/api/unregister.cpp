// migrate_unregister(version, project) -> text: forgets a pending or failed migration.
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/unregistration.hpp"

namespace ms::pg {

namespace {

Datum unregister_body(FunctionCallInfo fcinfo) {
    const std::string version = required_text(fcinfo, 0, "version");
    {
        ProjectOperation op("migrate_unregister", project_argument(fcinfo, 1));
        op.tracked([&] { unregister_version(op, version); });
    }
    return pg_call([] { return CStringGetTextDatum("unregistered"); });
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_unregister, ms::pg::unregister_body)
