// What a dry run reports about a migration: the locks it took and the tables it rewrote,
// from the relation state captured before and after it (in the same transaction).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace ms::core {

struct RelationState {
    std::map<std::string, std::string> storage;  // relation -> relfilenode
    std::set<std::string> locks;                 // "relation Mode", held by this backend
};

struct DryRunEffects {
    std::vector<std::string> locks;      // taken during the migration, sorted
    std::vector<std::string> rewritten;  // existed before, with new storage after, sorted
};

DryRunEffects compare_states(const RelationState& before, const RelationState& after);

}  // namespace ms::core
