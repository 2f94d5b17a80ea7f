#include "pg/runner/protection.hpp"

#include "pg/base/activity.hpp"
#include "pg/base/compat.hpp"
#include "pg/base/extension_objects.hpp"
#include "pg/base/pg.hpp"
#include "pg/base/top_level_statement.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_namespace_d.h"
#include "catalog/pg_proc_d.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
}

namespace ms::pg {

namespace {

object_access_hook_type previous_object_access = nullptr;
ProcessUtility_hook_type previous_process_utility = nullptr;

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
        // "change", as the DDL event trigger says: which of the two sees an ALTER TABLE
        // first depends on the server version (18 calls this hook for more of them).
        if (is_extension_object(class_id, object_id))
            refuse_change("change");
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

void on_checked_relation(Oid relid, AclMode required) {
    if (user_sql_is_running() && (required & (ACL_INSERT | ACL_UPDATE | ACL_DELETE)) != 0 &&
        is_extension_object(RelationRelationId, relid))
        refuse_change("modify");
}

bool is_tracking_schema_name(const char* name) {
    const Oid tracking = get_namespace_oid(tracking_schema, true);
    return OidIsValid(tracking) && get_namespace_oid(name, true) == tracking;
}

// What GRANT and REVOKE name, resolved without locks (the statement itself locks them).
bool grant_touches_extension(const GrantStmt* grant) {
    ListCell* cell;
    if (grant->targtype == ACL_TARGET_ALL_IN_SCHEMA) {
        foreach (cell, grant->objects)
            if (is_tracking_schema_name(strVal(lfirst(cell))))
                return true;
        return false;
    }
    if (grant->targtype != ACL_TARGET_OBJECT)
        return false;
    foreach (cell, grant->objects) {
        Oid class_id = InvalidOid;
        Oid object_id = InvalidOid;
        switch (grant->objtype) {
        case OBJECT_TABLE:
        case OBJECT_SEQUENCE:
            class_id = RelationRelationId;
            object_id = RangeVarGetRelid(static_cast<RangeVar*>(lfirst(cell)), NoLock, true);
            break;
        case OBJECT_SCHEMA:
            class_id = NamespaceRelationId;
            object_id = get_namespace_oid(strVal(lfirst(cell)), true);
            break;
        case OBJECT_FUNCTION:
        case OBJECT_PROCEDURE:
        case OBJECT_ROUTINE:
            class_id = ProcedureRelationId;
            object_id = LookupFuncWithArgs(grant->objtype,
                                           static_cast<ObjectWithArgs*>(lfirst(cell)), true);
            break;
        default:
            break;
        }
        if (OidIsValid(object_id) && is_extension_object(class_id, object_id))
            return true;
    }
    return false;
}

void call_next_process_utility(PlannedStmt* pstmt, const char* query_string,
                               bool read_only_tree, ProcessUtilityContext context,
                               ParamListInfo params, QueryEnvironment* query_env,
                               DestReceiver* dest, QueryCompletion* qc) {
    if (previous_process_utility != nullptr)
        previous_process_utility(pstmt, query_string, read_only_tree, context, params, query_env,
                                 dest, qc);
    else
        standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env,
                                dest, qc);
}

// Utility statements whose targets no event trigger reports with their object: GRANT and
// REVOKE, LOCK, ALTER DEFAULT PRIVILEGES. The DDL event trigger checks the rest. The
// client's own statement is recorded while it runs (base/top_level_statement.hpp).
void on_process_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                        ProcessUtilityContext context, ParamListInfo params,
                        QueryEnvironment* query_env, DestReceiver* dest, QueryCompletion* qc) {
    if (user_sql_is_running()) {
        Node* stmt = pstmt->utilityStmt;
        ListCell* cell;
        switch (nodeTag(stmt)) {
        case T_GrantStmt:
            if (grant_touches_extension(reinterpret_cast<GrantStmt*>(stmt)))
                refuse_change("grant or revoke rights on");
            break;
        case T_LockStmt:
            foreach (cell, reinterpret_cast<LockStmt*>(stmt)->relations) {
                const Oid relid =
                    RangeVarGetRelid(static_cast<RangeVar*>(lfirst(cell)), NoLock, true);
                if (OidIsValid(relid) && is_extension_object(RelationRelationId, relid))
                    refuse_change("lock");
            }
            break;
        case T_AlterDefaultPrivilegesStmt:
            foreach (cell, reinterpret_cast<AlterDefaultPrivilegesStmt*>(stmt)->options) {
                const DefElem* option = static_cast<DefElem*>(lfirst(cell));
                if (strcmp(option->defname, "schemas") != 0)
                    continue;
                ListCell* schema;
                foreach (schema, reinterpret_cast<List*>(option->arg))
                    if (is_tracking_schema_name(strVal(lfirst(schema))))
                        refuse_change("set default privileges in");
            }
            break;
        default:
            break;
        }
    }
    if (context != PROCESS_UTILITY_TOPLEVEL) {
        call_next_process_utility(pstmt, query_string, read_only_tree, context, params,
                                  query_env, dest, qc);
        return;
    }
    const TopLevelStatement previous = enter_top_level_statement(pstmt, query_string);
    PG_TRY();
    {
        call_next_process_utility(pstmt, query_string, read_only_tree, context, params,
                                  query_env, dest, qc);
    }
    PG_FINALLY();
    {
        leave_top_level_statement(previous);
    }
    PG_END_TRY();
}

}  // namespace

void install_protection_hooks() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = on_process_utility;
    previous_object_access = object_access_hook;
    object_access_hook = on_object_access;
    compat::install_check_perms_hook(on_checked_relation);
}

}  // namespace ms::pg
