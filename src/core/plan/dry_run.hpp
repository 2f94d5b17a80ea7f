// What a dry run reports about a migration: the locks it took and the tables it rewrote,
// from the relation state captured before and after it (in the same transaction).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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

// A value added to an enum type earlier in a rehearsal, and by what ("migration 011").
struct AddedEnumValue {
    std::string label;
    std::string added_by;
};

// PostgreSQL refuses a value added to an enum until the transaction that added it commits
// ("unsafe use of new value"). A run commits between migrations (and around top-level
// statements); a rehearsal runs in one transaction and cannot. Given the values added
// earlier in the rehearsal, before the last point where the run would have committed, and
// the server's message, names what the statement needed committed first; nothing when the
// value it uses is none of them, so that the run would fail the same way.
std::optional<std::string> commit_needed_from(const std::vector<AddedEnumValue>& earlier,
                                              std::string_view message);

}  // namespace ms::core
