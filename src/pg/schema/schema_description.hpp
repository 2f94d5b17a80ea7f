// What generation needs beyond the fingerprint, read from the catalog: which object
// depends on which (pg_depend, in the fingerprint's identities), the position of each
// column, and the objects that come and go with another one (a partition's copy of its
// parent's index or trigger, an inherited column). The fingerprint itself is not changed:
// stored snapshots compare with it byte for byte.
#pragma once

#include "core/schema/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// {"fingerprint": {...}, "dependencies": [[kind, identity, kind, identity], ...],
//  "positions": {column: n}, "implied": [[kind, identity, kind, identity], ...]} as text.
// Call inside an SpiConnection and an InternalScope.
std::string schema_description(const std::optional<std::vector<std::string>>& schemas);

// A fingerprint or a description (text of a jsonb) as the generator's model. Anything else
// throws Failure(InvalidValue) naming what is wrong.
core::SchemaModel description_model(const std::string& json, const char* argument);

}  // namespace ms::pg
