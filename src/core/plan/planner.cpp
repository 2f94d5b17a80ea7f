#include "core/plan/planner.hpp"

#include "core/base/failure.hpp"

#include <boost/algorithm/string/join.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

const char* state_name(State s) noexcept {
    switch (s) {
    case State::Pending: return "pending";
    case State::Failed: return "failed";
    case State::Applied: return "applied";
    case State::Baseline: return "baseline";
    case State::Modified: return "modified";
    case State::Missing: return "missing";
    }
    return "unknown";
}

const char* applied_kind_name(AppliedKind k) noexcept {
    switch (k) {
    case AppliedKind::Run: return "run";
    case AppliedKind::Baseline: return "baseline";
    case AppliedKind::Imported: return "imported";
    }
    return "run";
}

AppliedKind applied_kind_from(std::string_view name) noexcept {
    for (const auto k : {AppliedKind::Baseline, AppliedKind::Imported})
        if (name == applied_kind_name(k))
            return k;
    return AppliedKind::Run;
}

bool is_applied(State s) noexcept {
    return s != State::Pending && s != State::Failed;
}

namespace {

std::string describe(const Migration& m) {
    return m.name.empty() ? m.version.text() : m.version.text() + " (" + m.name + ")";
}

bool is_applied(const Migration& m) {
    return is_applied(m.state);
}

bool is_pending(const Migration& m) {
    return !is_applied(m.state);
}

std::string describe_all(const std::vector<const Migration*>& list) {
    std::vector<std::string> names;
    names.reserve(list.size());
    for (const auto* m : list)
        names.push_back(describe(*m));
    return boost::algorithm::join(names, ", ");
}

// Finds the migration a target names, whatever its spelling ("001" finds "1").
const Migration* find_version(const std::vector<Migration>& all, const std::string& target) {
    const Version wanted = Version::parse(target);
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const Migration& m) { return m.version == wanted; });
    return it == all.end() ? nullptr : &*it;
}

void refuse_modified(const std::vector<const Migration*>& modified) {
    if (modified.empty())
        return;
    throw Failure(FailureKind::Modified,
                  "applied migration " + describe(*modified.front()) +
                      " was modified after it was applied",
                  "Modified: " + describe_all(modified) + ".",
                  "Register the script exactly as it was applied, or accept the new content "
                  "with migrate_repair().");
}

}  // namespace

std::vector<Migration> migration_states(const std::vector<Registered>& registered,
                                        const std::vector<Applied>& applied,
                                        const std::vector<std::string>& failed) {
    // Hashed: every registered migration looks its applied record up. (The order of what is
    // left, the missing ones, does not matter: everything is sorted at the end.)
    std::unordered_map<std::string, const Applied*> applied_by_canonical;
    applied_by_canonical.reserve(applied.size());
    for (const auto& a : applied)
        applied_by_canonical.emplace(Version::parse(a.version).canonical(), &a);
    std::set<std::string> failed_canonical;
    for (const auto& f : failed)
        failed_canonical.insert(Version::parse(f).canonical());

    std::vector<Migration> all;
    all.reserve(registered.size() + applied.size());
    for (std::size_t i = 0; i < registered.size(); ++i) {
        const Registered& r = registered[i];
        Version v = Version::parse(r.version);
        State state = failed_canonical.count(v.canonical()) ? State::Failed : State::Pending;
        std::size_t applied_index = Migration::npos;
        if (const auto it = applied_by_canonical.find(v.canonical()); it != applied_by_canonical.end()) {
            if (it->second->checksum != r.checksum)
                state = State::Modified;
            else
                state = it->second->kind == AppliedKind::Baseline ? State::Baseline : State::Applied;
            applied_index = static_cast<std::size_t>(it->second - applied.data());
            applied_by_canonical.erase(it);
        }
        all.push_back(Migration{std::move(v), r.name, state, r.has_down, i, applied_index});
    }
    for (const auto& [canonical, a] : applied_by_canonical)
        all.push_back(Migration{Version::parse(a->version), {}, State::Missing, false,
                                Migration::npos, static_cast<std::size_t>(a - applied.data())});
    std::sort(all.begin(), all.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return all;
}

std::vector<Migration> plan_apply(const std::vector<Registered>& registered,
                                  const std::vector<Applied>& applied,
                                  const ApplyRequest& request,
                                  const std::vector<std::string>& failed) {
    const auto all = migration_states(registered, applied, failed);

    std::vector<const Migration*> modified;
    const Migration* newest_applied = nullptr;
    for (const auto& m : all) {
        if (m.state == State::Modified)
            modified.push_back(&m);
        if (is_applied(m))
            newest_applied = &m;
    }
    refuse_modified(modified);

    const Migration* target = nullptr;
    if (request.target) {
        target = find_version(all, *request.target);
        if (target == nullptr || target->state == State::Missing)
            throw Failure(FailureKind::NotFound,
                          "target version " + *request.target + " is not registered", {},
                          "See migrate_status() for the known versions.");
    }

    std::vector<Migration> plan;
    std::vector<const Migration*> out_of_order;
    for (const auto& m : all) {
        if (target != nullptr && target->version < m.version)
            break;
        if (!is_pending(m))
            continue;
        if (newest_applied != nullptr && m.version < newest_applied->version)
            out_of_order.push_back(&m);
        plan.push_back(m);
    }
    if (!out_of_order.empty() && !request.allow_out_of_order)
        throw Failure(FailureKind::OutOfOrder,
                      "pending migration " + describe(*out_of_order.front()) +
                          " is ordered before applied migration " + describe(*newest_applied),
                      "Pending before the newest applied migration: " + describe_all(out_of_order) +
                          ".",
                      "Renumber the migration after " + newest_applied->version.text() +
                          ", or apply it out of order explicitly.");
    return plan;
}

std::vector<Migration> plan_rollback(const std::vector<Registered>& registered,
                                     const std::vector<Applied>& applied,
                                     const RollbackRequest& request) {
    auto all = migration_states(registered, applied);
    std::vector<Migration> applied_newest_first;
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (is_applied(*it))
            applied_newest_first.push_back(*it);

    std::size_t count = 0;
    if (request.version) {
        if (request.target || request.everything || request.steps != 1)
            throw Failure(FailureKind::InvalidValue,
                          "version cannot be combined with target, steps or everything", {},
                          "version undoes exactly one migration; target, steps and everything "
                          "say where a rollback of the newest ones ends.");
        const Migration* wanted = find_version(all, *request.version);
        if (wanted == nullptr || !is_applied(*wanted))
            throw Failure(FailureKind::NotFound,
                          "version " + *request.version + " is not applied", {},
                          "See migrate_status() for what is applied.");
        std::vector<const Migration*> later;
        for (const auto& m : applied_newest_first)
            if (wanted->version < m.version)
                later.push_back(&m);
        if (!later.empty() && !request.allow_out_of_order)
            throw Failure(FailureKind::OutOfOrder,
                          "migration " + describe(*wanted) + " is not the newest applied one",
                          "Applied after it: " + describe_all(later) + ".",
                          "Roll back to it with target => '" + wanted->version.text() +
                              "' first, or undo it alone with out_of_order => true if the "
                              "later migrations do not depend on it.");
        applied_newest_first = {*wanted};
        count = 1;
    } else if (request.everything) {
        count = applied_newest_first.size();
    } else if (request.target) {
        const Migration* target = find_version(all, *request.target);
        if (target == nullptr || !is_applied(*target))
            throw Failure(FailureKind::NotFound,
                          "target version " + *request.target + " is not applied", {},
                          "The target is the version the database ends at; it must be applied. "
                          "Use everything => true to roll back every migration.");
        while (count < applied_newest_first.size() &&
               target->version < applied_newest_first[count].version)
            ++count;
    } else {
        if (request.steps < 1)
            throw Failure(FailureKind::InvalidValue,
                          "steps must be at least 1, not " + std::to_string(request.steps), {},
                          "Use everything => true to roll back every migration.");
        count = std::min(applied_newest_first.size(), static_cast<std::size_t>(request.steps));
    }
    applied_newest_first.resize(count);

    std::vector<const Migration*> no_down;
    std::vector<const Migration*> modified;
    for (const auto& m : applied_newest_first) {
        if (m.state == State::Missing || !m.has_down)
            no_down.push_back(&m);
        else if (m.state == State::Modified)
            modified.push_back(&m);
    }
    if (!no_down.empty() && request.forward_only)
        throw Failure(FailureKind::MissingDown,
                      "the project is forward-only: migration " + describe(*no_down.front()) +
                          " has no down script to roll back with",
                      "Without a down script: " + describe_all(no_down) +
                          ". The project undoes a change with a new migration "
                          "(migrations_schema.forward_only names it).",
                      "Write a migration that undoes the change (pg_migrate new) and apply it.");
    if (!no_down.empty())
        throw Failure(FailureKind::MissingDown,
                      "migration " + describe(*no_down.front()) + " has no down script",
                      "Without a down script: " + describe_all(no_down) + ".",
                      "Register a down script for it, or roll back to a later target.");
    refuse_modified(modified);
    return applied_newest_first;
}

Migration plan_unregister(const std::vector<Registered>& registered,
                          const std::vector<Applied>& applied,
                          const std::vector<std::string>& failed, const std::string& version) {
    const auto all = migration_states(registered, applied, failed);
    const Migration* m = find_version(all, version);
    if (m == nullptr || m->state == State::Missing)
        throw Failure(FailureKind::NotFound, "version " + version + " is not registered", {},
                      "See migrate_status() for the known versions.");
    if (is_applied(*m))
        throw Failure(FailureKind::Conflict,
                      "migration " + describe(*m) + " is " + state_name(m->state) +
                          " and cannot be unregistered",
                      {},
                      "Roll it back first (migrate_rollback(version => '" + m->version.text() +
                          "')); its record goes with its effects.");
    return *m;
}

std::vector<Migration> plan_prune(const std::vector<Registered>& registered,
                                  const std::vector<Applied>& applied,
                                  const std::vector<std::string>& failed,
                                  const std::vector<std::string>& folder_versions) {
    std::set<std::string> kept;
    for (const auto& v : folder_versions)
        kept.insert(Version::parse(v).canonical());
    std::vector<Migration> gone;
    for (const auto& m : migration_states(registered, applied, failed))
        if (is_pending(m) && kept.count(m.version.canonical()) == 0)
            gone.push_back(m);
    return gone;
}

std::vector<Migration> plan_baseline(const std::vector<Registered>& registered,
                                     const std::vector<Applied>& applied,
                                     const std::string& version) {
    const Version baseline = Version::parse(version);
    const auto all = migration_states(registered, applied);
    std::vector<const Migration*> above;
    std::vector<Migration> plan;
    for (const auto& m : all) {
        if (baseline < m.version) {
            if (is_applied(m))
                above.push_back(&m);
        } else if (is_pending(m) && m.state != State::Missing) {
            plan.push_back(m);
        }
    }
    if (!above.empty())
        throw Failure(FailureKind::OutOfOrder,
                      "cannot baseline at " + version + ": migration " + describe(*above.front()) +
                          " above it is already applied",
                      "Applied above the baseline: " + describe_all(above) + ".",
                      "A baseline adopts an existing schema before anything is applied above "
                      "it; baseline at a later version, or roll back first.");
    const bool any_registered = std::any_of(all.begin(), all.end(), [&](const Migration& m) {
        return m.state != State::Missing && !(baseline < m.version);
    });
    if (!any_registered)
        throw Failure(FailureKind::NotFound,
                      "no registered migration at or below version " + version, {},
                      "Register the migrations first (migrate_load_dir or migrate_register), "
                      "then baseline.");
    return plan;
}

}  // namespace ms::core
