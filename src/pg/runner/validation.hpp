// What migrate_validate reports: every problem a run of one project (or of every project)
// would meet, and the schema's drift since the runner last recorded it. Changes nothing.
// Needs a connected SPI.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ms::pg {

struct ValidationProblem {
    const std::string& severity;  // "error" or "warning"
    const std::string& project;
    const std::string* version;  // null: the drift's snapshot names none
    const std::string& problem;
    const std::string& detail;
    const std::string& hint;
};

// Calls `row` once per problem: per project, the registry's problems, then the lint errors
// of its pending migrations; last the drift, once for all projects. What it is handed lives
// only during the call.
void validate_projects(const std::optional<std::string>& project,
                       const std::function<void(const ValidationProblem&)>& row);

}  // namespace ms::pg
