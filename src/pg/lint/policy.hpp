// What a lint finding does when a migration is about to run: nothing, a NOTICE or WARNING,
// or a refusal before anything runs (GUC migrations_schema.lint = off | warn | error).
#pragma once

#include "pg/base/migration_label.hpp"
#include "pg/lint/lint.hpp"

#include <string>
#include <vector>

namespace ms::pg {

// Lints an up script as the caller, reports or refuses according to the policy, and
// returns the lint-ignore comments honoured, for the migration's history.
std::vector<LintIgnore> check_lint_policy(const std::string& script, const MigrationLabel& label);

// History detail for one honoured lint-ignore.
std::string describe_ignore(const LintIgnore& ignore);

}  // namespace ms::pg
