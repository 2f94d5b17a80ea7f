// One runner per project, kept where no migration can reach: a row of the protected table
// migrations_schema.runner_lease names the session that runs the project's migrations (its
// pid and start time). migrate_run takes it in a short transaction, holds it across every
// commit and worker phase of its run, checks it is still its own before each commit, and
// clears it at the end. No advisory lock is involved, so pg_advisory_unlock_all() in a
// migration releases nothing and no other role can take the project's key. A holder that
// is gone (terminated) or no longer inside a statement (a release lost to a second cancel)
// is taken over: the lease cannot leak.
//
// Calls that work inside the caller's transaction lock the row until their transaction
// ends (lock_project) and then ask whether a runner holds the project (runner_holding).
// Every call must run inside an InternalScope.
#pragma once

#include <optional>
#include <string>

namespace ms::pg {

// Who holds a project: a runner's lease, or a transaction that has the row locked.
struct ProjectHolder {
    int pid = 0;
    std::string application_name;
    std::string role;
    std::string what;   // "migrate_run", "migrate_run_rollback" or "a transaction"
    std::string since;  // when it took the project, as text
    // "pid 123 (migrate_run by role deployer, application_name "x", since ...)"
    std::string describe() const;
};

// Locks the project's row until the transaction ends: a second caller waits, then sees what
// the first committed. Under REPEATABLE READ or SERIALIZABLE, where the snapshot is older
// than the lock, it fails at once with a serialization failure instead. On a hot standby,
// where nothing can change, it does nothing.
void lock_project(const std::string& project);

// The live runner (another session's migrate_run) holding the project, if any; call it
// after lock_project.
std::optional<ProjectHolder> runner_holding(const std::string& project);

// One attempt of migrate_run to take the project, in the current transaction, without
// waiting for any lock: nullopt when it is now this session's, else who holds it.
std::optional<ProjectHolder> try_take_lease(const std::string& project, const char* action,
                                            const std::string& caller);

// Whether this session still holds the project's lease; throws if it does not.
void require_lease(const std::string& project);

// Clears this session's lease (nothing if it holds none).
void release_lease(const std::string& project);

}  // namespace ms::pg
