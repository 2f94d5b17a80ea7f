// The lint engine's walk: one statement at a time, the state earlier statements leave
// behind, and the rules that concern the statement as a whole (CONCURRENTLY in a block, enum
// values used too early, no lock_timeout). The per-action rules are in lint_engine_rules.cpp.
#include "pg/lint/engine.hpp"

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
    return std::move(findings_);
}

void LintEngine::check_action(const LintAction& a) {
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
        if (a.relation.written != nullptr && a.name != nullptr)
            validated_.emplace(a.relation.written, a.name);
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
        in_block_ = true;
        break;
    case LintAct::EndBlock:
        in_block_ = false;
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
    if (tree->lock_mode == nullptr || std::string(tree->lock_mode) != "AccessExclusiveLock" ||
        !existing(tree->lock_relation) || lock_timeout_in_force())
        return;
    add(core::LintRule::NoLockTimeout, tree->lock_relation,
        std::string("ACCESS EXCLUSIVE lock on ") + tree->lock_relation.written +
            " with no lock_timeout: while it waits for running transactions, every other "
            "query on the table queues behind it");
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
    LintFinding f;
    f.statement = statement_->number;
    f.line = statement_->line;
    f.rule = info.id;
    f.severity = core::lint_severity_name(info.severity);
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
    return relation.name != nullptr && !created_in_script(relation) && facts(relation).exists;
}

bool LintEngine::has_rows(const LintRelation& relation) {
    if (!existing(relation))
        return false;
    const auto& rows = facts(relation).rows;
    return rows && *rows > 0;
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
