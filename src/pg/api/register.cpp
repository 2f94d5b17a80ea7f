// migrate_register(version, name, up_sql, down_sql, project) -> text
#include "core/base/failure.hpp"
#include "core/base/version.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registration.hpp"

namespace ms::pg {

namespace {

Datum register_body(FunctionCallInfo fcinfo) {
    const core::Version version = core::Version::parse(required_text(fcinfo, 0, "version"));
    MigrationContent content{required_text(fcinfo, 1, "name"), required_text(fcinfo, 2, "up_sql"),
                             optional_text(fcinfo, 3), optional_text(fcinfo, 5)};
    const std::string project = project_argument(fcinfo, 4);
    validate_content(version, content);

    RegisterOutcome outcome;
    {
        ProjectOperation op("migrate_register", project, BesideRunner::Proceed);
        outcome = op.tracked(
            [&] { return register_migration(op.project(), version, content, op.caller()); });
    }
    return pg_call([&] { return CStringGetTextDatum(outcome_name(outcome)); });
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_register, ms::pg::register_body)
