#include "pg/registry/unregistration.hpp"

#include "core/base/failure.hpp"
#include "core/plan/progress.hpp"
#include "pg/base/guard.hpp"
#include "pg/registry/progress.hpp"
#include "pg/registry/registry.hpp"

#include <boost/algorithm/string/join.hpp>

namespace ms::pg {

namespace {

// The registry spells the version as registered; the caller may have spelt it otherwise.
std::string registered_spelling(const RegistryState& state, const core::Version& version) {
    for (const auto& r : state.registered)
        if (core::Version::parse(r.version) == version)
            return r.version;
    return version.text();
}

void forget(ProjectOperation& op, const RegistryState& state, const core::Migration& m,
            const char* why) {
    const std::string version = registered_spelling(state, m.version);
    const std::string checksum = unregister_migration(op.project(), version);
    append_history({op.project(), version, "unregister", std::nullopt, std::nullopt, checksum,
                    std::string(why) + " (it was " + core::state_name(m.state) + ")"},
                   op.caller());
}

}  // namespace

core::Migration unregister_version(ProjectOperation& op, const std::string& version) {
    const RegistryState state = op.load();
    const core::Migration m =
        core::plan_unregister(state.registered, state.applied, state.failed, version);
    // Its committed parts are in the schema: the record goes with them, as an applied one's.
    if (const auto p = load_progress(op.project(), registered_spelling(state, m.version)))
        throw core::Failure(core::FailureKind::Conflict,
                            "migration " + m.version.text() + " (" + m.name +
                                ") is partly applied and cannot be unregistered",
                            "Committed: " + core::describe_progress(*p) + ".",
                            "Roll it back first (migrate_run_rollback(version => '" +
                                m.version.text() + "')); its record goes with its effects.");
    forget(op, state, m, "unregistered by migrate_unregister");
    return m;
}

std::vector<core::Migration> prune_to(ProjectOperation& op,
                                      const std::vector<std::string>& folder_versions) {
    const RegistryState state = op.load();
    const auto gone =
        core::plan_prune(state.registered, state.applied, state.failed, folder_versions);
    std::vector<std::string> names;
    for (const auto& m : gone) {
        // A partly applied one is kept, as an applied one is.
        if (load_progress(op.project(), registered_spelling(state, m.version)))
            continue;
        forget(op, state, m, "pruned: no longer in the folder");
        names.push_back(m.version.text() + " (" + m.name + ")");
    }
    if (!names.empty()) {
        const std::string list = boost::algorithm::join(names, ", ");
        pg_call([&] {
            ereport(NOTICE, (errmsg("unregistered %d pending migration%s of project \"%s\" that "
                                    "the folder no longer has: %s",
                                    static_cast<int>(names.size()), names.size() == 1 ? "" : "s",
                                    op.project().c_str(),
                                    list.c_str())));
        });
    }
    return gone;
}

}  // namespace ms::pg
