// Identities in a schema description become SQL in the generated scripts (CREATE TABLE
// app.t, ALTER TABLE app.t ADD COLUMN c). A description may come from anywhere, so each
// identity is parsed, never pasted: it must be what the fingerprint prints, names as
// quote_ident() writes them (lower-case words, or double-quoted with "" for a quote) joined
// by dots, a function's argument types in one pair of parentheses after its name.
#pragma once

#include "core/schema/model.hpp"

#include <optional>
#include <string>

namespace ms::core {

// Why `identity` is not in the shape a fingerprint gives objects of `kind`, or nullopt.
std::optional<std::string> identity_problem(const std::string& kind, const std::string& identity);

// Throws Failure(InvalidValue) on the first identity of `model` (objects, dependencies,
// column positions, implied objects) that is not in its shape, naming `argument`.
void check_identities(const SchemaModel& model, const std::string& argument);

}  // namespace ms::core
