// For the internal queries that look a few rows up by key in a table the planner may know
// nothing about (a store filled and emptied in bulk and never analyzed, a set-returning
// function's default estimate of 1,000 rows): while an IndexLookups lives, the planner joins by
// nested loops over indexes, as the query was written to, instead of hashing a whole catalog
// or store for the one row it needs.
#pragma once

#include "pg/base/internal_scope.hpp"

namespace ms::pg {

class IndexLookups {
public:
    IndexLookups();

private:
    SettingsScope restore_;  // first member: it opens the level the settings go into
};

}  // namespace ms::pg
