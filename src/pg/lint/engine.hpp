// The lint rules applied to a parsed script, statement by statement, with what earlier
// statements did (tables created, lock_timeout set, enum values added, BEGIN) and what the
// catalog says now. Decisions come from src/core/lint_*; this walks and looks up.
#pragma once

#include "core/lint_facts.hpp"
#include "core/lint_rules.hpp"
#include "pg/lint/lint.hpp"
#include "pg/lint/catalog.hpp"
#include "pg/lint/parse.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

class LintEngine {
public:
    explicit LintEngine(const LintParse& parse) : parse_(parse) {}

    // Findings of the statement at this index of parse.statements(), in order. Statements
    // must be checked in script order.
    std::vector<LintFinding> check(std::size_t index);

private:
    struct EnumAddition {
        std::string value;
        std::string type;
        int statement;
        int line;
    };
    struct NotNullCheck {  // CHECK (column IS NOT NULL) added by the script
        std::string relation;
        std::string column;
        std::string name;
        bool validated;
    };

    // One action's rules; each appends to findings_.
    void check_action(const LintAction& a);
    void check_index(const LintAction& a);
    void check_add_column(const LintAction& a);
    void check_column_type(const LintAction& a);
    void check_set_not_null(const LintAction& a);
    void check_add_constraint(const LintAction& a);
    void check_removal(const LintAction& a);
    void check_rewrite(const LintAction& a);
    void record_enum_value(const LintAction& a);
    void check_enum_uses();
    void check_lock_timeout();

    void add(core::LintRule rule, const LintRelation& relation, std::string message);

    // The relation exists now and was not created earlier in this script.
    bool existing(const LintRelation& relation);
    // ... and holds rows (by the count-free estimate).
    bool has_rows(const LintRelation& relation);
    bool created_in_script(const LintRelation& relation) const;
    const RelationFacts& facts(const LintRelation& relation);
    bool lock_timeout_in_force();
    // "SHARE ROW EXCLUSIVE lock": the statement's lock, for messages.
    std::string lock_words() const;

    const LintParse& parse_;
    const LintStatement* statement_ = nullptr;
    std::size_t statement_index_ = 0;
    std::vector<LintFinding> findings_;

    core::ScriptRelations created_;
    std::map<std::string, RelationFacts> facts_;  // by relation as written
    bool in_block_ = false;
    std::optional<bool> script_lock_timeout_;     // set by the script; nullopt: as at lint time
    std::optional<bool> session_lock_timeout_;    // read once, when first needed
    std::vector<EnumAddition> enum_additions_;
    bool literals_ready_ = false;                     // lexed once an enum value is added
    std::vector<std::vector<std::string>> literals_;  // string constants by statement index
    std::vector<NotNullCheck> not_null_checks_;
    std::set<std::pair<std::string, std::string>> validated_;  // (relation, constraint)
};

}  // namespace ms::pg
