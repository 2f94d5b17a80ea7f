// Forward-only projects: a project that undoes a change with a new migration, never with a
// down script. Declared per database in migrations_schema.forward_only, a list of project
// names ('*': every project), so that every client sees the same answer: validate does not
// warn about missing down scripts, test does not count them, rollback says there is nothing
// to roll back with.
#pragma once

#include <string_view>

namespace ms::core {

// Whether `project` is in the comma-separated list (names trimmed, double quotes around a
// name removed; '*' names every project).
bool listed_project(std::string_view list, std::string_view project);

}  // namespace ms::core
