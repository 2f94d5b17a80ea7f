#include "pg/runner/status.hpp"

#include "core/plan/progress.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/registry/expansion.hpp"
#include "pg/registry/progress.hpp"
#include "pg/runner/run_progress.hpp"

#include <map>
#include <set>
#include <utility>

namespace ms::pg {

void migration_status(const std::optional<std::string>& project,
                      const std::function<void(const MigrationStatus&)>& row) {
    std::map<std::string, ProjectState> projects;
    std::set<std::pair<std::string, std::string>> running;
    std::map<std::pair<std::string, std::string>, std::string> partial;
    // A started expand and contract migration: "expanding" until its backfill is done,
    // then "expanded" until it is completed or aborted.
    std::map<std::pair<std::string, std::string>, std::string> expanding;
    {
        InternalScope internal;
        projects = load_project_states(project);
        running = running_migrations();
        for (const auto& [p, progress] : load_all_progress(project))
            partial.emplace(std::make_pair(p, progress.version),
                            core::describe_progress(progress));
        for (const auto& e : load_expansions())
            expanding[{e.project, e.version}] = e.phase == "expanded" ? "expanded" : "expanding";
    }
    static const std::string running_state = "running";
    static const std::string partial_state = "partial";
    // Spelled once, not per row.
    static const std::string state_names[] = {
        core::state_name(core::State::Pending), core::state_name(core::State::Failed),
        core::state_name(core::State::Applied), core::state_name(core::State::Baseline),
        core::state_name(core::State::Modified), core::state_name(core::State::Missing)};
    for (const auto& [name, p] : projects) {
        for (const auto& m : core::migration_states(p.registered, p.applied, p.failed)) {
            const bool applied = m.applied_index != core::Migration::npos;
            const std::string& checksum = m.registered_index != core::Migration::npos
                                              ? p.registered[m.registered_index].checksum
                                              : p.applied[m.applied_index].checksum;
            const bool pending = !core::is_applied(m.state);
            const auto in_parts = pending && m.registered_index != core::Migration::npos
                                      ? partial.find({name, p.registered[m.registered_index].version})
                                      : partial.end();
            const bool has_parts = in_parts != partial.end();
            const auto started = expanding.find({name, m.version.text()});
            row(MigrationStatus{
                name, m.version.text(), m.state == core::State::Missing ? nullptr : &m.name,
                pending && running.count({name, m.version.text()}) ? running_state
                : pending && started != expanding.end()              ? started->second
                : has_parts                                          ? partial_state
                                   : state_names[static_cast<int>(m.state)],
                applied ? &p.details[m.applied_index] : nullptr, m.has_down, checksum,
                has_parts ? &in_parts->second : nullptr});
        }
    }
}

}  // namespace ms::pg
