#include "pg/base/settings.hpp"

#include "core/base/failure.hpp"
#include "core/lint/policy.hpp"
#include "core/plan/forward_only.hpp"
#include "pg/base/pg.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <climits>
#include <cstdio>

namespace ms::pg {

namespace {

int lock_timeout_ms = 5000;
int statement_timeout_ms = 0;
int lock_retries = 5;
int lock_wait_timeout = 0;
int lint_policy = static_cast<int>(LintPolicy::Warn);
int guard = static_cast<int>(DdlGuard::Off);
bool guard_bypass = false;
char* managed_schemas = nullptr;
char* fault_injection = nullptr;
char* lint_rules = nullptr;
bool lint_assume_large = false;
bool lint_ignore_comments = true;
bool require_down = false;
char* forward_only = nullptr;
int parse_chunk_kb_setting = 4096;

// A policy the linter cannot read is refused when it is set, not when a migration runs.
// The message is copied into plain buffers and every C++ object is gone before the server's
// error machinery (which may raise) is called.
bool check_lint_rules(char** newval, void**, GucSource) {
    static char message[512];
    static char hint[512];
    bool refused = false;
    try {
        (void)core::parse_lint_policy(*newval == nullptr ? "" : *newval);
    } catch (const core::Failure& f) {
        refused = true;
        snprintf(message, sizeof message, "%s", f.what());
        snprintf(hint, sizeof hint, "%s", f.hint().c_str());
    } catch (const std::exception& e) {
        refused = true;
        snprintf(message, sizeof message, "%s", e.what());
        hint[0] = '\0';
    }
    if (!refused)
        return true;
    GUC_check_errmsg("%s", message);
    if (hint[0] != '\0')
        GUC_check_errhint("%s", hint);
    return false;
}

const struct config_enum_entry lint_policies[] = {
    {"off", static_cast<int>(LintPolicy::Off), false},
    {"warn", static_cast<int>(LintPolicy::Warn), false},
    {"error", static_cast<int>(LintPolicy::Error), false},
    {nullptr, 0, false},
};

const struct config_enum_entry guard_modes[] = {
    {"off", static_cast<int>(DdlGuard::Off), false},
    {"warn", static_cast<int>(DdlGuard::Warn), false},
    {"error", static_cast<int>(DdlGuard::Error), false},
    {nullptr, 0, false},
};

}  // namespace

void define_settings() {
    DefineCustomIntVariable(
        "migrations_schema.parse_chunk_size",
        "Scripts larger than this are parsed a piece of about this size at a time.",
        "Bounds the memory a large script's parse trees take (several times the text). "
        "0 parses every script whole.",
        &parse_chunk_kb_setting, 4096, 0, 1024 * 1024, PGC_SUSET, GUC_UNIT_KB, nullptr,
        nullptr, nullptr);
    DefineCustomIntVariable(
        "migrations_schema.lock_timeout",
        "Lock timeout for each migration run by migrate_run().",
        "A migration waiting longer than this for a lock gives up and is retried, so it "
        "never queues the application's queries behind it for long. 0 turns it off.",
        &lock_timeout_ms, 5000, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "migrations_schema.statement_timeout",
        "Statement timeout for each statement of a migration run by migrate_run().",
        "0 turns it off.", &statement_timeout_ms, 0, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS,
        nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "migrations_schema.lock_retries",
        "How many times migrate_run() retries a migration that hit the lock timeout.",
        "Waits grow between attempts, with jitter.", &lock_retries, 5, 0, 100, PGC_USERSET, 0,
        nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "migrations_schema.lock_wait_timeout",
        "How long migrate_run() waits for another session's run of the same project.",
        "The wait names that session; after this long it gives up with lock_not_available. "
        "0 waits until the other run ends.",
        &lock_wait_timeout, 0, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "migrations_schema.lint",
        "What lint findings do when a migration is about to run.",
        "off: nothing; warn: each finding is a NOTICE or WARNING; error: a migration with an "
        "error finding is refused before anything runs.",
        &lint_policy, static_cast<int>(LintPolicy::Warn), lint_policies, PGC_SUSET, 0,
        nullptr, nullptr, nullptr);
    // Policies are the database owner's to set (ALTER DATABASE ... SET, or GRANT SET ON
    // PARAMETER): a deploy role must not switch off what it is held to.
    DefineCustomStringVariable(
        "migrations_schema.lint_rules",
        "Per-rule lint severities and presets: 'online-safe, destructive=error, style'.",
        "Presets: online-safe, additive-only, style. Items rule=level with a level of error, "
        "warning, info or off; later items win. Honoured by migrate_lint, apply, run and "
        "validate.",
        &lint_rules, "", PGC_SUSET, GUC_LIST_INPUT, check_lint_rules, nullptr, nullptr);
    DefineCustomBoolVariable(
        "migrations_schema.require_down",
        "Every pending migration needs a down script: migrate_validate reports an error and "
        "migrate_test a failed round trip for one without.",
        "For teams that mandate rollbacks; a policy, so superusers (or roles granted SET on "
        "it) set it.",
        &require_down, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    // A declaration of how a project works, not a policy to hold a role to: anyone may set
    // it; stored per database (ALTER DATABASE ... SET) it is every client's answer.
    DefineCustomStringVariable(
        "migrations_schema.forward_only",
        "The projects that are forward-only: they undo a change with a new migration, never "
        "with a down script.",
        "A comma-separated list of project names; '*' names every project. For these, "
        "migrate_validate does not warn about missing down scripts, migrate_test does not "
        "count them, and rollbacks say there is nothing to roll back with.",
        &forward_only, "", PGC_USERSET, GUC_LIST_INPUT, nullptr, nullptr, nullptr);
    // Whoever writes the script writes its lint-ignore comments: where the policy binds the
    // roles that deploy, a superuser turns them off. On by default, as before the setting.
    DefineCustomBoolVariable(
        "migrations_schema.lint_ignore_comments",
        "Honours \"-- migrate:lint-ignore rule\" comments in migration scripts.",
        "off: a lint-ignore comment silences nothing, so that migrations_schema.lint and "
        "lint_rules bind whoever writes the scripts. Superusers (or roles granted SET on it) "
        "set it.",
        &lint_ignore_comments, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "migrations_schema.lint_assume_large",
        "Lints as if every table a script touches existed and were large.",
        "For CI on empty databases: size-dependent hazards are reported, and each such "
        "finding says it rests on the assumption.",
        &lint_assume_large, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    // The guard protects the schema from the roles that use it: only a superuser (or a role
    // granted SET on it) may change it, per database with ALTER DATABASE ... SET.
    DefineCustomEnumVariable(
        "migrations_schema.ddl_guard",
        "What DDL on the managed schemas run outside migrations does.",
        "off: it is logged for migrate_drift(); warn: logged and a WARNING; error: refused. "
        "Extension scripts and temporary objects are never affected.",
        &guard, static_cast<int>(DdlGuard::Off), guard_modes, PGC_SUSET, 0, nullptr, nullptr,
        nullptr);
    DefineCustomBoolVariable(
        "migrations_schema.ddl_guard_bypass",
        "Lets DDL outside migrations through while ddl_guard = error (superusers only).",
        "For emergencies: the DDL is still logged as drift.", &guard_bypass, false, PGC_SUSET, 0,
        nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "migrations_schema.managed_schemas",
        "The schemas whose DDL outside migrations is logged and guarded.",
        "A comma-separated list; empty (the default) means every schema except the system "
        "schemas and the extension's own.",
        &managed_schemas, "", PGC_SUSET, GUC_LIST_INPUT, nullptr, nullptr, nullptr);
    // For the tests of the error paths; superusers only, and documented as such.
    DefineCustomStringVariable(
        "migrations_schema.fault_injection",
        "Raises an error at a named point of the runner (tests only; superusers only).",
        "Empty: off. A point name, optionally with :N for its Nth time in a call.",
        &fault_injection, "", PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("migrations_schema");
}

int migration_lock_timeout_ms() {
    return lock_timeout_ms;
}

int migration_statement_timeout_ms() {
    return statement_timeout_ms;
}

int migration_lock_retries() {
    return lock_retries;
}

int runner_lock_wait_timeout_ms() {
    return lock_wait_timeout;
}

LintPolicy migration_lint_policy() {
    return static_cast<LintPolicy>(lint_policy);
}

DdlGuard ddl_guard() {
    return static_cast<DdlGuard>(guard);
}

bool ddl_guard_bypassed() {
    return guard_bypass;
}

const char* fault_injection_setting() {
    return fault_injection == nullptr ? "" : fault_injection;
}

const char* lint_rules_setting() {
    return lint_rules == nullptr ? "" : lint_rules;
}

bool lint_assumes_large_tables() {
    return lint_assume_large;
}

bool lint_ignore_comments_honoured() {
    return lint_ignore_comments;
}

bool down_scripts_required() {
    return require_down;
}

bool project_is_forward_only(const std::string& project) {
    return core::listed_project(forward_only == nullptr ? "" : forward_only, project);
}

int parse_chunk_kb() {
    return parse_chunk_kb_setting;
}

const char* managed_schemas_setting() {
    return managed_schemas == nullptr ? "" : managed_schemas;
}

}  // namespace ms::pg
