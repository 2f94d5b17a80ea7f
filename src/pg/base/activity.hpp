// What this backend is doing right now, as the protection hooks and the DDL event triggers
// need to know it: running migrations (DDL now is the runner's, not drift), or executing a
// migration's own SQL (the extension's objects are off limits).
#pragma once

namespace ms::pg {

bool runner_is_active();
bool user_sql_is_running();

// A background worker running a migration's top-level statement counts as the runner for
// its whole life.
void mark_runner_process();
// ... and runs a migration's statement: the protection hooks apply until it exits.
void mark_user_sql_process();

// Marks the runner busy for its lifetime; a second RunnerScope in the same backend (a
// migration calling migrate_apply) is refused with a clear error.
class RunnerScope {
public:
    explicit RunnerScope(const char* function);
    ~RunnerScope();
    RunnerScope(const RunnerScope&) = delete;
    RunnerScope& operator=(const RunnerScope&) = delete;
};

// While alive, the runner runs a query of the caller's choosing that is no migration (the
// table or view migrate_import reads): DDL it causes is the caller's, logged and guarded
// like any DDL outside migrations. The runner still refuses to be entered again.
class CallerQueryScope {
public:
    CallerQueryScope();
    ~CallerQueryScope();
    CallerQueryScope(const CallerQueryScope&) = delete;
    CallerQueryScope& operator=(const CallerQueryScope&) = delete;

private:
    bool saved_;
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

// While alive, the runner's own bookkeeping runs inside a migration's statement (the event
// trigger noting what the statement touched): its constant internal SQL may write the
// tracking tables that the hooks otherwise keep from user SQL.
class BookkeepingScope {
public:
    BookkeepingScope();
    ~BookkeepingScope();
    BookkeepingScope(const BookkeepingScope&) = delete;
    BookkeepingScope& operator=(const BookkeepingScope&) = delete;

private:
    bool saved_;
};

}  // namespace ms::pg
