// migrate_load_dir(path, project, prune) -> integer: the number of migrations registered or
// updated (0 when the folder holds nothing new); with prune, the pending migrations the
// folder no longer has are unregistered.
#include "core/base/failure.hpp"
#include "core/folder/folder.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/registry/folder_registration.hpp"
#include "pg/registry/project_operation.hpp"
#include "pg/registry/registration.hpp"
#include "pg/registry/unregistration.hpp"

extern "C" {
#include "utils/acl.h"
}

namespace ms::pg {

namespace {

void require_read_server_files() {
    const bool allowed = pg_call([] {
        return superuser() || has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES);
    });
    if (!allowed)
        throw core::Failure(core::FailureKind::Forbidden,
                            "permission denied to read migration folders on the server", {},
                            "Only superusers and members of pg_read_server_files may call "
                            "migrate_load_dir(); others can use migrate_register().");
}

Datum load_dir_body(FunctionCallInfo fcinfo) {
    const std::string path = required_text(fcinfo, 0, "path");
    const std::string project = project_argument(fcinfo, 1);
    const bool prune = required_bool(fcinfo, 2, "prune", false);
    require_read_server_files();

    // The whole folder is read and checked before anything is stored, so a bad file
    // registers nothing.
    auto migrations = core::read_folder(path);
    // The scripts move into their registration contents: a large script is held once.
    std::vector<MigrationContent> contents;
    contents.reserve(migrations.size());
    for (auto& m : migrations) {
        contents.push_back(MigrationContent{m.files.name, std::move(m.up_sql),
                                            std::move(m.down_sql), std::move(m.verify_sql)});
        validate_content(m.files.version, contents.back());
    }

    int counts[3] = {0, 0, 0};
    {
        ProjectOperation op("migrate_load_dir", project, BesideRunner::Proceed);
        op.tracked([&] {
            FolderRegistration registration(project, op.caller());
            for (std::size_t i = 0; i < migrations.size(); ++i) {
                const auto outcome = registration.add(migrations[i].files.version, contents[i]);
                ++counts[static_cast<int>(outcome)];
                // Registered, or about to be: the registration holds its text.
                contents[i] = MigrationContent{};
            }
            registration.finish();
            if (prune) {
                std::vector<std::string> versions;
                for (const auto& m : migrations) versions.push_back(m.files.version.text());
                prune_to(op, versions);
            }
        });
    }
    const int changed = counts[static_cast<int>(RegisterOutcome::New)] +
                        counts[static_cast<int>(RegisterOutcome::Changed)];
    pg_call([&] {
        ereport(NOTICE,
                (errmsg("loaded %d migrations for project \"%s\": %d new, %d changed, %d unchanged",
                        static_cast<int>(migrations.size()), project.c_str(),
                        counts[static_cast<int>(RegisterOutcome::New)],
                        counts[static_cast<int>(RegisterOutcome::Changed)],
                        counts[static_cast<int>(RegisterOutcome::Unchanged)])));
    });
    return Int32GetDatum(changed);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_load_dir, ms::pg::load_dir_body)
