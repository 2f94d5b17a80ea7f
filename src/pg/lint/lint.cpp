// lint_script(): parse, check every statement in order, then let lint-ignore comments take
// back the findings their authors accepted.
#include "pg/lint/lint.hpp"

#include "core/lint/ignore.hpp"
#include "core/lint/policy.hpp"
#include "core/lint/rules.hpp"
#include "pg/base/settings.hpp"
#include "pg/lint/engine.hpp"
#include "pg/lint/parse.hpp"

#include <algorithm>

namespace ms::pg {

namespace {

LintFinding syntax_finding(const LintSyntaxError& error) {
    const auto& rule = core::lint_rule_info(core::LintRule::SyntaxError);
    LintFinding f;
    f.statement = error.statement;
    f.line = error.line;
    f.rule = rule.id;
    f.severity = core::lint_severity_name(rule.severity);
    f.message = error.message;
    f.hint = rule.hint;
    return f;
}

// Moves the findings a directive above the statement silences into result.ignored, one
// entry per rule and statement.
void apply_ignores(const std::string& script, const LintStatement& s,
                   std::vector<LintFinding> found, LintResult& result) {
    if (found.empty())
        return;
    if (!lint_ignore_comments_honoured()) {
        for (auto& f : found)
            result.findings.push_back(std::move(f));
        return;
    }
    const auto directives = core::lint_ignores_before(script, s.offset);
    for (auto& f : found) {
        const auto directive =
            std::find_if(directives.begin(), directives.end(),
                         [&](const core::LintIgnoreDirective& d) { return d.rule == f.rule; });
        if (directive == directives.end()) {
            result.findings.push_back(std::move(f));
            continue;
        }
        const bool reported = std::any_of(
            result.ignored.begin(), result.ignored.end(), [&](const LintIgnore& i) {
                return i.statement == s.number && i.rule == f.rule;
            });
        if (!reported)
            result.ignored.push_back(LintIgnore{s.number, s.line, f.rule, directive->reason});
    }
}

}  // namespace

LintResult lint_script(const std::string& script) {
    LintResult result;
    const LintParse parse(script);
    if (parse.syntax_error()) {
        result.findings.push_back(syntax_finding(*parse.syntax_error()));
        return result;
    }
    LintEngine engine(parse, core::parse_lint_policy(lint_rules_setting()),
                      lint_assumes_large_tables());
    for (std::size_t i = 0; i < parse.statements().size(); ++i)
        apply_ignores(script, parse.statements()[i], engine.check(i), result);
    if (!parse.statements().empty())
        apply_ignores(script, parse.statements().back(), engine.finish(), result);
    return result;
}

std::vector<StatementLock> statement_locks(const std::string& script) {
    std::vector<StatementLock> locks;
    const LintParse parse(script);
    if (parse.syntax_error())
        return locks;
    for (const auto& s : parse.statements())
        if (s.tree != nullptr && s.tree->lock_mode != nullptr &&
            s.tree->lock_relation.written != nullptr)
            locks.push_back({s.number, s.tree->lock_mode, s.tree->lock_relation.written});
    return locks;
}

}  // namespace ms::pg
