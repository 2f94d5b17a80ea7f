// The schema as the runner leaves it, and what changed since outside migrations (drift).
#pragma once

#include "core/schema/diff.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// migrations_schema.managed_schemas as schema names; nullopt when it is empty (every user
// schema), ready for schema_fingerprint().
std::optional<std::vector<std::string>> managed_schema_scope();

// The same, without the schemas that do not exist (yet): what the runner fingerprints. A
// migration creating a managed schema must not fail because it was named before it existed.
std::optional<std::vector<std::string>> fingerprint_scope();

// The flattened form of a fingerprint's JSON text, for core::diff_schemas.
std::vector<core::SchemaAttribute> fingerprint_attributes(const std::string& json);

struct DdlLogEntry {
    std::int64_t at;  // a TimestampTz
    std::string role_name;
    std::string command_tag;
    std::optional<std::string> object_type;
    std::optional<std::string> object_identity;
    std::optional<std::string> statement;
};

struct Drift {
    bool has_snapshot = false;
    std::string snapshot_project;
    std::optional<std::string> snapshot_version;
    std::string snapshot_action;
    std::string snapshot_at;
    std::vector<core::SchemaChange> changes;  // recorded schema -> live schema
    std::vector<DdlLogEntry> ddl;             // logged outside the runner since the snapshot
    // A runner action (a run ended by a crash or pg_terminate_backend) committed migrations
    // after the snapshot without recording one: the schema then differs from the snapshot
    // by the runner's own work too, so only the drift log tells what changed outside.
    bool runner_after_snapshot = false;
};

// Against the project's last snapshot, or with nullopt the newest of any project (the
// schema is shared by every project of the database). Call inside an SpiConnection and an
// InternalScope.
Drift current_drift(const std::optional<std::string>& project);

// Before migrations run: the snapshot recorded after them would take in silently what
// changed outside migrations since the previous one, so such drift is written to history
// (action 'drift') and raised as a WARNING. Call inside an SpiConnection and an InternalScope.
void report_drift_before_run(const std::string& project, const char* action,
                             const std::string& caller);

// After migrations ran: records the live schema as the runner left it.
void record_schema_snapshot(const std::string& project, const char* action,
                            const std::string& caller);

// "3 changes: added index public.t_a_idx; ..." for messages and history.
std::string summarize_changes(const std::vector<core::SchemaChange>& changes,
                              std::size_t at_most = 5);

}  // namespace ms::pg
