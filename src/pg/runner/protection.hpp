// What a migration may not do: call the runner again, or change the extension's own
// schema, tables and functions (that would corrupt the record of what ran).
#pragma once

namespace ms::pg {

// Installed once per backend, from _PG_init.
void install_protection_hooks();

// Marks the runner busy for its lifetime; a second RunnerScope in the same backend (a
// migration calling migrate_apply) is refused with a clear error.
// Whether this backend is running migrations: DDL now is the runner's, not drift. A
// background worker running a migration's top-level statement counts as the runner.
bool runner_is_active();
void mark_runner_process();

class RunnerScope {
public:
    explicit RunnerScope(const char* function);
    ~RunnerScope();
    RunnerScope(const RunnerScope&) = delete;
    RunnerScope& operator=(const RunnerScope&) = delete;
};

// While alive, user SQL is executing: the hooks refuse DDL and DML on the extension's own
// objects.
class UserSqlScope {
public:
    UserSqlScope();
    ~UserSqlScope();
    UserSqlScope(const UserSqlScope&) = delete;
    UserSqlScope& operator=(const UserSqlScope&) = delete;
};

}  // namespace ms::pg
