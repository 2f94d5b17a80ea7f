// The lint rules applied to a parsed script, statement by statement, with what earlier
// statements did (tables created, lock_timeout set, enum values added, BEGIN) and what the
// catalog says now. Decisions come from src/core/lint; this walks and looks up.
#pragma once

#include "core/lint/facts.hpp"
#include "core/lint/policy.hpp"
#include "core/lint/rules.hpp"
#include "pg/lint/catalog.hpp"
#include "pg/lint/lint.hpp"
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
    // policy: the severities findings are reported with (off: not reported). assume_large:
    // a table the script does not create counts as existing and large, whatever the
    // catalog says, and the findings that rest on that say so.
    LintEngine(const LintParse& parse, core::LintPolicy policy, bool assume_large)
        : parse_(parse), policy_(std::move(policy)), assume_large_(assume_large) {}

    // Findings of the statement at this index of parse.statements(), in order. Statements
    // must be checked in script order.
    std::vector<LintFinding> check(std::size_t index);

    // Findings about the script as a whole, after its last statement was checked: a BEGIN
    // without COMMIT.
    std::vector<LintFinding> finish();

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
    // Citus: what it refuses on its tables.
    void check_distribution_column(const LintAction& a, const char* doing);
    void check_foreign_key_target(const LintAction& a);
    void record_enum_value(const LintAction& a);
    void check_enum_uses();
    void check_lock_timeout();
    void check_transaction(const LintAction& a);
    void check_client_breaking(const LintAction& a);
    void check_style(const LintAction& a);
    void check_long_identifiers();
    void record_function(const LintAction& a);
    // The first function of the list whose volatility is worse than `allowed` ('i' or 'v':
    // none allowed beyond it), functions created earlier in the script included; "" if none.
    std::string first_call_beyond(List* calls, char allowed);

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
    const core::LintPolicy policy_;
    const bool assume_large_;
    bool assumed_ = false;  // the current action's check relied on assume_large_
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
    std::set<std::pair<std::string, std::string>> added_not_valid_;  // (relation, constraint)
    std::map<std::string, char> script_functions_;  // created by the script: name -> volatility
    std::set<std::string> script_types_;  // created by the script, as written and unqualified
    std::optional<std::vector<std::vector<std::string>>> long_identifiers_;  // by statement
};

}  // namespace ms::pg
