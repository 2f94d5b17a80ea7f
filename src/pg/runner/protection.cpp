#include "pg/runner/protection.hpp"

#include "pg/base/activity.hpp"
#include "pg/base/extension_objects.hpp"
#include "pg/base/pg.hpp"

extern "C" {
#include "catalog/objectaccess.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"
}

namespace ms::pg {

namespace {

object_access_hook_type previous_object_access = nullptr;
ExecutorCheckPerms_hook_type previous_check_perms = nullptr;

void refuse_change(const char* what) {
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("a migration may not %s the migrations_schema extension's own objects",
                           what),
                    errhint("The tracking tables record what ran; change them only through "
                            "the migrate_* functions.")));
}

// The hooks are called from PostgreSQL's C code, so they use ereport and no C++ objects.
void on_object_access(ObjectAccessType access, Oid class_id, Oid object_id, int sub_id,
                      void* arg) {
    if (previous_object_access != nullptr)
        previous_object_access(access, class_id, object_id, sub_id, arg);
    if (!user_sql_is_running())
        return;
    switch (access) {
    case OAT_DROP:
        if (is_extension_object(class_id, object_id))
            refuse_change("drop");
        break;
    case OAT_POST_ALTER:
        if (is_extension_object(class_id, object_id))
            refuse_change("alter");
        break;
    case OAT_TRUNCATE:
        if (is_extension_object(class_id, object_id))
            refuse_change("truncate");
        break;
    case OAT_POST_CREATE:
        // A new column (sub_id) alters a table; a new relation in the schema adds to it.
        if (class_id == RelationRelationId &&
            (sub_id != 0 ? is_extension_object(class_id, object_id)
                         : is_new_relation_in_tracking_schema(object_id)))
            refuse_change(sub_id != 0 ? "alter" : "add to");
        break;
    default:
        break;
    }
}

bool on_check_perms(List* range_table, bool ereport_on_violation) {
    if (user_sql_is_running()) {
        ListCell* cell;
        foreach (cell, range_table) {
            const auto* rte = static_cast<const RangeTblEntry*>(lfirst(cell));
            if (rte->rtekind == RTE_RELATION &&
                (rte->requiredPerms & (ACL_INSERT | ACL_UPDATE | ACL_DELETE)) != 0 &&
                is_extension_object(RelationRelationId, rte->relid))
                refuse_change("modify");
        }
    }
    if (previous_check_perms != nullptr)
        return previous_check_perms(range_table, ereport_on_violation);
    return true;
}

}  // namespace

void install_protection_hooks() {
    previous_object_access = object_access_hook;
    object_access_hook = on_object_access;
    previous_check_perms = ExecutorCheckPerms_hook;
    ExecutorCheckPerms_hook = on_check_perms;
}

}  // namespace ms::pg
