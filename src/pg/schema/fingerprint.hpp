// The schema fingerprint: a canonical, creation-order-independent description of the user
// schemas as jsonb, {kind: {identity: {attribute: text}}}, and the SHA-256 of its text.
// Two databases with the same schema get the same hash, whatever order the objects were
// created in. The contents are documented at the query in schema_fingerprint.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

struct SchemaFingerprint {
    std::string json;    // the jsonb's text form
    std::string sha256;  // hex SHA-256 of json, UTF-8 encoded
};

// nullopt: every user schema. Call inside an SpiConnection and an InternalScope (pinned
// search_path). A name that is no schema throws Failure(UndefinedSchema); a system schema,
// the tracking schema or an extension's schema throws Failure(InvalidValue).
SchemaFingerprint schema_fingerprint(const std::optional<std::vector<std::string>>& schemas);

// The same contents one row per object, for the expected state: kind, ident, obj (its
// attributes as jsonb text), root_kind, root_ident, classid, objid, objsubid, reported.
// touched_up_to nullopt: every object; otherwise only the roots of the objects
// migrations_schema.expected_touched holds up to that id, and reported says whether the
// object's own address is among them. Leaves the rows in SPI_tuptable. Call inside an
// SpiConnection and an InternalScope; the schema names are not checked.
// root_kinds, root_idents: roots (kind, identity as the store holds them) taken whole as
// well, by name: those the store names for touched objects that are gone.
// With touched_up_to, the query names only the kinds the touched roots hold
// (touched_selection.hpp): a new session plans a query that size on every run.
std::uint64_t query_object_fingerprints(const std::optional<std::vector<std::string>>& schemas,
                                        std::optional<std::int64_t> touched_up_to,
                                        const std::vector<std::string>& root_kinds = {},
                                        const std::vector<std::string>& root_idents = {});

}  // namespace ms::pg
