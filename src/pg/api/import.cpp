// migrate_import(source, project, source_schema) -> SETOF (version, name, source_ref,
// result): marks applied, without running them, the registered migrations another tool's
// tracking table records as applied; reports what matches nothing.
#include "core/folder/import.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/result_set.hpp"
#include "pg/registry/foreign_tables.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registry.hpp"

#include <map>

namespace ms::pg {

namespace {

void import(const ProjectOperation& op, core::ImportSource source, const std::string& label,
            const std::vector<core::ForeignRecord>& records, ResultSet& rows);

Datum import_body(FunctionCallInfo fcinfo) {
    const std::string source_text = required_text(fcinfo, 0, "source");
    const auto source = core::parse_import_source(source_text);
    const auto mapping = core::parse_table_mapping(source_text);
    const auto schema = optional_text(fcinfo, 2);
    ResultSet rows(fcinfo);
    ProjectOperation op("migrate_import", project_argument(fcinfo, 1));
    // Read as the caller: importing must not reveal a table the caller may not read.
    const auto records = read_foreign_records(source, schema, mapping);
    // A tool by its name, a team's own table as it was named.
    const std::string label = mapping ? source_text : core::import_source_name(source);
    op.tracked([&] { import(op, source, label, records, rows); });
    return Datum(0);
}

void import(const ProjectOperation& op, core::ImportSource source, const std::string& label,
            const std::vector<core::ForeignRecord>& records, ResultSet& rows) {
    const std::string& project = op.project();
    const std::string& caller = op.caller();
    const auto registered = load_registered(project);
    auto checksum_of = checksums_by_version(registered);
    int unmatched = 0;
    for (const auto& line : core::plan_import(source, records, registered, load_applied(project))) {
        if (line.outcome == core::ImportOutcome::Imported) {
            const std::string& checksum = checksum_of[*line.version];
            record_applied(project, *line.version, checksum, caller, 0, 0,
                           core::AppliedKind::Imported);
            append_history({project, *line.version, "import", std::nullopt, checksum,
                            std::nullopt,
                            "from " + label + ": " + line.source_key},
                           caller);
        }
        unmatched += line.outcome == core::ImportOutcome::NotRegistered;
        const std::string result = core::import_outcome_name(line.outcome);
        rows.add_row({Cell::text(line.version),
                      line.version ? Cell::text(line.name) : Cell::null(),
                      Cell::text(line.source_key), Cell::text(result)});
    }
    if (unmatched > 0)
        pg_call([&] {
            ereport(WARNING,
                    (errmsg("%d %s records match no registered migration of project \"%s\"",
                            unmatched, label.c_str(), project.c_str()),
                     errhint("Register those migrations and import again; nothing was invented "
                             "for them.")));
        });
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_import, ms::pg::import_body)
