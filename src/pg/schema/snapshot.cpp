#include "pg/schema/snapshot.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/catalog_marker.hpp"
#include "pg/schema/expected_state.hpp"
#include "pg/schema/fingerprint.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
}

#include <boost/algorithm/string/join.hpp>

#include <algorithm>
#include <set>

namespace ms::pg {

namespace {

// Columns: project, version, action, recorded_at, schema_hash, catalog_marker.
const char* const newest_snapshot =
    "SELECT project, version, action, recorded_at::pg_catalog.text, schema_hash, catalog_marker "
    "FROM migrations_schema.schema_snapshot "
    "WHERE $1::pg_catalog.text IS NULL OR project OPERATOR(pg_catalog.=) $1 "
    "ORDER BY recorded_at DESC LIMIT 1";
// The same under install scripts older than the catalog marker.
const char* const newest_snapshot_unmarked =
    "SELECT project, version, action, recorded_at::pg_catalog.text, schema_hash, NULL::pg_catalog.text "
    "FROM migrations_schema.schema_snapshot "
    "WHERE $1::pg_catalog.text IS NULL OR project OPERATOR(pg_catalog.=) $1 "
    "ORDER BY recorded_at DESC LIMIT 1";

// The DDL logged after `since` (nullopt: all of it).
std::vector<DdlLogEntry> ddl_since(const std::optional<std::string>& since) {
    std::vector<DdlLogEntry> out;
    const auto rows = spi_query(
        "SELECT at, role_name, command_tag, object_type, object_identity, statement "
        "FROM migrations_schema.drift_log "
        // The bound as a subquery: a generic plan would convert the text parameter again
        // for every row of the log.
        "WHERE at OPERATOR(pg_catalog.>) "
        "COALESCE((SELECT $1::pg_catalog.timestamptz), '-infinity') ORDER BY id",
        {text_arg(since)});
    for (std::uint64_t i = 0; i < rows; ++i) {
        bool is_null = false;
        const Datum at = spi_datum(i, 1, &is_null);
        out.push_back({DatumGetTimestampTz(at), spi_required_text(i, 2), spi_required_text(i, 3),
                       spi_text(i, 4), spi_text(i, 5), spi_text(i, 6)});
    }
    return out;
}

// Until ALTER EXTENSION ... UPDATE the table may lack the column.
bool snapshots_have_marker() {
    spi_query("SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute "
              "WHERE attrelid OPERATOR(pg_catalog.=) "
              "'migrations_schema.schema_snapshot'::pg_catalog.regclass "
              "AND attname OPERATOR(pg_catalog.=) 'catalog_marker' AND NOT attisdropped)",
              {});
    return spi_bool(0, 1);
}

std::vector<core::SchemaAttribute> collect_attributes(std::uint64_t rows) {
    std::vector<core::SchemaAttribute> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i)
        out.push_back({spi_required_text(i, 1), spi_required_text(i, 2), spi_required_text(i, 3),
                       spi_text(i, 4).value_or("")});
    return out;
}


// The snapshot's version: the newest applied migration, '' before any.
SqlArg newest_version_arg(const std::string& project) {
    return text_arg(newest_applied_version(project).value_or(""));
}

}  // namespace

std::optional<std::vector<std::string>> managed_schema_scope() {
    const std::string setting = managed_schemas_setting();
    if (setting.empty())
        return std::nullopt;
    // SplitIdentifierString understands quoting and folds case as SQL does.
    std::vector<std::string> schemas;
    pg_call([&] {
        char* copy = pstrdup(setting.c_str());
        List* names = nullptr;
        if (!SplitIdentifierString(copy, ',', &names))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("migrations_schema.managed_schemas is not a list of names")));
        ListCell* cell;
        foreach (cell, names)
            schemas.emplace_back(static_cast<const char*>(lfirst(cell)));
    });
    return schemas;
}

namespace {

std::optional<std::vector<std::string>> existing_schemas(
    const std::optional<std::vector<std::string>>& scope) {
    if (!scope)
        return scope;
    std::vector<std::string> existing;
    for (const auto& name : *scope) {
        spi_query("SELECT FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1",
                  {text_arg(name)});
        if (SPI_processed > 0)
            existing.push_back(name);
    }
    return existing;
}

}  // namespace

std::optional<std::vector<std::string>> fingerprint_scope() {
    return existing_schemas(managed_schema_scope());
}

std::vector<core::SchemaAttribute> fingerprint_attributes(const std::string& json) {
    return collect_attributes(spi_query(
        "SELECT k.key, o.key, a.key, a.value "
        "FROM pg_catalog.jsonb_each($1::pg_catalog.jsonb) k, pg_catalog.jsonb_each(k.value) o, "
        "pg_catalog.jsonb_each_text(o.value) a",
        {text_arg(json)}));
}

// Against the whole-schema snapshot an older version recorded: until the store is filled.
static Drift legacy_drift(const std::optional<std::string>& project) {
    Drift drift;
    std::string stored_hash;
    std::optional<std::string> stored_marker;
    if (spi_query(snapshots_have_marker() ? newest_snapshot : newest_snapshot_unmarked,
                  {text_arg(project)}) > 0) {
        drift.has_snapshot = true;
        drift.snapshot_project = spi_required_text(0, 1);
        drift.snapshot_version = spi_text(0, 2);
        drift.snapshot_action = spi_required_text(0, 3);
        drift.snapshot_at = spi_required_text(0, 4);
        stored_hash = spi_required_text(0, 5);
        stored_marker = spi_text(0, 6);
    }
    if (drift.has_snapshot) {
        spi_query("SELECT EXISTS (SELECT FROM migrations_schema.history "
                  "WHERE action OPERATOR(pg_catalog.=) ANY "
                  "(ARRAY['apply', 'rollback', 'baseline']::pg_catalog.text[]) "
                  "AND at OPERATOR(pg_catalog.>) (SELECT $1::pg_catalog.timestamptz))",
                  {text_arg(drift.snapshot_at)});
        drift.runner_after_snapshot = spi_bool(0, 1);
    }
    // The catalog has not changed since the snapshot: neither has its fingerprint, and the
    // whole-schema fingerprint of the live schema is not needed.
    const bool catalog_unchanged =
        stored_marker && same_catalog_state(*stored_marker, catalog_marker(stored_marker));
    if (drift.has_snapshot && !drift.runner_after_snapshot && !catalog_unchanged) {
        // Compared within the schemas the snapshot covered: changing the setting since is
        // not drift.
        std::optional<std::vector<std::string>> scope;
        spi_query("SELECT schemas IS NULL FROM migrations_schema.schema_snapshot "
                  "WHERE project OPERATOR(pg_catalog.=) $1",
                  {text_arg(drift.snapshot_project)});
        if (!spi_bool(0, 1)) {
            const auto names = spi_query(
                "SELECT pg_catalog.jsonb_array_elements_text(schemas) "
                "FROM migrations_schema.schema_snapshot WHERE project OPERATOR(pg_catalog.=) $1",
                {text_arg(drift.snapshot_project)});
            scope.emplace();
            for (std::uint64_t i = 0; i < names; ++i)
                scope->push_back(spi_required_text(i, 1));
        }
        const SchemaFingerprint live = schema_fingerprint(existing_schemas(scope));
        if (live.sha256 != stored_hash) {
            const auto before = collect_attributes(spi_query(
                "SELECT k.key, o.key, a.key, a.value "
                "FROM migrations_schema.schema_snapshot s, "
                "pg_catalog.jsonb_each(s.fingerprint) k, pg_catalog.jsonb_each(k.value) o, "
                "pg_catalog.jsonb_each_text(o.value) a "
                "WHERE s.project OPERATOR(pg_catalog.=) $1",
                {text_arg(drift.snapshot_project)}));
            drift.changes = core::diff_schemas(before, fingerprint_attributes(live.json));
        }
    }
    drift.ddl = ddl_since(drift.has_snapshot ? std::optional<std::string>(drift.snapshot_at)
                                             : std::nullopt);
    return drift;
}

namespace {

// What differed from the store before this backend's run began: left as drift by the run.
std::optional<std::vector<core::SchemaChange>> drift_before_run;

// The last runner action, for messages: the schema is shared by every project.
void describe_last_action(Drift* drift) {
    if (spi_query("SELECT project, version, action, recorded_at::text "
                  "FROM migrations_schema.schema_snapshot ORDER BY recorded_at DESC LIMIT 1",
                  {}) == 0) {
        drift->snapshot_project = "";
        drift->snapshot_action = "expected state";
        return;
    }
    drift->snapshot_project = spi_required_text(0, 1);
    drift->snapshot_version = spi_text(0, 2);
    drift->snapshot_action = spi_required_text(0, 3);
    drift->snapshot_at = spi_required_text(0, 4);
}

}  // namespace

namespace {

// with_ddl: the DDL log is read for what is shown, not for the check before a run.
Drift drift_now(const std::optional<std::string>& project, bool with_ddl) {
    if (!expected_state_filled())
        return legacy_drift(project);
    Drift drift;
    drift.has_snapshot = true;
    describe_last_action(&drift);
    // The catalog has not changed since the store was last known to equal it, or since the
    // drift was last known: that is the drift, without a whole-schema fingerprint.
    bool known = false;
    if (const auto clean = expected_clean_marker()) {
        known = same_catalog_state(*clean, catalog_marker(clean));
    } else if (auto last = expected_known_drift()) {
        known = same_catalog_state(last->marker, catalog_marker(last->marker));
        if (known)
            drift.changes = std::move(last->changes);
    }
    if (!known) {
        const auto scope = comparison_scope();
        const SchemaFingerprint live = schema_fingerprint(existing_schemas(scope));
        drift.changes =
            core::diff_schemas(expected_attributes(scope), fingerprint_attributes(live.json));
        if (!drift.changes.empty()) {
            const auto pending = pending_objects();
            drift.changes.erase(
                std::remove_if(drift.changes.begin(), drift.changes.end(),
                               [&](const core::SchemaChange& c) {
                                   return pending.count({c.kind, c.object}) > 0;
                               }),
                drift.changes.end());
        }
    }
    // The DDL logged since the schema was last as migrations left it.
    if (with_ddl)
        drift.ddl = ddl_since(expected_clean_at());
    return drift;
}

}  // namespace

Drift current_drift(const std::optional<std::string>& project) {
    return drift_now(project, true);
}

std::string summarize_changes(const std::vector<core::SchemaChange>& changes,
                              std::size_t at_most) {
    std::string out = std::to_string(changes.size()) +
                      (changes.size() == 1 ? " change" : " changes");
    for (std::size_t i = 0; i < changes.size() && i < at_most; ++i)
        out += std::string(i == 0 ? ": " : "; ") + core::change_name(changes[i].change) + " " +
               changes[i].kind + " " + changes[i].object;
    if (changes.size() > at_most)
        out += "; ...";
    return out;
}

void report_drift_before_run(const std::string& project, const char* action,
                              const std::string& caller) {
    const Drift drift = drift_now(std::nullopt, !expected_state_filled());
    drift_before_run = drift.changes;
    const bool stays = expected_state_filled();
    std::string summary;
    if (drift.runner_after_snapshot && !drift.ddl.empty()) {
        summary = std::to_string(drift.ddl.size()) + " DDL command" +
                  (drift.ddl.size() == 1 ? "" : "s") + " logged";
        for (std::size_t i = 0; i < drift.ddl.size() && i < 5; ++i)
            summary += std::string(i == 0 ? ": " : "; ") + drift.ddl[i].command_tag + " " +
                       drift.ddl[i].object_identity.value_or(
                           drift.ddl[i].object_type.value_or(""));
        if (drift.ddl.size() > 5)
            summary += "; ...";
    } else if (!drift.changes.empty()) {
        summary = summarize_changes(drift.changes);
    } else {
        return;
    }
    append_history({project, std::nullopt, "drift", std::nullopt, std::nullopt, std::nullopt,
                    "before this " + std::string(action) + ", the schema had changed outside " +
                        "migrations since the " + drift.snapshot_action + " of project " +
                        drift.snapshot_project + ": " + summary},
                   caller);
    pg_call([&] {
        ereport(WARNING,
                (errmsg("the schema changed outside migrations: %s", summary.c_str()),
                 stays ? errdetail("They stay drift, in migrate_drift() and migrate_status(), "
                                   "until a migration produces the same objects or "
                                   "migrate_accept_drift() takes them in.")
                       : errdetail("The new schema snapshot takes these changes in; they stay "
                                   "in migrate_history() as action 'drift'."),
                 errhint("Put schema changes into migrations, so every database gets them.")));
    });
}

// Under an install script older than the store: the whole schema, as before.
static void legacy_snapshot(const std::string& project, const char* action,
                            const std::string& caller) {
    const auto scope = managed_schema_scope();
    std::optional<std::string> scope_json;
    if (scope) {
        std::vector<std::string> quoted;
        for (const auto& name : *scope)
            quoted.push_back(core::json_string(name));
        scope_json = "[" + boost::algorithm::join(quoted, ", ") + "]";
    }
    // The marker read before and after the fingerprint: equal, no catalog change committed
    // in between, and it describes this fingerprint; otherwise none is kept and the next
    // drift check compares fingerprints.
    const std::string marker_before = catalog_marker();
    if (snapshots_have_marker()) {
        // Migrations that changed no catalog row (data only): the project's fingerprint, taken
        // over the same schemas, is still the live one.
        spi_query("UPDATE migrations_schema.schema_snapshot SET version = CASE WHEN $2 OPERATOR(pg_catalog.<>) '' THEN $2 END, "
                  "action = $3, recorded_at = pg_catalog.clock_timestamp(), recorded_by = $4 "
                  "WHERE project OPERATOR(pg_catalog.=) $1 "
                  "AND pg_catalog.split_part(catalog_marker, '|', 1) OPERATOR(pg_catalog.=) "
                  "pg_catalog.split_part($5, '|', 1) "
                  "AND (schemas OPERATOR(pg_catalog.=) $6::pg_catalog.jsonb "
                  "OR (schemas IS NULL AND $6 IS NULL))",
                  {text_arg(project), newest_version_arg(project),
                   text_arg(std::string(action)), text_arg(caller), text_arg(marker_before),
                   text_arg(scope_json)});
        if (SPI_processed > 0)
            return;
    }
    const SchemaFingerprint live = schema_fingerprint(existing_schemas(scope));
    const std::string marker_after = catalog_marker();
    const std::optional<std::string> marker =
        same_catalog_state(marker_before, marker_after) ? std::optional<std::string>(marker_after)
                                                        : std::nullopt;
    if (!snapshots_have_marker()) {
        spi_query(
            "INSERT INTO migrations_schema.schema_snapshot "
            "(project, version, action, recorded_by, schemas, schema_hash, fingerprint) "
            "VALUES ($1, CASE WHEN $2 OPERATOR(pg_catalog.<>) '' THEN $2 END, $3, $4, $5::pg_catalog.jsonb, $6, $7::pg_catalog.jsonb) "
            "ON CONFLICT (project) DO UPDATE SET version = excluded.version, "
            "action = excluded.action, recorded_at = pg_catalog.clock_timestamp(), "
            "recorded_by = excluded.recorded_by, schemas = excluded.schemas, "
            "schema_hash = excluded.schema_hash, fingerprint = excluded.fingerprint",
            {text_arg(project), newest_version_arg(project), text_arg(std::string(action)),
             text_arg(caller), text_arg(scope_json), text_arg(live.sha256), text_arg(live.json)});
        return;
    }
    spi_query(
        "INSERT INTO migrations_schema.schema_snapshot "
        "(project, version, action, recorded_by, schemas, schema_hash, fingerprint, "
        "catalog_marker) "
        "VALUES ($1, CASE WHEN $2 OPERATOR(pg_catalog.<>) '' THEN $2 END, $3, $4, $5::pg_catalog.jsonb, $6, $7::pg_catalog.jsonb, $8) "
        "ON CONFLICT (project) DO UPDATE SET version = excluded.version, "
        "action = excluded.action, recorded_at = pg_catalog.clock_timestamp(), "
        "recorded_by = excluded.recorded_by, schemas = excluded.schemas, "
        "schema_hash = excluded.schema_hash, fingerprint = excluded.fingerprint, "
        "catalog_marker = excluded.catalog_marker",
        {text_arg(project), newest_version_arg(project), text_arg(std::string(action)),
         text_arg(caller), text_arg(scope_json), text_arg(live.sha256), text_arg(live.json),
         text_arg(marker)});
}

void record_schema_snapshot(const std::string& project, const char* action,
                            const std::string& caller) {
    fault_point("snapshot");
    if (!expected_store_exists()) {
        legacy_snapshot(project, action, caller);
        return;
    }
    // Known only to the backend that checked before its run: elsewhere (a run that failed
    // before its check, a baseline) nothing is taken as known.
    const std::optional<std::vector<core::SchemaChange>> before = std::move(drift_before_run);
    drift_before_run.reset();
    std::set<ObjectKey> before_keys;
    if (before)
        for (const auto& c : *before)
            before_keys.insert({c.kind, c.object});
    const bool filled = expected_state_filled();
    if (!filled)
        fill_expected_state();
    const Recorded recorded = record_touched_objects(before_keys);
    // The drift known before the run, less what the run recorded, is the drift now: the
    // digest describes it (none left: the store equals the live schema). Not when objects
    // were left as drift on a touched root (the run may have changed their live form too),
    // nor when nothing was known before: the next check compares. Nothing touched (data
    // only, a baseline): the store and its digests are as they were.
    if (filled && recorded.any) {
        if (before && !recorded.kept) {
            std::vector<core::SchemaChange> left;
            for (const auto& c : *before)
                if (recorded.resolved.count({c.kind, c.object}) == 0)
                    left.push_back(c);
            set_known_drift(catalog_marker(), left);
        } else {
            set_expected_marker(std::nullopt);
        }
    }
    // Who ran what last, for messages; the whole-schema fingerprint is no longer kept.
    spi_query(
        "INSERT INTO migrations_schema.schema_snapshot AS s "
        "(project, version, action, recorded_by, schemas) "
        "VALUES ($1, NULLIF($2, ''), $3, $4, "
        "(SELECT schemas FROM migrations_schema.expected_state)) "
        "ON CONFLICT (project) DO UPDATE SET version = excluded.version, "
        "action = excluded.action, recorded_at = pg_catalog.clock_timestamp(), "
        "recorded_by = excluded.recorded_by, schemas = excluded.schemas, schema_hash = NULL, "
        "fingerprint = NULL, catalog_marker = NULL",
        {text_arg(project), newest_version_arg(project), text_arg(std::string(action)),
         text_arg(caller)});
}

}  // namespace ms::pg
