// The event triggers: DDL run outside the runner is logged to migrations_schema.drift_log
// and, with migrations_schema.ddl_guard, warned about or refused. They run for every DDL
// command of the database, so the runner's own DDL, extension scripts and temporary
// objects return before any query.
#include "core/base/failure.hpp"
#include "core/schema/ddl_scope.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/extension_objects.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "parser/parser.h"
#include "tcop/cmdtag.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
}

#include <boost/algorithm/string/join.hpp>

namespace ms::pg {

namespace {

enum class Event { CommandEnd, SqlDrop };

struct Seen {
    core::DdlObject object;
    core::DdlVerdict verdict;
};

// The object and the table it belongs to (an index, constraint or trigger): the names that
// may show it is on a Citus shard.
struct Found {
    core::DdlObject object;
    std::optional<std::string> table;
};

bool is_own_extension_going(const core::DdlObject& o) {
    return (o.object_type == "extension" && o.identity == "migrations_schema") ||
           o.schema == std::optional<std::string>("migrations_schema");
}

std::vector<Found> objects_of_command(Event event, const std::string& tag,
                                      bool* own_extension_dropped) {
    std::vector<Found> objects;
    if (event == Event::CommandEnd) {
        const auto rows = spi_query(
            "SELECT object_type, schema_name, object_identity, in_extension, true, "
            "(CASE WHEN classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass THEN "
            "COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i "
            "WHERE i.indexrelid OPERATOR(pg_catalog.=) objid), objid) "
            "WHEN classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN "
            "(SELECT c.conrelid FROM pg_catalog.pg_constraint c WHERE c.oid OPERATOR(pg_catalog.=) objid) "
            "WHEN classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN "
            "(SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) objid) "
            "END)::pg_catalog.regclass::pg_catalog.text "
            "FROM pg_catalog.pg_event_trigger_ddl_commands()",
            {});
        for (std::uint64_t i = 0; i < rows; ++i)
            objects.push_back({{tag, spi_text(i, 1).value_or(""), spi_text(i, 2),
                                spi_text(i, 3).value_or(""), spi_bool(i, 4), false},
                               spi_text(i, 6)});
        return objects;
    }
    const auto rows = spi_query(
        "SELECT object_type, schema_name, object_identity, false, original, is_temporary "
        "FROM pg_catalog.pg_event_trigger_dropped_objects()",
        {});
    for (std::uint64_t i = 0; i < rows; ++i) {
        core::DdlObject o{tag, spi_text(i, 1).value_or(""), spi_text(i, 2),
                          spi_text(i, 3).value_or(""), false, spi_bool(i, 6)};
        // DROP EXTENSION migrations_schema (or DROP SCHEMA ... CASCADE reaching it) drops
        // the log too: there is nothing to write to, and nothing to guard.
        if (is_own_extension_going(o))
            *own_extension_dropped = true;
        // Only what the command named: a table's indexes and constraints go with it.
        if (spi_bool(i, 5))
            objects.push_back({std::move(o), std::nullopt});
    }
    return objects;
}

// User mappings and servers carry passwords in their OPTIONS: their statement text is not
// kept, only what was changed.
bool may_hold_secrets(const core::DdlObject& o) {
    return o.object_type == "user mapping" || o.object_type == "server" ||
           o.object_type == "foreign-data wrapper";
}

// The statement that did the DDL, never more: a client may send several statements as one
// query string (ALTER ROLE ... PASSWORD '...'; CREATE TABLE ...), and the log is readable
// through migrate_drift(). Which statement of a multi-statement string is running is not
// known here, so such a string is not kept at all.
std::optional<std::string> statement_text() {
    if (debug_query_string == nullptr)
        return std::nullopt;
    const char* query = debug_query_string;
    const int statements = pg_call([&] { return list_length(raw_parser(query, RAW_PARSE_DEFAULT)); });
    if (statements != 1)
        return std::nullopt;
    return std::string(query);
}

std::string describe(const std::vector<Seen>& seen) {
    std::vector<std::string> parts;
    for (const auto& s : seen)
        if (s.verdict == core::DdlVerdict::Guard)
            parts.push_back(s.object.object_type +
                            (s.object.identity.empty() ? std::string() : " " + s.object.identity));
    return boost::algorithm::join(parts, ", ");
}

// A migration's DDL may not reach the extension's objects: a trigger or a policy on a
// tracking table, ALTER TABLE ... DISABLE TRIGGER, a function in the tracking schema, a
// COMMENT. The object access hooks do not see all of these; this trigger sees each
// object a command created or changed, resolved.
void refuse_changes_to_extension_objects(const std::string& tag) {
    SpiConnection spi;
    const auto rows = spi_query(
        // A trigger, policy or rule belongs to the table it is on.
        "SELECT classid, objid, schema_name, object_type, object_identity, "
        "CASE WHEN classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN "
        "(SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid OPERATOR(pg_catalog.=) objid) "
        "WHEN classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass THEN "
        "(SELECT polrelid FROM pg_catalog.pg_policy WHERE oid OPERATOR(pg_catalog.=) objid) "
        "WHEN classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN "
        "(SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid OPERATOR(pg_catalog.=) objid) "
        "END FROM pg_catalog.pg_event_trigger_ddl_commands()",
        {});
    for (std::uint64_t i = 0; i < rows; ++i) {
        bool class_null = false, object_null = false;
        const Oid class_id = DatumGetObjectId(spi_datum(i, 1, &class_null));
        const Oid object_id = DatumGetObjectId(spi_datum(i, 2, &object_null));
        const bool in_tracking_schema = spi_text(i, 3) == std::optional<std::string>(tracking_schema);
        bool table_null = false;
        const Oid table_id = DatumGetObjectId(spi_datum(i, 6, &table_null));
        const bool member = !class_null && !object_null && OidIsValid(object_id) &&
                            pg_call([&] { return is_extension_object(class_id, object_id); });
        const bool on_member = !table_null && pg_call([&] {
            return is_extension_object(RelationRelationId, table_id);
        });
        if (in_tracking_schema || member || on_member)
            throw core::Failure(
                core::FailureKind::Forbidden,
                "a migration may not change the migrations_schema extension's own objects",
                tag + " " + spi_text(i, 4).value_or("object") + " " +
                    spi_text(i, 5).value_or(""),
                "The tracking tables record what ran; change them only through the migrate_* "
                "functions.");
    }
}

Datum on_ddl(FunctionCallInfo fcinfo, Event event) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        throw core::Failure(core::FailureKind::Unsupported,
                            "this function is called by the extension's event triggers only");
    if (event == Event::CommandEnd && user_sql_is_running() && !creating_extension)
        refuse_changes_to_extension_objects(
            GetCommandTagName(reinterpret_cast<EventTriggerData*>(fcinfo->context)->tag));
    if (runner_is_active() || creating_extension)
        return Datum(0);
    const auto* data = reinterpret_cast<EventTriggerData*>(fcinfo->context);
    const std::string tag = GetCommandTagName(data->tag);
    const std::string caller = caller_role();
    const auto scope = managed_schema_scope();
    const std::vector<std::string> managed = scope.value_or(std::vector<std::string>{});

    SpiConnection spi;
    // On a Citus node, Citus's own connections carry out what the coordinator decided
    // (propagated DDL, shards, metadata): the coordinator logs and guards it where it was
    // typed, and refusing it here would break the cluster.
    if (citus_internal_backend())
        return Datum(0);
    bool own_extension_dropped = false;
    std::vector<Seen> seen;
    for (auto& [o, table] : objects_of_command(event, tag, &own_extension_dropped)) {
        const auto verdict = core::classify_ddl(o, managed);
        // A shard is Citus's copy of a table the coordinator knows, and what is on it Citus's
        // too: never drift. (A dropped object is known by its own name only.)
        if (verdict != core::DdlVerdict::Ignore && !citus_shard_object(o.identity) &&
            !(table && citus_shard_object(*table)))
            seen.push_back({std::move(o), verdict});
    }
    if (own_extension_dropped || seen.empty())
        return Datum(0);
    // pg_restore recreates a dumped schema: that is not drift (its snapshot comes with the
    // dump), though the guard still applies.
    // Anyone can call themselves pg_restore: only a superuser's restore is believed.
    const char* application =
        pg_call([] { return GetConfigOption("application_name", true, false); });
    const bool restoring = application != nullptr && std::string(application) == "pg_restore" &&
                           pg_call([] { return superuser_arg(GetSessionUserId()); });

    const std::string guarded = describe(seen);
    if (!guarded.empty() && ddl_guard() != DdlGuard::Off) {
        const std::string message = tag + " outside migrations (" + guarded + ")";
        if (ddl_guard() == DdlGuard::Error && !ddl_guard_bypassed())
            throw core::Failure(
                core::FailureKind::Forbidden, message + " is refused by migrations_schema.ddl_guard",
                "Schema changes on the managed schemas go through migrations.",
                "Add a migration and apply it; in an emergency a superuser can SET "
                "migrations_schema.ddl_guard_bypass = on (the change is still logged as drift).");
        if (ddl_guard() == DdlGuard::Warn)
            pg_call([&] {
                ereport(WARNING, (errmsg("%s", message.c_str()),
                                  errhint("Put it into a migration; migrate_drift() lists what "
                                          "changed outside migrations.")));
            });
    }

    if (restoring)
        return Datum(0);
    const std::optional<std::string> statement = statement_text();
    InternalScope internal;
    for (const auto& s : seen)
        spi_query(
            // As for history: a sequence set back must not make every DDL of the database
            // fail with a duplicate key.
            "INSERT INTO migrations_schema.drift_log (id, role_name, application_name, "
            "command_tag, object_type, object_identity, schema_name, statement) "
            "OVERRIDING SYSTEM VALUE VALUES (GREATEST("
            "pg_catalog.nextval('migrations_schema.drift_log_id_seq'::pg_catalog.regclass), "
            "(SELECT COALESCE(pg_catalog.max(id), 0) OPERATOR(pg_catalog.+) 1 "
            "FROM migrations_schema.drift_log)), $1, "
            "(SELECT CASE WHEN a OPERATOR(pg_catalog.<>) '' THEN a END "
            "FROM pg_catalog.current_setting('application_name') a), $2, $3, "
            "CASE WHEN $4 OPERATOR(pg_catalog.<>) '' THEN $4 END, $5, $6)",
            {text_arg(caller), text_arg(tag), text_arg(s.object.object_type),
             text_arg(s.object.identity), text_arg(s.object.schema),
             text_arg(may_hold_secrets(s.object) ? std::nullopt : statement)});
    return Datum(0);
}

Datum command_end_body(FunctionCallInfo fcinfo) {
    return on_ddl(fcinfo, Event::CommandEnd);
}

Datum sql_drop_body(FunctionCallInfo fcinfo) {
    return on_ddl(fcinfo, Event::SqlDrop);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_ddl_command_end, ms::pg::command_end_body)
MS_SQL_FUNCTION(migrate_ddl_sql_drop, ms::pg::sql_drop_body)
