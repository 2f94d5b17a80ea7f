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
    std::map<std::string, long long> bytes;      // relation -> total size, for locked ones
};

struct DryRunEffects {
    std::vector<std::string> locks;      // taken during the migration, sorted
    std::vector<std::string> rewritten;  // existed before, with new storage after, sorted
    std::map<std::string, long long> bytes;  // size of each relation in `locks`, as found
};

// `needed` are the locks the migration's statements take by their own reading ("relation
// Mode"): a lock an earlier migration of the same dry run already holds is not new in the
// backend's lock table, but this migration needs it all the same. Only those the backend
// actually held before or after are reported, so that a reading that differs from the
// server's adds nothing.
DryRunEffects compare_states(const RelationState& before, const RelationState& after,
                             const std::set<std::string>& needed = {});

}  // namespace ms::core
