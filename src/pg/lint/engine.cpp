// The lint engine's walk: one statement at a time, the state earlier statements leave
// behind, and the rules that concern the statement as a whole (CONCURRENTLY in a block, enum
// values used too early, no lock_timeout). The per-action rules are in lint_engine_rules.cpp.
#include "pg/lint/engine.hpp"

#include "core/citus/citus.hpp"

#include "pg/lint/catalog.hpp"

namespace ms::pg {

std::vector<LintFinding> LintEngine::check(std::size_t index) {
    statement_ = &parse_.statements()[index];
    statement_index_ = index;
    findings_.clear();
    const LintTreeStatement* tree = statement_->tree;
    if (tree->concurrently != nullptr && in_block_)
        add(core::LintRule::ConcurrentlyInTransaction, tree->lock_relation,
            std::string(tree->concurrently) +
                " is inside the script's BEGIN ... COMMIT block: the server refuses it in a "
                "transaction block, and running it outside breaks the block's all-or-nothing "
                "promise");
    ListCell* cell;
    foreach (cell, tree->actions)
        check_action(*static_cast<const LintAction*>(lfirst(cell)));
    check_enum_uses();
    check_lock_timeout();
    check_long_identifiers();
    return std::move(findings_);
}

std::vector<LintFinding> LintEngine::finish() {
    findings_.clear();
    if (in_block_ && !parse_.statements().empty()) {
        statement_ = &parse_.statements().back();
        add(core::LintRule::UnbalancedTransaction, LintRelation{nullptr, nullptr, nullptr},
            "the script's BEGIN has no COMMIT: the runner refuses it, and psql would leave the "
            "transaction open");
    }
    return std::move(findings_);
}

void LintEngine::check_long_identifiers() {
    if (!long_identifiers_)
        long_identifiers_ = parse_.long_identifiers();
    for (const auto& name : (*long_identifiers_)[statement_index_])
        add(core::LintRule::IdentifierTooLong, LintRelation{nullptr, nullptr, nullptr},
            "identifier \"" + name.substr(0, 20) + "...\" is " + std::to_string(name.size()) +
                " bytes long; the server keeps only its first 63");
}

void LintEngine::check_action(const LintAction& a) {
    assumed_ = false;
    switch (a.act) {
    case LintAct::CreateRelation:
        if (a.relation.name != nullptr)
            created_.add(a.relation.schema ? a.relation.schema : "", a.relation.name);
        break;
    case LintAct::CreateIndex:
    case LintAct::DropIndex:
    case LintAct::Reindex:
        check_index(a);
        break;
    case LintAct::AddColumn:
        check_add_column(a);
        break;
    case LintAct::AlterColumnType:
        check_column_type(a);
        break;
    case LintAct::SetNotNull:
        check_set_not_null(a);
        break;
    case LintAct::AddConstraint:
        check_add_constraint(a);
        break;
    case LintAct::ValidateConstraint:
        if (a.relation.written != nullptr && a.name != nullptr) {
            validated_.emplace(a.relation.written, a.name);
            if (added_not_valid_.count({a.relation.written, a.name}) != 0)
                add(core::LintRule::ValidateSameTransaction, a.relation,
                    "VALIDATE CONSTRAINT \"" + std::string(a.name) + "\" of " +
                        a.relation.written +
                        " runs in the transaction that added it NOT VALID: the scan happens "
                        "while that transaction still holds the ADD's lock");
        }
        break;
    case LintAct::DropColumn:
    case LintAct::DropTable:
    case LintAct::Truncate:
    case LintAct::RenameTable:
    case LintAct::RenameColumn:
        check_removal(a);
        break;
    case LintAct::FullRewrite:
    case LintAct::SetLogged:
    case LintAct::UnboundedDml:
        check_rewrite(a);
        break;
    case LintAct::AddEnumValue:
        record_enum_value(a);
        break;
    case LintAct::SetLockTimeout:
        // RESET (or SET ... TO DEFAULT) goes back to what the session has.
        if (a.name != nullptr)
            script_lock_timeout_ = core::timeout_is_enabled(a.name);
        else
            script_lock_timeout_.reset();
        break;
    case LintAct::BeginBlock:
    case LintAct::EndBlock:
        check_transaction(a);
        break;
    case LintAct::DetachPartition:
    case LintAct::DropNotNull:
    case LintAct::RenameObject:
    case LintAct::DropObject:
    case LintAct::DomainConstraint:
    case LintAct::CreateDomainCheck:
        check_client_breaking(a);
        break;
    case LintAct::ColumnType:
        check_style(a);
        break;
    case LintAct::CreateFunction:
        record_function(a);
        break;
    case LintAct::DynamicSql:
        add(core::LintRule::DynamicSql, a.relation,
            std::string(a.name) + " runs SQL " +
                (std::string(a.type_name) == "plpgsql"
                     ? "built at run time (EXECUTE)"
                     : "from " + std::string(a.type_name) + " code") +
                ", which the linter cannot see");
        break;
    }
}

void LintEngine::record_enum_value(const LintAction& a) {
    if (a.name == nullptr || a.type_name == nullptr)
        return;
    // ADD VALUE IF NOT EXISTS of a value the type already has adds nothing new.
    if (a.if_not_exists && enum_has_value(a.type_name, a.name))
        return;
    enum_additions_.push_back({a.name, a.type_name, statement_->number, statement_->line});
    // Lexing the rest of the script once covers every later addition too.
    if (!literals_ready_) {
        literals_ = parse_.string_constants_after(statement_index_);
        literals_ready_ = true;
    }
}

void LintEngine::check_enum_uses() {
    if (!literals_ready_)
        return;
    const auto& literals = literals_[statement_index_];
    for (const auto& added : enum_additions_) {
        if (added.statement >= statement_->number)
            continue;
        for (const auto& literal : literals) {
            if (!core::literal_mentions_value(literal, added.value))
                continue;
            add(core::LintRule::EnumValueUsedSameTransaction, statement_->tree->lock_relation,
                "enum value '" + added.value + "' of type " + added.type +
                    ", added by statement " + std::to_string(added.statement) + " (line " +
                    std::to_string(added.line) +
                    "), is used before the transaction that adds it commits; the server "
                    "refuses that (unsafe use of new value)");
            break;
        }
    }
}

void LintEngine::check_lock_timeout() {
    const LintTreeStatement* tree = statement_->tree;
    if (tree->lock_mode == nullptr)
        return;
    // Every lock that conflicts with ROW EXCLUSIVE queues the writers behind it while it
    // waits; ACCESS EXCLUSIVE queues the readers too.
    const std::string mode = tree->lock_mode;
    const bool exclusive = mode == "AccessExclusiveLock";
    if (!exclusive && mode != "ShareLock" && mode != "ShareRowExclusiveLock" &&
        mode != "ExclusiveLock")
        return;
    if (!existing(tree->lock_relation) || lock_timeout_in_force())
        return;
    add(core::LintRule::NoLockTimeout, tree->lock_relation,
        core::lock_mode_words(mode) + " lock on " + tree->lock_relation.written +
            " with no lock_timeout: while it waits for running transactions, every other " +
            (exclusive ? "query" : "write") + " on the table queues behind it");
}

bool LintEngine::lock_timeout_in_force() {
    if (script_lock_timeout_)
        return *script_lock_timeout_;
    if (!session_lock_timeout_)
        session_lock_timeout_ = core::timeout_is_enabled(current_lock_timeout());
    return *session_lock_timeout_;
}

void LintEngine::add(core::LintRule rule, const LintRelation& relation, std::string message) {
    const auto& info = core::lint_rule_info(rule);
    const auto severity = core::effective_severity(policy_, rule);
    if (!severity)
        return;
    LintFinding f;
    f.statement = statement_->number;
    f.line = statement_->line;
    f.rule = info.id;
    f.severity = core::lint_severity_name(*severity);
    if (assumed_)
        message += " (assuming the table is large: migrations_schema.lint_assume_large)";
    if (statement_->tree->lock_mode != nullptr)
        f.lock_mode = statement_->tree->lock_mode;
    if (relation.name != nullptr) {
        f.relation = relation.written;
        if (!created_in_script(relation)) {
            const RelationFacts& known = facts(relation);
            if (known.exists) {
                f.relation_bytes = known.bytes;
                f.row_estimate = known.rows;
            }
            // The work of a statement on a distributed table is done on every shard; a
            // statement Citus refuses does none.
            if (known.citus && rule != core::LintRule::CitusForeignKeyToLocal &&
                rule != core::LintRule::CitusDistributionColumn) {
                const std::string note = core::citus_finding_note(
                    known.citus->distribution, known.citus->shards, known.bytes);
                if (!note.empty())
                    message += " (" + note + ")";
            }
        }
    }
    f.message = std::move(message);
    f.hint = info.hint;
    findings_.push_back(std::move(f));
}

bool LintEngine::created_in_script(const LintRelation& relation) const {
    return relation.name != nullptr &&
           created_.contains(relation.schema ? relation.schema : "", relation.name);
}

bool LintEngine::existing(const LintRelation& relation) {
    if (relation.name == nullptr || created_in_script(relation))
        return false;
    if (facts(relation).exists)
        return true;
    assumed_ = assumed_ || assume_large_;
    return assume_large_;
}

bool LintEngine::has_rows(const LintRelation& relation) {
    if (!existing(relation))
        return false;
    const auto& rows = facts(relation).rows;
    if (rows && *rows > 0)
        return true;
    assumed_ = assumed_ || assume_large_;
    return assume_large_;
}

const RelationFacts& LintEngine::facts(const LintRelation& relation) {
    const std::string key = relation.written;
    auto it = facts_.find(key);
    if (it == facts_.end())
        it = facts_.emplace(key, relation_facts(key)).first;
    return it->second;
}

std::string LintEngine::lock_words() const {
    const char* mode = statement_->tree->lock_mode;
    return (mode == nullptr ? std::string("its") : core::lock_mode_words(mode)) + " lock";
}

}  // namespace ms::pg
