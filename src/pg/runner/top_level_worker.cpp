#include "pg/runner/top_level_worker.hpp"

#include "pg/base/activity.hpp"
#include "pg/base/compat.hpp"
#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/settings.hpp"

extern "C" {
#include "access/parallel.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "mb/pg_wchar.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
}

// libpq/libpq.h would pull in the GSSAPI headers; this is the one function needed from it.
extern "C" bool pq_check_connection(void);

namespace ms::pg {

namespace {

constexpr uint64 toc_magic = 0x6D696772776B7231;  // "migrwkr1"
constexpr uint64 key_fixed = 0;
constexpr uint64 key_sql = 1;
constexpr uint64 key_guc = 2;
constexpr uint64 key_queue = 3;
constexpr Size queue_size = 65536;
// The worker's last message, sent after its transaction committed. A worker that ends
// without it (never started, killed, crashed, queue detached) did not do its statement.
constexpr char completion_message = 'c';

struct FixedData {
    Oid database_id;
    Oid authenticated_user_id;
    Oid current_user_id;
    int security_context;
};

// Everything below runs in PostgreSQL's own error handling: C style, no C++ objects.

struct WaitContext {
    const char* context;
};

void worker_error_context(void* arg) {
    errcontext("%s", static_cast<WaitContext*>(arg)->context);
}

// Messages from the worker are in the client encoding it restored; raise them in ours.
void raise_from_worker(ErrorData* edata) {
    auto back = [](char*& field) {
        if (field != nullptr)
            field = pg_client_to_server(field, static_cast<int>(strlen(field)));
    };
    back(edata->message);
    back(edata->detail);
    back(edata->hint);
    back(edata->context);
    if (edata->elevel > ERROR)
        edata->elevel = ERROR;  // a worker's FATAL must not end the caller's session
    ThrowErrorData(edata);
}

// If this backend goes away (pg_terminate_backend, a lost client) its segment detaches:
// the worker must not go on building an index nobody will record.
void stop_worker_on_detach(dsm_segment*, Datum handle) {
    TerminateBackgroundWorker(reinterpret_cast<BackgroundWorkerHandle*>(DatumGetPointer(handle)));
}

// Waits for the worker's next message, and notices a client that went away meanwhile:
// a runner whose client was killed would otherwise wait for the worker (and hold it and
// its locks) until someone terminated it by hand.
void wait_for_worker() {
    const int events = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                                 1000, compat::wait_event_message_queue_receive);
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
    if ((events & WL_TIMEOUT) != 0 && MyProcPort != nullptr && !pq_check_connection()) {
        // What client_connection_check_interval would do: ProcessInterrupts ends the
        // session, its segment detaches, and the detach stops the worker.
        ClientConnectionLost = 1;
        InterruptPending = 1;
        CHECK_FOR_INTERRUPTS();
    }
}

// cancelled: when given, a worker whose statement was cancelled (its statement_timeout) sets
// it instead of raising the error.
void launch_and_wait(const char* sql, const char* context, bool* cancelled) {
    const Size sql_len = strlen(sql) + 1;
    const Size guc_len = EstimateGUCStateSpace();
    shm_toc_estimator e;
    shm_toc_initialize_estimator(&e);
    shm_toc_estimate_chunk(&e, sizeof(FixedData));
    shm_toc_estimate_chunk(&e, sql_len);
    shm_toc_estimate_chunk(&e, guc_len);
    shm_toc_estimate_chunk(&e, queue_size);
    shm_toc_estimate_keys(&e, 4);
    const Size segsize = shm_toc_estimate(&e);

    dsm_segment* seg = dsm_create(segsize, 0);
    shm_toc* toc = shm_toc_create(toc_magic, dsm_segment_address(seg), segsize);
    auto* fixed = static_cast<FixedData*>(shm_toc_allocate(toc, sizeof(FixedData)));
    fixed->database_id = MyDatabaseId;
    fixed->authenticated_user_id = GetAuthenticatedUserId();
    GetUserIdAndSecContext(&fixed->current_user_id, &fixed->security_context);
    shm_toc_insert(toc, key_fixed, fixed);
    char* sql_copy = static_cast<char*>(shm_toc_allocate(toc, sql_len));
    memcpy(sql_copy, sql, sql_len);
    shm_toc_insert(toc, key_sql, sql_copy);
    char* gucstate = static_cast<char*>(shm_toc_allocate(toc, guc_len));
    SerializeGUCState(guc_len, gucstate);
    shm_toc_insert(toc, key_guc, gucstate);
    shm_mq* mq = shm_mq_create(shm_toc_allocate(toc, queue_size), queue_size);
    shm_toc_insert(toc, key_queue, mq);
    shm_mq_set_receiver(mq, MyProc);
    // Attached before the worker starts: if this backend errors out, the queue detaches and
    // the worker's writes fail instead of blocking.
    shm_mq_handle* mqh = shm_mq_attach(mq, seg, nullptr);

    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_ConsistentState;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "migrations_schema");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "migrations_schema_worker_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "migrations_schema worker for PID %d", MyProcPid);
    snprintf(worker.bgw_type, BGW_MAXLEN, "migrations_schema worker");
    worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
    worker.bgw_notify_pid = MyProcPid;

    BackgroundWorkerHandle* handle = nullptr;
    // The handle must outlive this transaction: the detach callback may run at process exit.
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    const bool registered = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(old);
    if (!registered)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_RESOURCES),
                        errmsg("could not start a background worker for a top-level statement"),
                        errhint("Raise max_worker_processes; each such statement needs one "
                                "worker while it runs.")));
    on_dsm_detach(seg, stop_worker_on_detach, PointerGetDatum(handle));
    shm_mq_set_handle(mqh, handle);
    pid_t pid = 0;
    const BgwHandleStatus started = WaitForBackgroundWorkerStartup(handle, &pid);
    if (started == BGWH_POSTMASTER_DIED)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_RESOURCES),
                        errmsg("postmaster exited while starting a background worker")));
    // BGWH_STOPPED here may be a worker that already finished its statement, or one that
    // never ran: only its completion message, read below, tells them apart.

    WaitContext wait_context{context};
    ErrorContextCallback callback{error_context_stack, worker_error_context, &wait_context};
    error_context_stack = &callback;
    ErrorData* volatile failure = nullptr;
    volatile bool completed = false;
    PG_TRY();
    {
        StringInfoData msg;
        initStringInfo(&msg);
        for (;;) {
            Size nbytes = 0;
            void* data = nullptr;
            const shm_mq_result received = shm_mq_receive(mqh, &nbytes, &data, true);
            if (received == SHM_MQ_WOULD_BLOCK) {
                wait_for_worker();
                continue;
            }
            if (received != SHM_MQ_SUCCESS)
                break;  // the worker detached: its completion message, if any, came before
            resetStringInfo(&msg);
            appendBinaryStringInfo(&msg, static_cast<const char*>(data), static_cast<int>(nbytes));
            const char type = pq_getmsgbyte(&msg);
            if (type == completion_message) {
                completed = true;
                continue;
            }
            if (type != 'E' && type != 'N')
                continue;
            ErrorData* edata = static_cast<ErrorData*>(palloc0(sizeof(ErrorData)));
            pq_parse_errornotice(&msg, edata);
            if (type == 'N')
                raise_from_worker(edata);  // a notice: reported, and we go on
            else
                failure = edata;           // raised once the worker is gone
        }
        // The worker may still be cleaning up (a failed CONCURRENTLY build); wait for it.
        WaitForBackgroundWorkerShutdown(handle);
    }
    PG_CATCH();
    {
        // Cancelled or terminated while waiting: stop the statement too, and let go of the
        // segment now rather than leave it to the resource owner's leak check.
        TerminateBackgroundWorker(handle);
        dsm_detach(seg);
        PG_RE_THROW();
    }
    PG_END_TRY();
    dsm_detach(seg);
    pfree(handle);
    if (failure != nullptr && cancelled != nullptr &&
        failure->sqlerrcode == ERRCODE_QUERY_CANCELED) {
        *cancelled = true;
        FreeErrorData(failure);
        error_context_stack = callback.previous;
        return;
    }
    if (failure != nullptr)
        raise_from_worker(failure);
    if (!completed)
        ereport(ERROR, (errcode(ERRCODE_CONNECTION_FAILURE),
                        errmsg("the background worker ended without reporting that its "
                               "statement committed"),
                        errdetail("It was stopped, or it failed before it could report."),
                        errhint("Whether the statement took effect is not known: check the "
                                "objects it creates before running it again.")));
    error_context_stack = callback.previous;
}

// The pg_background recipe: parse, analyse, plan and run through a portal with
// isTopLevel = true, outside any transaction block, so CONCURRENTLY and VACUUM are allowed.
void execute_top_level(const char* sql) {
    MemoryContext parse_context =
        AllocSetContextCreate(TopMemoryContext, "migrations_schema worker", ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(parse_context);
    List* trees = pg_parse_query(sql);
    MemoryContextSwitchTo(old);
    ListCell* cell;
    foreach (cell, trees) {
        RawStmt* tree = static_cast<RawStmt*>(lfirst(cell));
        const CommandTag tag = CreateCommandTag(tree->stmt);
        set_ps_display(GetCommandTagName(tag));
        BeginCommand(tag, DestNone);
        const bool snapshot = analyze_requires_snapshot(tree);
        if (snapshot)
            PushActiveSnapshot(GetTransactionSnapshot());
        old = MemoryContextSwitchTo(parse_context);
        List* queries = pg_analyze_and_rewrite_fixedparams(tree, sql, nullptr, 0, nullptr);
        List* plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, nullptr);
        if (snapshot)
            PopActiveSnapshot();
        CHECK_FOR_INTERRUPTS();
        Portal portal = CreatePortal("", true, true);
        portal->visible = false;
        PortalDefineQuery(portal, nullptr, sql, tag, plans, nullptr);
        PortalStart(portal, nullptr, 0, InvalidSnapshot);
        DestReceiver* receiver = CreateDestReceiver(DestNone);
        MemoryContextSwitchTo(old);
        QueryCompletion qc;
        (void)compat::portal_run(portal, FETCH_ALL, true, receiver, receiver, &qc);
        receiver->rDestroy(receiver);
        PortalDrop(portal, false);
    }
    CommandCounterIncrement();
}

}  // namespace

void run_at_top_level(const std::string& sql, const std::string& context) {
    const char* sql_text = pg_call([&] { return pstrdup(sql.c_str()); });
    const char* context_text = pg_call([&] { return pstrdup(context.c_str()); });
    fault_point("worker_start");
    pg_call([&] { launch_and_wait(sql_text, context_text, nullptr); });
    fault_point("worker_done");
}

bool run_at_top_level_within(const std::string& sql, const std::string& context, int bound_ms) {
    const char* sql_text = pg_call([&] { return pstrdup(sql.c_str()); });
    const char* context_text = pg_call([&] { return pstrdup(context.c_str()); });
    const std::string bound = std::to_string(bound_ms);
    bool cancelled = false;
    TimestampTz started = 0;
    {
        SettingsScope restore;
        pg_call([&] {
            (void)set_config_option("statement_timeout", bound.c_str(), PGC_USERSET,
                                    PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
            started = GetCurrentTimestamp();
            launch_and_wait(sql_text, context_text, &cancelled);
        });
    }
    if (!cancelled)
        return true;
    // Only the timeout set here is taken as such: a worker cancelled sooner (by hand, with
    // pg_cancel_backend) fails the step as any error does.
    const double elapsed_ms = static_cast<double>(GetCurrentTimestamp() - started) / 1000.0;
    if (elapsed_ms < 0.9 * bound_ms)
        pg_call([&] {
            ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                            errmsg("the background worker's statement was cancelled"),
                            errcontext("%s", context_text)));
        });
    return false;
}

}  // namespace ms::pg

extern "C" {

PGDLLEXPORT void migrations_schema_worker_main(Datum main_arg);

// The worker: a top-level statement, as the role and with the settings of its caller.
void migrations_schema_worker_main(Datum main_arg) {
    using namespace ms::pg;
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    CurrentResourceOwner = ResourceOwnerCreate(nullptr, "migrations_schema worker");

    dsm_segment* seg = dsm_attach(DatumGetUInt32(main_arg));
    if (seg == nullptr)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("could not map the runner's shared memory segment")));
    shm_toc* toc = shm_toc_attach(toc_magic, dsm_segment_address(seg));
    if (toc == nullptr)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("bad magic number in the runner's shared memory segment")));
    auto* fixed = static_cast<FixedData*>(shm_toc_lookup(toc, key_fixed, false));
    auto* sql = static_cast<char*>(shm_toc_lookup(toc, key_sql, false));
    auto* gucstate = static_cast<char*>(shm_toc_lookup(toc, key_guc, false));
    auto* mq = static_cast<shm_mq*>(shm_toc_lookup(toc, key_queue, false));
    shm_mq_set_sender(mq, MyProc);
    shm_mq_handle* mqh = shm_mq_attach(mq, seg, nullptr);
    pq_redirect_to_shm_mq(seg, mqh);

    BackgroundWorkerInitializeConnectionByOid(fixed->database_id,
                                              fixed->authenticated_user_id, 0);
    StartTransactionCommand();
    RestoreGUCState(gucstate);
    CommitTransactionCommand();
    SetUserIdAndSecContext(fixed->current_user_id, fixed->security_context);
    // The tests' stand-in for a worker that dies before it can report: it just goes.
    if (strcmp(fault_injection_setting(), "worker_vanish") == 0)
        proc_exit(0);

    // The event triggers must see this DDL as the runner's, and the protection hooks must
    // see a migration's statement: what the caller's transaction may not do, neither may this.
    mark_runner_process();
    mark_user_sql_process();
    SetCurrentStatementStartTimestamp();
    debug_query_string = sql;
    pgstat_report_activity(STATE_RUNNING, sql);
    StartTransactionCommand();
    if (StatementTimeout > 0)
        enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);
    execute_top_level(sql);
    disable_timeout(STATEMENT_TIMEOUT, false);
    CommitTransactionCommand();
    StringInfoData done;
    pq_beginmessage(&done, completion_message);
    pq_endmessage(&done);
    pgstat_report_activity(STATE_IDLE, sql);
    pgstat_report_stat(true);
}

}
