#include "core/lint/policy.hpp"

#include "core/base/failure.hpp"

#include <boost/algorithm/string/classification.hpp>
#include <boost/algorithm/string/join.hpp>
#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <algorithm>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

std::optional<LintLevel> level_by_name(std::string_view name) {
    if (name == "error") return LintLevel::Error;
    if (name == "warning") return LintLevel::Warning;
    if (name == "info") return LintLevel::Info;
    if (name == "off") return LintLevel::Off;
    return std::nullopt;
}

std::string preset_names() {
    std::vector<std::string> names;
    for (const auto& p : lint_presets()) names.emplace_back(p.name);
    return boost::algorithm::join(names, ", ");
}

Failure unreadable(const std::string& item, const std::string& why) {
    return Failure(FailureKind::InvalidValue,
                   "invalid item \"" + item + "\" in migrations_schema.lint_rules: " + why, {},
                   "Items are presets (" + preset_names() +
                       ") or rule=level with a rule id of migrate_lint and a level of error, "
                       "warning, info or off, separated by commas.");
}

}  // namespace

const std::vector<LintPreset>& lint_presets() {
    using R = LintRule;
    using L = LintLevel;
    static const std::vector<LintPreset> presets = {
        {"online-safe",
         "every lock or rewrite that blocks a live table is an error",
         {{R::IndexNotConcurrent, L::Error}, {R::DropIndexNotConcurrent, L::Error},
          {R::ReindexNotConcurrent, L::Error}, {R::AddColumnVolatileDefault, L::Error},
          {R::AlterColumnTypeRewrite, L::Error}, {R::SetNotNullScan, L::Error},
          {R::ConstraintNotValidMissing, L::Error}, {R::UniqueWithoutIndex, L::Error},
          {R::FullRewrite, L::Error}, {R::SetLogged, L::Error}, {R::UnboundedDml, L::Error},
          {R::DetachPartitionNotConcurrent, L::Error}, {R::ExclusionConstraint, L::Error},
          {R::ValidateSameTransaction, L::Error}, {R::NoLockTimeout, L::Warning},
          {R::DynamicSql, L::Error}}},
        {"additive-only",
         "nothing deployed code relies on is dropped, renamed or loosened",
         {{R::Destructive, L::Error}, {R::Rename, L::Error}, {R::ClientBreaking, L::Error},
          {R::DynamicSql, L::Error}}},
        {"style",
         "column types teams standardise on",
         {{R::PreferBigint, L::Warning}, {R::PreferText, L::Warning},
          {R::PreferTimestamptz, L::Warning}, {R::PreferIdentity, L::Warning},
          {R::BanChar, L::Warning}, {R::PreferJsonb, L::Warning}}},
    };
    return presets;
}

LintPolicy parse_lint_policy(std::string_view setting) {
    LintPolicy policy;
    std::vector<std::string> items;
    boost::algorithm::split(items, setting, boost::algorithm::is_any_of(","));
    for (auto item : items) {
        boost::algorithm::trim(item);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string::npos) {
            const auto& presets = lint_presets();
            const auto preset = std::find_if(presets.begin(), presets.end(),
                                             [&](const LintPreset& p) { return item == p.name; });
            if (preset == presets.end())
                throw unreadable(item, "no preset has that name");
            for (const auto& [rule, level] : preset->levels) policy.levels[rule] = level;
            continue;
        }
        const std::string id = boost::algorithm::trim_copy(item.substr(0, eq));
        const std::string level_name = boost::algorithm::trim_copy(item.substr(eq + 1));
        const auto rule = lint_rule_by_id(id);
        if (!rule) throw unreadable(item, "no rule has the id \"" + id + "\"");
        if (*rule == LintRule::SyntaxError)
            throw unreadable(item, "a script that does not parse is always an error");
        const auto level = level_by_name(level_name);
        if (!level) throw unreadable(item, "\"" + level_name + "\" is not a level");
        policy.levels[*rule] = *level;
    }
    return policy;
}

std::optional<LintSeverity> effective_severity(const LintPolicy& policy, LintRule rule) {
    const auto& info = lint_rule_info(rule);
    const auto it = policy.levels.find(rule);
    if (it == policy.levels.end())
        return info.on_by_default ? std::optional(info.severity) : std::nullopt;
    switch (it->second) {
    case LintLevel::Error: return LintSeverity::Error;
    case LintLevel::Warning: return LintSeverity::Warning;
    case LintLevel::Info: return LintSeverity::Info;
    case LintLevel::Off: return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace ms::core
