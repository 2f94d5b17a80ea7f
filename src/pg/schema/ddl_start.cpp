// The ddl_command_start event trigger: migrations_schema.ddl_guard = error refuses the
// statements that commit as they go before they start. CREATE INDEX CONCURRENTLY, DROP INDEX
// CONCURRENTLY and DETACH PARTITION CONCURRENTLY run in several transactions; refused when
// they end (ddl_command_end), they would leave an INVALID index, or a valid index made
// INVALID, behind. An event trigger rather than the ProcessUtility hook: the hook exists
// only in a backend that has loaded the library, and a session's first DDL would pass it,
// while the trigger loads the library and sees the same parse tree before anything runs.
#include "core/schema/ddl_scope.hpp"
#include "pg/base/activity.hpp"
#include "pg/base/citus.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"
#include "pg/base/spi.hpp"
#include "pg/schema/ddl_guard.hpp"
#include "pg/schema/snapshot.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "tcop/cmdtag.h"
#include "utils/lsyscache.h"
}

#include <vector>

namespace ms::pg {

namespace {

struct Reached {
    const char* object_type;  // what pg_event_trigger_ddl_commands() would call it
    Oid relation;             // the table (an index's table for CREATE INDEX) or the index
    const char* name;         // the object's own name when it is not the relation's
};

// The relations a CONCURRENTLY statement works on, resolved without locks (the statement
// takes its own); nothing for any other statement. C-style: run under pg_call.
void concurrent_targets(const Node* tree, std::vector<Reached>* out) {
    if (IsA(tree, IndexStmt)) {
        const auto* index = reinterpret_cast<const IndexStmt*>(tree);
        if (index->concurrent)
            out->push_back({"index", RangeVarGetRelid(index->relation, NoLock, true),
                            index->idxname});
    } else if (IsA(tree, DropStmt)) {
        const auto* drop = reinterpret_cast<const DropStmt*>(tree);
        if (!drop->concurrent || drop->removeType != OBJECT_INDEX)
            return;
        ListCell* cell;
        foreach (cell, drop->objects)
            out->push_back({"index",
                            RangeVarGetRelid(makeRangeVarFromNameList(
                                                 static_cast<List*>(lfirst(cell))),
                                             NoLock, true),
                            nullptr});
    } else if (IsA(tree, AlterTableStmt)) {
        const auto* alter = reinterpret_cast<const AlterTableStmt*>(tree);
        ListCell* cell;
        foreach (cell, alter->cmds) {
            const auto* cmd = static_cast<const AlterTableCmd*>(lfirst(cell));
            if (cmd->subtype == AT_DetachPartition &&
                reinterpret_cast<const PartitionCmd*>(cmd->def)->concurrent)
                out->push_back({"table", RangeVarGetRelid(alter->relation, NoLock, true),
                                nullptr});
        }
    }
}

Datum command_start_body(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        throw core::Failure(core::FailureKind::Unsupported,
                            "this function is called by the extension's event triggers only");
    if (runner_is_active() || creating_extension || ddl_guard() != DdlGuard::Error ||
        ddl_guard_bypassed())
        return Datum(0);
    // Whether this is one of Citus's own connections is a catalog query: an event trigger
    // function has no SPI connection of its own.
    SpiConnection spi;
    if (citus_internal_backend())
        return Datum(0);
    const auto* data = reinterpret_cast<EventTriggerData*>(fcinfo->context);
    std::vector<Reached> targets;
    pg_call([&] { concurrent_targets(data->parsetree, &targets); });
    if (targets.empty())
        return Datum(0);
    const std::string tag = GetCommandTagName(data->tag);
    const std::vector<std::string> managed =
        managed_schema_scope().value_or(std::vector<std::string>{});
    for (const auto& target : targets) {
        if (!OidIsValid(target.relation))
            continue;  // the statement reports the missing relation itself
        char* schema = nullptr;
        char* relation = nullptr;
        pg_call([&] {
            schema = get_namespace_name_or_temp(get_rel_namespace(target.relation));
            relation = get_rel_name(target.relation);
        });
        if (schema == nullptr || relation == nullptr)
            continue;
        const std::string identity =
            std::string(schema) + "." + (target.name != nullptr ? target.name : relation);
        const core::DdlObject object{tag, target.object_type, std::string(schema), identity,
                                     false, false};
        if (core::classify_ddl(object, managed) == core::DdlVerdict::Guard)
            throw ddl_guard_refusal(tag, std::string(target.object_type) + " " + identity);
    }
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_ddl_command_start, ms::pg::command_start_body)
