// The extension's settings (GUCs), defined when the library loads.
#pragma once

#include <string>

namespace ms::pg {

void define_settings();

// migrations_schema.lock_timeout / .statement_timeout in milliseconds (0: off), and how
// many times migrate_run retries a migration that hit the lock timeout.
int migration_lock_timeout_ms();
int migration_statement_timeout_ms();
int migration_lock_retries();
// migrations_schema.lock_wait_timeout: how long migrate_run waits for another run (0: no
// limit).
int runner_lock_wait_timeout_ms();

// migrations_schema.lint: what lint findings do when a migration is about to run.
enum class LintPolicy { Off, Warn, Error };
LintPolicy migration_lint_policy();
// migrations_schema.lint_rules as written (core::parse_lint_policy reads it).
const char* lint_rules_setting();
// migrations_schema.lint_assume_large.
bool lint_assumes_large_tables();
// migrations_schema.lint_ignore_comments: whether lint-ignore comments silence anything.
bool lint_ignore_comments_honoured();
// migrations_schema.require_down.
bool down_scripts_required();
// Whether migrations_schema.forward_only lists the project.
bool project_is_forward_only(const std::string& project);

// migrations_schema.parse_chunk_size: scripts larger than this (kB) are parsed in pieces.
int parse_chunk_kb();

// migrations_schema.ddl_guard: what DDL on the managed schemas outside the runner does.
enum class DdlGuard { Off, Warn, Error };
DdlGuard ddl_guard();
// migrations_schema.ddl_guard_bypass: a superuser's way past ddl_guard = error.
bool ddl_guard_bypassed();
// migrations_schema.managed_schemas: the schemas that drift and the guard watch, as
// written (a comma-separated list); empty means every user schema.
const char* managed_schemas_setting();
// migrations_schema.fault_injection (base/fault.hpp).
const char* fault_injection_setting();

}  // namespace ms::pg
