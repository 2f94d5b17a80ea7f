// The extension's settings (GUCs), defined when the library loads.
#pragma once

namespace ms::pg {

void define_settings();

// migrations_schema.lock_timeout / .statement_timeout in milliseconds (0: off), and how
// many times migrate_run retries a migration that hit the lock timeout.
int migration_lock_timeout_ms();
int migration_statement_timeout_ms();
int migration_lock_retries();

// migrations_schema.lint: what lint findings do when a migration is about to run.
enum class LintPolicy { Off, Warn, Error };
LintPolicy migration_lint_policy();

}  // namespace ms::pg
