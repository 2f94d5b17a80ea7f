#include "core/plan/dry_run.hpp"

#include <algorithm>
#include <iterator>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

DryRunEffects compare_states(const RelationState& before, const RelationState& after,
                             const std::set<std::string>& needed) {
    DryRunEffects effects;
    std::set<std::string> taken;
    std::set_difference(after.locks.begin(), after.locks.end(), before.locks.begin(),
                        before.locks.end(), std::inserter(taken, taken.end()));
    for (const auto& lock : needed)
        if (after.locks.count(lock) != 0 || before.locks.count(lock) != 0)
            taken.insert(lock);
    effects.locks.assign(taken.begin(), taken.end());
    for (const auto& lock : effects.locks) {
        const std::string relation = lock.substr(0, lock.rfind(' '));
        if (const auto size = after.bytes.find(relation); size != after.bytes.end())
            effects.bytes.emplace(relation, size->second);
    }
    for (const auto& [relation, storage] : after.storage) {
        const auto old = before.storage.find(relation);
        if (old != before.storage.end() && old->second != storage)
            effects.rewritten.push_back(relation);
    }
    return effects;
}

std::optional<std::string> commit_needed_from(const std::vector<AddedEnumValue>& earlier,
                                              std::string_view message) {
    // The message names the value in quotes ("revoked"); a translated one may quote it
    // otherwise, so a bare match counts when no quoted one does.
    for (const auto& value : earlier)
        if (message.find('"' + value.label + '"') != std::string_view::npos)
            return value.added_by;
    for (const auto& value : earlier)
        if (!value.label.empty() && message.find(value.label) != std::string_view::npos)
            return value.added_by;
    return std::nullopt;
}

}  // namespace ms::core
