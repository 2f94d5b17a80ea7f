// The lint rules of migrate_lint: their stable ids, severities and the safe form each one
// suggests. Applications and lint-ignore comments match on the ids, so they never change.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace ms::core {

// error: the statement fails (or breaks the migration) when it runs; warning: it works but
// blocks or rewrites on a live database; info: worth knowing.
enum class LintSeverity { Error, Warning, Info };

const char* lint_severity_name(LintSeverity s) noexcept;

enum class LintRule {
    SyntaxError,
    IndexNotConcurrent,
    DropIndexNotConcurrent,
    ReindexNotConcurrent,
    ConcurrentlyInTransaction,
    AddColumnNotNullNoDefault,
    AddColumnVolatileDefault,
    AlterColumnTypeRewrite,
    SetNotNullScan,
    ConstraintNotValidMissing,
    UniqueWithoutIndex,
    Destructive,
    Rename,
    FullRewrite,
    EnumValueUsedSameTransaction,
    InvalidIndexExists,
    UnboundedDml,
    SetLogged,
    NoLockTimeout,
    DetachPartitionNotConcurrent,
    ConcurrentlyOnPartitioned,
    UnbalancedTransaction,
    ClientBreaking,
    IdentifierTooLong,
    IndexNotImmutable,
    ExclusionConstraint,
    ValidateSameTransaction,
    DomainCheck,
    // Citus: only where its catalog is there.
    CitusForeignKeyToLocal,
    CitusDistributionColumn,
    // Style: off unless a policy asks for them (the "style" preset).
    PreferBigint,
    PreferText,
    PreferTimestamptz,
    PreferIdentity,
    BanChar,
    PreferJsonb,
    // SQL built at run time (EXECUTE in a DO block or a function body).
    DynamicSql,
};

struct LintRuleInfo {
    LintRule rule;
    const char* id;  // "index-not-concurrent"
    LintSeverity severity;
    const char* hint;  // the safe form
    bool on_by_default = true;
};

const LintRuleInfo& lint_rule_info(LintRule rule);

// Every rule, in the order above.
const std::vector<LintRuleInfo>& lint_rules();

// The rule with this id; nullopt for an unknown id.
std::optional<LintRule> lint_rule_by_id(std::string_view id);

}  // namespace ms::core
