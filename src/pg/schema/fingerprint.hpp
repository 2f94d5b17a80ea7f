// The schema fingerprint: a canonical, creation-order-independent description of the user
// schemas as jsonb, {kind: {identity: {attribute: text}}}, and the SHA-256 of its text.
// Two databases with the same schema get the same hash, whatever order the objects were
// created in. The contents are documented at the query in schema_fingerprint.cpp.
#pragma once

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

}  // namespace ms::pg
