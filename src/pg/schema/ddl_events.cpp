// The event triggers: DDL run outside the runner is logged to migrations_schema.drift_log
// and, with migrations_schema.ddl_guard, warned about or refused. They run for every DDL
// command of the database, so the runner's own DDL, extension scripts and temporary
// objects return before any query.
#include "core/base/failure.hpp"
#include "core/schema/ddl_scope.hpp"
#include "core/schema/ddl_statement_text.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/extension_objects.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/top_level_statement.hpp"
#include "pg/schema/ddl_guard.hpp"
#include "pg/schema/drop_watch.hpp"
#include "pg/schema/expected_state.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/cmdtag.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/guc.h"
}

#include <boost/algorithm/string/join.hpp>
#include <boost/algorithm/string/trim.hpp>

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

// A trigger, rule or policy has no schema of its own (the events report none): it is in its
// table's, the first of its address names, so that the guard and the drift scope see it.
std::vector<Found> objects_of_command(Event event, const std::string& tag,
                                      bool* own_extension_dropped) {
    std::vector<Found> objects;
    if (event == Event::CommandEnd) {
        const auto rows = spi_query(
            "SELECT object_type, COALESCE(schema_name, CASE WHEN object_type "
            "OPERATOR(pg_catalog.=) ANY ('{trigger,rule,policy}'::pg_catalog.text[]) THEN "
            "(pg_catalog.pg_identify_object_as_address(classid, objid, objsubid))"
            ".object_names[1] END), object_identity, in_extension, true, "
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
        "SELECT object_type, COALESCE(schema_name, CASE WHEN object_type "
        "OPERATOR(pg_catalog.=) ANY ('{trigger,rule,policy}'::pg_catalog.text[]) THEN "
        "address_names[1] END), object_identity, false, original, is_temporary "
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

// Whether a utility statement's tree carries a connection string or OPTIONS (...): the
// statements that hold passwords, and ALTER TABLE on a foreign table, which may set them.
bool carries_options_or_connection(const Node* tree) {
    switch (nodeTag(tree)) {
    case T_CreateSubscriptionStmt:
    case T_AlterSubscriptionStmt:
    case T_CreateFdwStmt:
    case T_AlterFdwStmt:
    case T_CreateForeignServerStmt:
    case T_AlterForeignServerStmt:
    case T_CreateUserMappingStmt:
    case T_AlterUserMappingStmt:
    case T_CreateForeignTableStmt:
    case T_ImportForeignSchemaStmt:
    case T_CreateRoleStmt:
    case T_AlterRoleStmt:
        return true;
    case T_AlterTableStmt: {
        ListCell* cell;
        foreach (cell, reinterpret_cast<const AlterTableStmt*>(tree)->cmds) {
            const auto* cmd = static_cast<const AlterTableCmd*>(lfirst(cell));
            if (cmd->subtype == AT_GenericOptions || cmd->subtype == AT_AlterColumnGenericOptions)
                return true;
        }
        return false;
    }
    default:
        return false;
    }
}

// CREATE FUNCTION / PROCEDURE with a body in a procedural language (plpgsql and the like
// run dynamic SQL): only SQL-language bodies are plain statements.
bool has_procedural_body(const Node* tree) {
    if (!IsA(tree, CreateFunctionStmt))
        return false;
    const auto* create = reinterpret_cast<const CreateFunctionStmt*>(tree);
    if (create->sql_body != nullptr)
        return false;
    ListCell* cell;
    foreach (cell, create->options) {
        const auto* option = static_cast<const DefElem*>(lfirst(cell));
        if (strcmp(option->defname, "language") == 0)
            return pg_strcasecmp(strVal(option->arg), "sql") != 0;
    }
    return true;
}

struct StatementBehind {
    core::DdlStatementFacts facts;
    std::optional<std::string> text;  // the top-level statement's own text
};

// The statement of the query string the event belongs to: the one the ProcessUtility hook
// recorded, or, in a backend that loaded the library during this statement (its first DDL),
// the raw statement of debug_query_string whose tree equals the event's. Null when the event
// is of a statement run inside another (a DO block, a function called by SELECT or CALL).
// C-style: run under pg_call.
const Node* find_top_level(const EventTriggerData* data, int* location, int* length,
                           const char** query) {
    const TopLevelStatement& top = running_top_level_statement();
    if (top.statement != nullptr && top.query_string != nullptr) {
        const Node* tree = top.statement->utilityStmt;
        if (tree == nullptr)
            return nullptr;
        // The same node, or its copy when the statement came from the plan cache (extended
        // protocol), which standard_ProcessUtility copies before running it.
        if (data->parsetree != tree &&
            (nodeTag(data->parsetree) != nodeTag(tree) || !equal(data->parsetree, tree)))
            return nullptr;
        *location = top.statement->stmt_location;
        *length = top.statement->stmt_len;
        *query = top.query_string;
        return tree;
    }
    // Once the hook has recorded statements, none recorded means a statement the executor
    // runs (SELECT f(), an INSERT firing a trigger): whatever DDL it runs is not in its text. Before, the query string is parsed (once or so per
    // backend: the hook is in place from the next statement on).
    if (top_level_statements_recorded() || debug_query_string == nullptr)
        return nullptr;
    ListCell* cell;
    foreach (cell, raw_parser(debug_query_string, RAW_PARSE_DEFAULT)) {
        const auto* raw = static_cast<const RawStmt*>(lfirst(cell));
        if (nodeTag(data->parsetree) == nodeTag(raw->stmt) &&
            equal(data->parsetree, raw->stmt)) {
            *location = raw->stmt_location;
            *length = raw->stmt_len;
            *query = debug_query_string;
            return raw->stmt;
        }
    }
    return nullptr;
}

// What the event's statement is, and its own text when it is the client's top-level
// statement; nothing is known (and no text kept) for one run inside another.
StatementBehind statement_behind(const EventTriggerData* data) {
    StatementBehind behind;
    int location = -1;
    int length = 0;
    const char* query = nullptr;
    const Node* tree = nullptr;
    pg_call([&] {
        tree = find_top_level(data, &location, &length, &query);
        if (tree == nullptr)
            return;
        behind.facts.top_level = true;
        behind.facts.options_or_connection = carries_options_or_connection(tree);
        behind.facts.procedural_body = has_procedural_body(tree);
    });
    if (tree == nullptr)
        return behind;
    behind.facts.top_level_tag =
        pg_call([&] { return GetCommandTagName(CreateCommandTag(const_cast<Node*>(tree))); });
    // stmt_len 0: the statement runs to the end of the string.
    const std::string_view text(query);
    if (location < 0 || static_cast<std::size_t>(location) > text.size())
        return behind;
    // The blanks between it and the statement before (stmt_location is just past the ';').
    behind.text = boost::algorithm::trim_copy(std::string(
        text.substr(location, length > 0 ? std::size_t(length) : std::string_view::npos)));
    return behind;
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
    if (creating_extension)
        return Datum(0);
    // The runner's own DDL is no drift: what it touched goes into the expected state.
    if (runner_is_active()) {
        SpiConnection spi;
        note_touched_objects(event == Event::SqlDrop);
        if (event == Event::SqlDrop)
            note_watched_drops();
        return Datum(0);
    }
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
            throw ddl_guard_refusal(tag, guarded);
        if (ddl_guard() == DdlGuard::Warn)
            pg_call([&] {
                ereport(WARNING, (errmsg("%s", message.c_str()),
                                  errhint("Put it into a migration; migrate_drift() lists what "
                                          "changed outside migrations.")));
            });
    }

    if (restoring)
        return Datum(0);
    const StatementBehind behind = statement_behind(data);
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
             text_arg(core::may_keep_statement_text(behind.facts, s.object) ? behind.text
                                                                             : std::nullopt)});
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
