#include "core/lint/rules.hpp"

#include <algorithm>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

const char* lint_severity_name(LintSeverity s) noexcept {
    switch (s) {
    case LintSeverity::Error: return "error";
    case LintSeverity::Warning: return "warning";
    case LintSeverity::Info: return "info";
    }
    return "error";
}

const std::vector<LintRuleInfo>& lint_rules() {
    using R = LintRule;
    using S = LintSeverity;
    static const std::vector<LintRuleInfo> rules = {
        {R::SyntaxError, "syntax-error", S::Error,
         "Fix the statement; the server's parser rejects the script as a whole, so nothing "
         "else in it was checked."},
        {R::IndexNotConcurrent, "index-not-concurrent", S::Warning,
         "Use CREATE INDEX CONCURRENTLY in a migration of its own, run by migrate_run. On a "
         "partitioned table: CREATE INDEX ON ONLY the parent, CREATE INDEX CONCURRENTLY on each "
         "partition, then ALTER INDEX ... ATTACH PARTITION."},
        {R::DropIndexNotConcurrent, "drop-index-not-concurrent", S::Warning,
         "Use DROP INDEX CONCURRENTLY (one index per statement, no CASCADE), run by migrate_run."},
        {R::ReindexNotConcurrent, "reindex-not-concurrent", S::Warning,
         "Use REINDEX ... CONCURRENTLY, run by migrate_run."},
        {R::ConcurrentlyInTransaction, "concurrently-in-transaction", S::Error,
         "Take the statement out of the script's BEGIN ... COMMIT block, preferably into a "
         "migration of its own run by migrate_run; CONCURRENTLY cannot run in a transaction "
         "block."},
        {R::AddColumnNotNullNoDefault, "add-column-not-null-no-default", S::Error,
         "Add the column nullable (or with a constant DEFAULT), backfill it in batches, add "
         "CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL."},
        {R::AddColumnVolatileDefault, "add-column-volatile-default", S::Warning,
         "Add the column without a default (or with a constant or stable one), SET DEFAULT "
         "afterwards for new rows, and backfill existing rows in batches."},
        {R::AlterColumnTypeRewrite, "alter-column-type-rewrite", S::Warning,
         "Add a column of the new type, keep it in sync and backfill it in batches, switch "
         "readers to it, then drop the old one. varchar(n) to a larger n or to text, and a "
         "larger numeric precision with the same scale, need no rewrite."},
        {R::SetNotNullScan, "set-not-null-scan", S::Warning,
         "ADD CONSTRAINT ... CHECK (column IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT "
         "(which lets writes through); SET NOT NULL then uses it instead of scanning, and the "
         "CHECK can be dropped."},
        {R::ConstraintNotValidMissing, "constraint-not-valid-missing", S::Warning,
         "Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later statement: it scans "
         "under SHARE UPDATE EXCLUSIVE, which lets reads and writes through."},
        {R::UniqueWithoutIndex, "unique-without-index", S::Warning,
         "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE (or PRIMARY "
         "KEY) USING INDEX."},
        {R::Destructive, "destructive", S::Warning,
         "Make sure no deployed code still uses it and the data is backed up or no longer "
         "needed: stop using it in one release, remove it in a later one."},
        {R::Rename, "rename", S::Warning,
         "Expand and contract: add the new name alongside the old one (a new column kept in "
         "sync, or a view), move every client to it, then drop the old name."},
        {R::FullRewrite, "full-rewrite", S::Warning,
         "Use plain VACUUM, or rebuild online with pg_repack or pg_squeeze."},
        {R::EnumValueUsedSameTransaction, "enum-value-used-same-transaction", S::Error,
         "Add the enum value in an earlier migration: a new value cannot be used until the "
         "transaction that added it commits."},
        {R::InvalidIndexExists, "invalid-index-exists", S::Error,
         "DROP INDEX CONCURRENTLY the INVALID index first (or REINDEX INDEX CONCURRENTLY it); "
         "IF NOT EXISTS skips the build and leaves the invalid index in place."},
        {R::UnboundedDml, "unbounded-dml", S::Warning,
         "Work in batches of keys, each in its own transaction (a DO block that COMMITs, run by "
         "migrate_run), or add the WHERE clause that was meant."},
        {R::SetLogged, "set-logged", S::Warning,
         "Create the table with the persistence it needs, or copy into a new table in batches "
         "and swap names."},
        {R::NoLockTimeout, "no-lock-timeout", S::Info,
         "SET lock_timeout (e.g. SET lock_timeout = '5s') earlier in the script, so that the "
         "statement fails fast instead of queueing every other query behind it; migrate_run "
         "sets it from migrations_schema.lock_timeout."},
        {R::DetachPartitionNotConcurrent, "detach-partition-not-concurrent", S::Warning,
         "Use ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14 and later), in a "
         "migration of its own run by migrate_run: it takes SHARE UPDATE EXCLUSIVE instead of "
         "ACCESS EXCLUSIVE on the parent."},
        {R::ConcurrentlyOnPartitioned, "concurrently-on-partitioned", S::Error,
         "CREATE INDEX ON ONLY the partitioned table, CREATE INDEX CONCURRENTLY on each "
         "partition, then ALTER INDEX ... ATTACH PARTITION each; the server refuses "
         "CONCURRENTLY on a partitioned table."},
        {R::UnbalancedTransaction, "unbalanced-transaction", S::Error,
         "Use one BEGIN ... COMMIT around the whole script, or none (apply and run supply the "
         "transaction); nested, missing or extra transaction statements change what commits."},
        {R::ClientBreaking, "client-breaking", S::Warning,
         "Change what clients rely on in steps: deploy code that copes with both shapes first, "
         "then change the schema."},
        {R::IdentifierTooLong, "identifier-too-long", S::Warning,
         "Use a name of at most 63 bytes: the server truncates longer ones silently, so a "
         "later statement naming it in full finds nothing, or two names collide."},
        {R::IndexNotImmutable, "index-not-immutable", S::Error,
         "Use only IMMUTABLE functions in index expressions and predicates (compare with a "
         "constant instead of now()); the server refuses the index, and in a migration of "
         "several indexes the ones before it were already built."},
        {R::ExclusionConstraint, "exclusion-constraint", S::Warning,
         "An exclusion constraint builds its index under ACCESS EXCLUSIVE and cannot be NOT "
         "VALID: add it while the table is small, or in a maintenance window."},
        {R::ValidateSameTransaction, "validate-same-transaction", S::Warning,
         "VALIDATE CONSTRAINT in a later migration: in the transaction that added the "
         "constraint NOT VALID, the validation scan runs under the ADD's stronger lock."},
        {R::DomainCheck, "domain-check", S::Info,
         "Prefer CHECK constraints on the tables: a domain's CHECK is checked in every table "
         "that uses the domain, so changing it later scans all of them (ALTER DOMAIN ... ADD "
         "CONSTRAINT ... NOT VALID, then VALIDATE, is the only online way)."},
        {R::CitusForeignKeyToLocal, "citus-foreign-key-to-local", S::Error,
         "Citus refuses a foreign key from a distributed table to a table it does not know: "
         "make the referenced table a reference table (create_reference_table) or distribute "
         "it colocated, on the column the key uses, in an earlier statement."},
        {R::CitusDistributionColumn, "citus-distribution-column", S::Error,
         "Citus cannot change the type of, or drop, a table's distribution column: "
         "alter_distributed_table(distribution_column => ...) redistributes onto another "
         "column first (it copies the table), or add a new column and move to it."},
        {R::PreferBigint, "prefer-bigint", S::Warning,
         "Use bigint for keys and counters: integer runs out at 2^31, and widening it later "
         "rewrites the table.", false},
        {R::PreferText, "prefer-text", S::Warning,
         "Use text (with a CHECK on length() if a limit matters): varchar(n) is no faster, and "
         "changing n can rewrite.", false},
        {R::PreferTimestamptz, "prefer-timestamptz", S::Warning,
         "Use timestamptz: timestamp without time zone loses the offset the value was written "
         "with.", false},
        {R::PreferIdentity, "prefer-identity", S::Warning,
         "Use GENERATED ALWAYS AS IDENTITY: serial's sequence has its own owner and grants, "
         "and dumps and copies treat it apart.", false},
        {R::BanChar, "ban-char", S::Warning,
         "Use text or varchar: char(n) pads with blanks, which comparisons and lengths then "
         "surprise with.", false},
        {R::PreferJsonb, "prefer-jsonb", S::Warning,
         "Use jsonb: json keeps the text as written, cannot be indexed, and is reparsed on "
         "every access.", false},
        {R::DynamicSql, "dynamic-sql", S::Warning,
         "Write the statements into the script itself, where the linter and "
         "migrate_rollback_plan read them: SQL that a DO block or a function builds and "
         "EXECUTEs at run time is checked by nobody."},
    };
    return rules;
}

const LintRuleInfo& lint_rule_info(LintRule rule) {
    // The table lists the rules in enum order.
    return lint_rules()[static_cast<std::size_t>(rule)];
}

std::optional<LintRule> lint_rule_by_id(std::string_view id) {
    const auto& rules = lint_rules();
    const auto it = std::find_if(rules.begin(), rules.end(),
                                 [&](const LintRuleInfo& r) { return id == r.id; });
    if (it == rules.end())
        return std::nullopt;
    return it->rule;
}

}  // namespace ms::core
