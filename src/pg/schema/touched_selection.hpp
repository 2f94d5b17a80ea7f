// What a run's statements touched (migrations_schema.expected_touched), taken to the roots
// the expected state recomputes whole: the relations, types, functions, schemas and
// extensions, with what came along (pg_depend), and which kinds of object they hold. The
// query of their fingerprints (fingerprint.hpp) then plans only the kinds present: planning
// every kind cost a new session most of the time a one-statement migration took to record.
// The roots, what came along and the kinds are looked up through the catalogs' indexes, not
// by one query: a new session took 9 ms to plan that query at 10,000 tables.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace ms::pg {

struct TouchedSelection {
    // oid[] in text form, each possibly '{}'.
    std::string rels, typs, fns, nsps, exts;
    // The fingerprint kinds (schema, table, column, ...) that may have objects among them.
    std::set<std::string> kinds;
};

// The roots of the rows of migrations_schema.expected_touched up to `up_to`, and the roots
// given by name (kind, identity as the store holds them: those the store names for touched
// objects that are gone). Call inside an SpiConnection and an InternalScope.
TouchedSelection select_touched(std::int64_t up_to, const std::vector<std::string>& root_kinds,
                                const std::vector<std::string>& root_idents);

}  // namespace ms::pg
