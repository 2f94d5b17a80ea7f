// Before a migration is undone out of order (migrations applied after it stay applied), its
// down script is rehearsed and what it would drop that it does not name is listed (an index
// on a column it drops, a view of a table it drops with CASCADE). The decision here: which
// of those a later applied migration made, by its up script naming the object, and the
// refusal that names them.
#pragma once

#include <string>
#include <vector>

namespace ms::core {

struct DroppedAlong {
    std::string type;      // index, view, table column, table constraint, ...
    std::string identity;  // public.t_c_gin, public.t.c, t_c_check on public.t
};

struct LaterMigration {
    std::string label;  // 002 (gin index)
    std::string up_sql;
};

// The later migrations whose up script names the object: its own name, and for a column its
// table's too, as whole words in any case.
std::vector<std::string> migrations_naming(const DroppedAlong& object,
                                           const std::vector<LaterMigration>& later);

// The objects of `along` that a later migration made, each with those migrations named
// ("index public.t_c_gin (migration 002 (gin))"); objects no later migration names (made by
// the undone migration itself, or by hand) are not among them.
std::vector<std::string> made_by_later(const std::vector<DroppedAlong>& along,
                                       const std::vector<LaterMigration>& later);

// Refuses, naming them, when a later migration made any of the objects (`made`, as
// made_by_later() lists them).
void refuse_undo_of_dependents(const std::string& undone, const std::vector<std::string>& made);

}  // namespace ms::core
