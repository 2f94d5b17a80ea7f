#include "pg/lint/policy.hpp"

#include "core/base/failure.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"

namespace ms::pg {

namespace {

std::string where(const MigrationLabel& label, const LintFinding& f) {
    return label.describe() + ", statement " + std::to_string(f.statement) + ", line " +
           std::to_string(f.line);
}

void report(const MigrationLabel& label, const LintFinding& f) {
    const std::string context = where(label, f);
    const int level = f.severity == "info" ? NOTICE : WARNING;
    pg_call([&] {
        ereport(level, (errmsg_internal("%s [%s]", f.message.c_str(), f.rule.c_str()),
                        f.hint.empty() ? 0 : errhint("%s", f.hint.c_str()),
                        errcontext("%s", context.c_str())));
    });
}

}  // namespace

std::vector<LintIgnore> check_lint_policy(const std::string& script, const MigrationLabel& label) {
    const LintPolicy policy = migration_lint_policy();
    if (policy == LintPolicy::Off)
        return {};
    LintResult result = lint_script(script);
    const LintFinding* first_error = nullptr;
    for (const auto& f : result.findings) {
        if (policy == LintPolicy::Error && f.severity == "error") {
            if (first_error == nullptr)
                first_error = &f;
            continue;
        }
        report(label, f);
    }
    if (first_error != nullptr)
        throw core::Failure(core::FailureKind::Conflict,
                            "migration " + label.version + " has a lint error: " +
                                first_error->message + " [" + first_error->rule + "]",
                            first_error->hint,
                            "Use the safe form, silence the rule for that statement with "
                            "\"-- migrate:lint-ignore " + first_error->rule +
                                " reason\" on the line before it, or set "
                                "migrations_schema.lint = warn.")
            .with_context(where(label, *first_error));
    return std::move(result.ignored);
}

std::string describe_ignore(const LintIgnore& ignore) {
    return "lint rule " + ignore.rule + " ignored at statement " +
           std::to_string(ignore.statement) + ", line " + std::to_string(ignore.line) +
           (ignore.reason.empty() ? std::string() : ": " + ignore.reason);
}

}  // namespace ms::pg
