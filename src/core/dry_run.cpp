#include "core/dry_run.hpp"

#include <algorithm>
#include <iterator>

#include "core/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

DryRunEffects compare_states(const RelationState& before, const RelationState& after) {
    DryRunEffects effects;
    // Locks already held came from an earlier migration of the same call.
    std::set_difference(after.locks.begin(), after.locks.end(), before.locks.begin(),
                        before.locks.end(), std::back_inserter(effects.locks));
    for (const auto& [relation, storage] : after.storage) {
        const auto old = before.storage.find(relation);
        if (old != before.storage.end() && old->second != storage)
            effects.rewritten.push_back(relation);
    }
    return effects;
}

}  // namespace ms::core
