// Lint as policy: which rules a team enforces, at which severity. The setting
// migrations_schema.lint_rules reads like "online-safe, destructive=error, style": named
// presets and rule=level items, later items winning. Levels are error, warning, info and
// off; a rule nobody mentions keeps its own severity (style rules are off until asked for).
#pragma once

#include "core/lint/rules.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

enum class LintLevel { Error, Warning, Info, Off };

struct LintPolicy {
    std::map<LintRule, LintLevel> levels;  // overrides only
};

// Throws Failure(InvalidValue) naming the item it cannot read, with the presets and the
// levels in the hint.
LintPolicy parse_lint_policy(std::string_view setting);

// The severity a finding of the rule is reported with; nullopt: the rule is off.
std::optional<LintSeverity> effective_severity(const LintPolicy& policy, LintRule rule);

struct LintPreset {
    const char* name;
    const char* description;
    std::vector<std::pair<LintRule, LintLevel>> levels;
};

const std::vector<LintPreset>& lint_presets();

}  // namespace ms::core
