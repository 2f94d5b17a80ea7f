// The schema as migrations made it, object by object (migrations_schema.expected_object):
// what drift is measured against. A run records only what its own statements touched; what
// differs from it stays drift until a migration produces the same object or
// migrate_accept_drift() takes it in.
#pragma once

#include "core/schema/diff.hpp"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ms::pg {

using ObjectKey = std::pair<std::string, std::string>;  // kind, identity

// The event triggers, while the runner runs (in the runner or its worker): notes each object
// the command created, changed or dropped in migrations_schema.expected_touched, in the
// statement's own transaction. Call inside an SpiConnection.
void note_touched_objects(bool dropped);

// False under an install script older than the store (before ALTER EXTENSION ... UPDATE).
bool expected_store_exists();
// The store exists and has been filled.
bool expected_state_filled();

// The schemas the store covers (NULL: every user schema), as names.
std::optional<std::vector<std::string>> expected_scope();

// What a run records: the schemas the store covers and those named now
// (migrations_schema.managed_schemas), so that a schema named later is recorded from then on.
std::optional<std::vector<std::string>> recording_scope();
// What drift is compared within: the schemas both cover. Naming fewer schemas, or every
// schema again, is no drift.
std::optional<std::vector<std::string>> comparison_scope();

// Every object's attributes within the schemas (nullopt: all), flattened for
// core::diff_schemas.
std::vector<core::SchemaAttribute> expected_attributes(
    const std::optional<std::vector<std::string>>& schemas);

// The catalog digest at which the store was last known equal to the live schema, and when.
std::optional<std::string> expected_clean_marker();

// The drift last known, and the catalog digest it was known at: while the catalog has not
// changed since, it is still the drift, without a whole-schema fingerprint.
struct KnownDrift {
    std::string marker;
    std::vector<core::SchemaChange> changes;
};
std::optional<KnownDrift> expected_known_drift();
std::optional<std::string> expected_clean_at();

// Fills a missing store: from the newest whole-schema snapshot an older version recorded (so
// that drift open then stays open, said in a NOTICE), or from the live schema.
void fill_expected_state();

// Records what the runner touched since the last call. An object whose own address a
// statement reported takes its live form; any other object of a touched root does too,
// unless it is in drift_before (it differed from the store before the run: the run did
// not make it).
struct Recorded {
    bool any = false;   // something was touched since the last call
    bool kept = false;  // objects were left as drift
    // The objects whose stored form now equals the live one (recorded or removed).
    std::set<ObjectKey> resolved;
};
Recorded record_touched_objects(const std::set<ObjectKey>& drift_before);

// The objects of the roots touched by runs that have not recorded yet (one under way, or
// one ended by a crash or pg_terminate_backend): the runner's work, not drift. The next run
// records them.
std::set<ObjectKey> pending_objects();

// After a run: the store equals the live schema (marker given) or may not (nullopt).
void set_expected_marker(const std::optional<std::string>& marker);
// The store differs from the live schema by exactly `changes` at catalog digest `marker`
// (none: it equals it, as set_expected_marker(marker)).
void set_known_drift(const std::string& marker, const std::vector<core::SchemaChange>& changes);

// Takes the live form of each object into the store (removes it when it is gone).
// Objects without drift are refused by the caller; returns how many were taken.
void accept_objects(const std::vector<ObjectKey>& objects);

}  // namespace ms::pg
