// What differs between the PostgreSQL major versions the extension builds against (15 to
// 18), in one place: the only file that tests PG_VERSION_NUM (test/t/000_house.pl checks).
// The rest of src/pg calls the names below and reads the same on every version.
//
// Also version-dependent, but not here because nothing is compiled for it: the grammar's
// token numbers, which src/pg/parse/lexer.hpp asks of the running server.
#pragma once

#include "pg/base/pg.hpp"

extern "C" {
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "tcop/pquery.h"
#include "utils/portal.h"
#include "utils/rel.h"
}

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "migrations_schema builds against PostgreSQL 15 to 18"
#endif

namespace ms::pg::compat {

// What a table's owner holds by default (acldefault('r', owner)): 17 added MAINTAIN.
#if PG_VERSION_NUM >= 170000
inline constexpr const char* table_owner_privileges = "arwdDxtm";
#else
inline constexpr const char* table_owner_privileges = "arwdDxt";
#endif

// Wait events: 17 generates their names from a list, and renamed the message queue's.
#if PG_VERSION_NUM >= 170000
inline constexpr uint32 wait_event_message_queue_receive = WAIT_EVENT_MESSAGE_QUEUE_RECEIVE;
#else
inline constexpr uint32 wait_event_message_queue_receive = WAIT_EVENT_MQ_RECEIVE;
#endif

// A relation's file number: 16 renamed RelFileNode to RelFileLocator.
inline uint32 relation_file_number(Relation rel) {
#if PG_VERSION_NUM >= 160000
    return rel->rd_locator.relNumber;
#else
    return rel->rd_node.relNode;
#endif
}

// PortalRun: 18 dropped its run_once argument (a portal runs once either way here).
inline bool portal_run(Portal portal, long count, bool is_top_level, DestReceiver* dest,
                       DestReceiver* altdest, QueryCompletion* qc) {
#if PG_VERSION_NUM >= 180000
    return PortalRun(portal, count, is_top_level, dest, altdest, qc);
#else
    return PortalRun(portal, count, is_top_level, true, dest, altdest, qc);
#endif
}

// The executor's permission check (ExecutorCheckPerms_hook), reduced to what every version
// can say: each relation checked and the permissions it requires. 16 moved those from the
// range table's entries to a list of RTEPermissionInfo beside it, and the hook gained that
// list as an argument. on_relation runs before the hooks installed earlier; it may raise.
using CheckedRelation = void (*)(Oid relid, AclMode required);

namespace detail {
inline CheckedRelation checked_relation = nullptr;
inline ExecutorCheckPerms_hook_type previous_check_perms = nullptr;

#if PG_VERSION_NUM >= 160000
inline bool on_check_perms(List* range_table, List* perm_infos, bool ereport_on_violation) {
    ListCell* cell;
    foreach (cell, perm_infos) {
        const auto* info = static_cast<const RTEPermissionInfo*>(lfirst(cell));
        checked_relation(info->relid, info->requiredPerms);
    }
    if (previous_check_perms != nullptr)
        return previous_check_perms(range_table, perm_infos, ereport_on_violation);
    return true;
}
#else
inline bool on_check_perms(List* range_table, bool ereport_on_violation) {
    ListCell* cell;
    foreach (cell, range_table) {
        const auto* rte = static_cast<const RangeTblEntry*>(lfirst(cell));
        if (rte->rtekind == RTE_RELATION)
            checked_relation(rte->relid, rte->requiredPerms);
    }
    if (previous_check_perms != nullptr)
        return previous_check_perms(range_table, ereport_on_violation);
    return true;
}
#endif
}  // namespace detail

inline void install_check_perms_hook(CheckedRelation on_relation) {
    detail::checked_relation = on_relation;
    detail::previous_check_perms = ExecutorCheckPerms_hook;
    ExecutorCheckPerms_hook = detail::on_check_perms;
}

}  // namespace ms::pg::compat
