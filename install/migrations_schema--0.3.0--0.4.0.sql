-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION migrations_schema UPDATE TO '0.4.0'" to load this file. \quit

-- A routine that another role created in this schema with the name and arguments of one
-- this version adds would stop the update with "already exists" and no more: name it, and
-- who owns it, before anything changes. (An ALTER EXTENSION that fails changes nothing.)
DO $clash$
DECLARE
    wanted pg_catalog.text;
    found pg_catalog.regprocedure;
BEGIN
    FOREACH wanted IN ARRAY ARRAY[
        '@extschema@.migrate_register(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_load_dir(pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_unregister(pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_prune(pg_catalog.text[], pg_catalog.text)',
        '@extschema@.migrate_apply(pg_catalog.text, pg_catalog.bool, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_rollback_plan(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_status(pg_catalog.text)',
        '@extschema@.migrate_baseline(pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_import(pg_catalog.text, pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_validate(pg_catalog.text)',
        '@extschema@.migrate_repair(pg_catalog.text)',
        '@extschema@.migrate_history(pg_catalog.text)',
        '@extschema@.migrate_verify(pg_catalog.text)',
        '@extschema@.migrate_run(pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_run(pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_run_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_run_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.bool)',
        '@extschema@.migrate_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.bool)',
        '@extschema@.migrate_lint(pg_catalog.text)',
        '@extschema@.migrate_lint_pending(pg_catalog.text)',
        '@extschema@.migrate_schema_fingerprint(pg_catalog.text[])',
        '@extschema@.migrate_schema_hash(pg_catalog.text[])',
        '@extschema@.migrate_schema_description(pg_catalog.text[])',
        '@extschema@.migrate_generate(pg_catalog.jsonb, pg_catalog.text[], pg_catalog.bool, pg_catalog.text[], pg_catalog.text)',
        '@extschema@.migrate_test(pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_drift(pg_catalog.text)',
        '@extschema@.migrate_accept_drift(pg_catalog.text[], pg_catalog.text)',
        '@extschema@.migrate_start(pg_catalog.text, pg_catalog.int4, pg_catalog.int4)',
        '@extschema@.migrate_complete(pg_catalog.text)',
        '@extschema@.migrate_abort(pg_catalog.text)',
        '@extschema@.migrate_expansion(pg_catalog.text)'
    ]::pg_catalog.text[] LOOP
        found := pg_catalog.to_regprocedure(wanted);
        IF found IS NOT NULL AND NOT EXISTS (
                SELECT FROM pg_catalog.pg_depend d
                WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                  AND d.objid OPERATOR(pg_catalog.=) found::pg_catalog.oid
                  AND d.deptype OPERATOR(pg_catalog.=) 'e') THEN
            RAISE EXCEPTION 'function % already exists, owned by role %, and is not part of migrations_schema',
                found, (SELECT pg_catalog.pg_get_userbyid(p.proowner) FROM pg_catalog.pg_proc p
                        WHERE p.oid OPERATOR(pg_catalog.=) found::pg_catalog.oid)
                USING ERRCODE = 'duplicate_function',
                      DETAIL = 'migrations_schema 0.4.0 creates a function of that name and arguments in this schema.',
                      HINT = 'Drop or rename that function, or move it to another schema, then run ALTER EXTENSION migrations_schema UPDATE again.';
        END IF;
    END LOOP;
END
$clash$;

-- With migrations_schema.ddl_guard = error, the statements that commit as they go
-- (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY) are
-- refused before they start: refused when they end, they would leave an INVALID index behind.
CREATE FUNCTION migrations_schema.ddl_command_start() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_ddl_command_start'
LANGUAGE C;
CREATE EVENT TRIGGER migrations_schema_ddl_command_start ON ddl_command_start
    WHEN TAG IN ('CREATE INDEX', 'DROP INDEX', 'ALTER TABLE')
    EXECUTE FUNCTION migrations_schema.ddl_command_start();
ALTER EVENT TRIGGER migrations_schema_ddl_command_start ENABLE ALWAYS;
-- The expected state of the schema, object by object: drift stays until a migration produces
-- the same object or migrate_accept_drift() takes it in. The first apply, run, rollback or
-- baseline after this update fills it from the newest snapshot (so drift open now stays
-- open) and empties the whole-schema snapshots.
ALTER TABLE migrations_schema.history DROP CONSTRAINT history_action_check;
ALTER TABLE migrations_schema.history ADD CONSTRAINT history_action_check
    CHECK (action IN ('register', 'apply', 'rollback', 'baseline', 'import',
                      'repair', 'failure', 'lint-ignore', 'drift',
                      'unregister', 'rollback-failure',
                      'accept-drift'));
ALTER TABLE migrations_schema.schema_snapshot ALTER COLUMN schema_hash DROP NOT NULL;
ALTER TABLE migrations_schema.schema_snapshot ALTER COLUMN fingerprint DROP NOT NULL;

-- The schema as migrations made it, object by object: what drift is measured against. A run
-- records the objects its own statements touched (and what came along with them); anything
-- else that differs stays drift until a migration produces the same object or
-- migrate_accept_drift() takes it in.
CREATE TABLE migrations_schema.expected_object (
    kind          text NOT NULL,
    identity      text NOT NULL,
    -- the object recomputed as a whole when any part of it changes (a relation with its
    -- columns, constraints, indexes, ...; a type; a function; a schema; an extension)
    root_kind     text,
    root_identity text,
    -- its catalog address, as the event triggers report it (NULL: not known, after an upgrade)
    classid       oid,
    objid         oid,
    objsubid      integer,
    -- the schema it is in (NULL: not known), for migrations_schema.managed_schemas
    schema_name   text,
    object        jsonb NOT NULL,
    PRIMARY KEY (kind, identity)
);
CREATE INDEX expected_object_root ON migrations_schema.expected_object (root_kind, root_identity);
CREATE INDEX expected_object_address ON migrations_schema.expected_object (classid, objid);
COMMENT ON TABLE migrations_schema.expected_object IS
    'Each object''s fingerprint as migrations left it (migrate_schema_fingerprint(), per object).';

-- One row once the store is filled (the first apply, run, rollback or baseline).
CREATE TABLE migrations_schema.expected_state (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- migrations_schema.managed_schemas when it was filled (NULL: every user schema)
    schemas        jsonb,
    -- the catalog digest when the store last equalled the live schema (NULL: compare)
    catalog_marker text,
    clean_at       timestamptz,
    filled_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    -- the catalog digest when the drift below was last known, and that drift: what differs
    -- from the live schema, [{"change", "kind", "object", "detail"}, ...] (NULL: compare)
    drift_marker   text,
    open_drift     jsonb
);
COMMENT ON TABLE migrations_schema.expected_state IS
    'Whether the expected state is filled, what it covers, and when it last equalled the schema.';

-- The objects the runner's statements touched, written by the event triggers in each
-- statement's transaction and taken into expected_object when the run records. Not dumped.
CREATE TABLE migrations_schema.expected_touched (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    classid       oid,
    objid         oid,
    objsubid      integer NOT NULL DEFAULT 0,
    -- the root as the command named it (a relation, or what a drop removed)
    root_kind     text,
    root_identity text
);

SELECT pg_catalog.pg_extension_config_dump('migrations_schema.expected_object', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.expected_state', '');

CREATE FUNCTION @extschema@.migrate_accept_drift(objects text[], project text DEFAULT 'default')
RETURNS TABLE (change text, object_type text, object text)
AS 'MODULE_PATHNAME', 'migrate_accept_drift'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_accept_drift(text[], text) IS
    'Takes the live form of the named drifted objects (''kind identity'') into the expected '
    'state; logged to history as accept-drift, with who and when.';
REVOKE ALL ON FUNCTION @extschema@.migrate_accept_drift(text[], text) FROM PUBLIC;

-- Pinned search_path: every function sets pg_catalog, pg_temp (pg_temp last, so that no
-- temporary object comes first), and the trigger functions qualify their operators and
-- functions as well.
ALTER FUNCTION migrations_schema.refuse_history_change() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.adjust_project_state(text, bigint) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.recompute_project_state() SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION migrations_schema.count_unmatched() RETURNS TABLE (project text, unmatched bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.project, pg_catalog.count(*) FILTER (WHERE NOT EXISTS (
               SELECT FROM migrations_schema.applied a
               WHERE a.project OPERATOR(pg_catalog.=) m.project
                 AND a.version OPERATOR(pg_catalog.=) m.version
                 AND a.checksum OPERATOR(pg_catalog.=) m.checksum))
    FROM migrations_schema.migration m GROUP BY m.project;
$$;
-- The row triggers that kept project_state become statement triggers, one function for
-- both tables (also under session_replication_role = replica).
DROP TRIGGER track_registered ON migrations_schema.migration;
DROP TRIGGER track_applied ON migrations_schema.applied;
DROP FUNCTION migrations_schema.track_registered();
DROP FUNCTION migrations_schema.track_applied();
-- A registered migration counts as unmatched unless an applied row has its version and
-- checksum; an applied row matches the registered migration of its version and checksum.
-- Statement triggers over the transition tables (a trigger with them takes one event, so
-- there are three per table): a statement that registers or records a thousand migrations
-- moves each project's count once, not a thousand times, each of which would leave a row
-- version behind for the next to walk past.
CREATE FUNCTION migrations_schema.track_unmatched() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    registry CONSTANT boolean := TG_TABLE_NAME OPERATOR(pg_catalog.=) 'migration';
    -- The rows of a transition table that are counted, each with its move of the count: a
    -- registered row unmatched by an applied one, an applied row matching a registered one.
    counted CONSTANT text := pg_catalog.format(
        'SELECT r.project, %%s AS delta FROM %%I r WHERE %s (SELECT FROM migrations_schema.%I o '
        'WHERE o.project OPERATOR(pg_catalog.=) r.project '
        'AND o.version OPERATOR(pg_catalog.=) r.version '
        'AND o.checksum OPERATOR(pg_catalog.=) r.checksum)',
        CASE WHEN registry THEN 'NOT EXISTS' ELSE 'EXISTS' END,
        CASE WHEN registry THEN 'applied' ELSE 'migration' END);
    sign CONSTANT integer := CASE WHEN registry THEN 1 ELSE -1 END;
    parts text[] := '{}';
BEGIN
    IF TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
        parts := parts OPERATOR(pg_catalog.||)
                 pg_catalog.format(counted, OPERATOR(pg_catalog.-) sign, 'old_rows');
    END IF;
    IF TG_OP OPERATOR(pg_catalog.<>) 'DELETE' THEN
        parts := parts OPERATOR(pg_catalog.||) pg_catalog.format(counted, sign, 'new_rows');
    END IF;
    EXECUTE 'SELECT migrations_schema.adjust_project_state(u.project, '
            'pg_catalog.sum(u.delta)::pg_catalog.int8) FROM ('
            OPERATOR(pg_catalog.||) pg_catalog.array_to_string(parts, ' UNION ALL ')
            OPERATOR(pg_catalog.||) ') u GROUP BY u.project '
            'HAVING pg_catalog.sum(u.delta) OPERATOR(pg_catalog.<>) 0';
    RETURN NULL;
END;
$$;

CREATE TRIGGER track_registered_insert AFTER INSERT ON migrations_schema.migration
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.track_unmatched();
CREATE TRIGGER track_registered_update AFTER UPDATE ON migrations_schema.migration
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.track_unmatched();
CREATE TRIGGER track_registered_delete AFTER DELETE ON migrations_schema.migration
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.track_unmatched();
CREATE TRIGGER track_applied_insert AFTER INSERT ON migrations_schema.applied
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.track_unmatched();
CREATE TRIGGER track_applied_update AFTER UPDATE ON migrations_schema.applied
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.track_unmatched();
CREATE TRIGGER track_applied_delete AFTER DELETE ON migrations_schema.applied
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.track_unmatched();
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered_insert;
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered_update;
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered_delete;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied_insert;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied_update;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied_delete;
ALTER FUNCTION @extschema@.migrate_register(text, text, text, text, text, text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_load_dir(text, text, boolean) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_unregister(text, text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_prune(text[], text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_status(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_baseline(text, text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_repair(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_history(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_schema_fingerprint(text[]) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_schema_hash(text[]) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_accept_drift(text[], text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_schema_description(text[]) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_generate(jsonb, text[], boolean, text[], text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_drift(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.ddl_command_end() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.ddl_sql_drop() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.ddl_command_start() SET search_path = pg_catalog, pg_temp;
-- One runner per project: the lease migrate_run holds instead of an advisory lock.
-- The project's runner: one row per project, written only by the extension. migrate_run
-- takes the lease (its session's pid and start time), holds it across the commits of its run
-- and clears it at the end; a holder that is gone or no longer inside a statement is taken
-- over, so a lease cannot leak. Calls in the caller's transaction lock the row until their
-- transaction ends. A migration can neither release nor take it (no advisory lock is
-- involved). Transient: not dumped.
CREATE TABLE migrations_schema.runner_lease (
    project          text PRIMARY KEY,
    pid              integer,
    backend_start    timestamptz,
    role_name        text,
    application_name text,
    action           text,
    since            timestamptz
);
COMMENT ON TABLE migrations_schema.runner_lease IS
    'Per project, the session running its migrations (migrate_run), if any.';

-- Migrations applied in parts: the committed parts of each, so that a failed run resumes
-- after them; migrate_status shows them (a result column), and migrate_run applies out of
-- order on request (a parameter).
-- A migration that commits more than once (statements around a CREATE INDEX CONCURRENTLY, a
-- DO block that commits its batches) is applied in parts. The parts committed so far, while
-- the migration is not applied: a failed run resumes after them, and never runs one again.
-- committed is the SHA-256 over the committed statements' text, checked against the script
-- when the run resumes.
CREATE TABLE migrations_schema.progress (
    project          text NOT NULL,
    version          text NOT NULL,
    checksum         text NOT NULL,
    parts            integer NOT NULL CHECK (parts > 0),
    total_parts      integer NOT NULL,
    statements       integer NOT NULL CHECK (statements > 0),
    total_statements integer NOT NULL,
    committed        text NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (project, version)
);
COMMENT ON TABLE migrations_schema.progress IS
    'Per partly applied migration, the parts of its up script that committed.';

SELECT pg_catalog.pg_extension_config_dump('migrations_schema.progress', '');

-- Neither a result column nor a parameter can be added in place: both routines are dropped
-- and created anew, and the EXECUTE grants their owner gave are read first and given again,
-- so that no deploy role loses what it could do.
CREATE FUNCTION migrations_schema.upgrade_progress_grants(fn pg_catalog.regprocedure)
RETURNS pg_catalog.text[] LANGUAGE sql AS $$
    SELECT pg_catalog.array_agg(pg_catalog.quote_ident(r.rolname))
    FROM pg_catalog.pg_proc p,
         pg_catalog.aclexplode(p.proacl) a
         JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
    WHERE p.oid OPERATOR(pg_catalog.=) fn AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
      AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
$$;
-- Keyed by the signature each routine has after the update: the grants go back on it.
CREATE TABLE migrations_schema.upgrade_progress_saved (fn text PRIMARY KEY, grantees text[]);
INSERT INTO migrations_schema.upgrade_progress_saved VALUES
    ('@extschema@.migrate_status(text)',
     migrations_schema.upgrade_progress_grants('@extschema@.migrate_status(text)')),
    ('@extschema@.migrate_run(text, text, boolean)',
     migrations_schema.upgrade_progress_grants('@extschema@.migrate_run(text, text)')),
    ('@extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean)',
     migrations_schema.upgrade_progress_grants(
        '@extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean)')),
    ('@extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean)',
     migrations_schema.upgrade_progress_grants(
        '@extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean)'));
DROP FUNCTION @extschema@.migrate_status(text);
DROP PROCEDURE @extschema@.migrate_run(text, text);
-- force: an out-of-order undo that also drops what later migrations made.
DROP FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean);
DROP PROCEDURE @extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean);
CREATE FUNCTION @extschema@.migrate_rollback(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    dry_run boolean DEFAULT false, project text DEFAULT 'default', version text DEFAULT NULL,
    out_of_order boolean DEFAULT false, force boolean DEFAULT false)
RETURNS TABLE (version text, name text, action text, duration_ms double precision,
               statements integer, locks text[], rewritten text[],
               statement_ms double precision[], relation_bytes jsonb, rehearsal text)
AS 'MODULE_PATHNAME', 'migrate_rollback'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean) IS
    'Runs down scripts newest first until target is the newest applied migration, or undoes '
    'exactly one version.';
CREATE PROCEDURE @extschema@.migrate_run_rollback(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    project text DEFAULT 'default', version text DEFAULT NULL,
    out_of_order boolean DEFAULT false, force boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'migrate_run_rollback'
LANGUAGE C;
CREATE FUNCTION @extschema@.migrate_status(project text DEFAULT NULL)
RETURNS TABLE (project text, version text, name text, state text,
               applied_at timestamptz, applied_by text, duration_ms double precision,
               reversible boolean, checksum text, progress text)
AS 'MODULE_PATHNAME', 'migrate_status'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_status(text) IS
    'One row per known migration: pending, failed, partial, applied, baseline, modified or '
    'missing; progress names the committed parts of a partial one.';

CREATE PROCEDURE @extschema@.migrate_run(target text DEFAULT NULL, project text DEFAULT 'default',
    out_of_order boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'migrate_run'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_run(text, text, boolean) IS
    'Applies pending migrations one transaction each, CONCURRENTLY statements through a '
    'background worker, retrying lock timeouts; records a failure and stops there. A '
    'migration applied in parts resumes after the parts that committed.';

REVOKE ALL ON FUNCTION @extschema@.migrate_status(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_run(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean) FROM PUBLIC;
DO $$
DECLARE
    saved record;
BEGIN
    FOR saved IN SELECT fn, pg_catalog.unnest(grantees) AS grantee
                 FROM migrations_schema.upgrade_progress_saved LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO %s', saved.fn, saved.grantee);
    END LOOP;
END
$$;
DROP TABLE migrations_schema.upgrade_progress_saved;
DROP FUNCTION migrations_schema.upgrade_progress_grants(pg_catalog.regprocedure);
-- Expand and contract (history records its starts and aborts): a migration marked "-- migrate:expand-contract" runs in two phases
-- (migrate_start, then migrate_complete or migrate_abort) while an old and a new version of
-- an application use the database. Between the phases its state lives here, written only by
-- the extension: the version schemas, what completion and abort will run (decided at start,
-- while the catalog had the old shape), and each table's backfill progress.
CREATE TABLE migrations_schema.expansion (
    project    text PRIMARY KEY,
    version    text NOT NULL,
    checksum   text NOT NULL,
    old_schema text NOT NULL,
    new_schema text NOT NULL,
    phase      text NOT NULL CHECK (phase IN ('backfilling', 'expanded')),
    started_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    started_by text NOT NULL
);
COMMENT ON TABLE migrations_schema.expansion IS
    'Per project, the expand and contract migration started and not yet completed or aborted.';

CREATE TABLE migrations_schema.expansion_step (
    project   text NOT NULL REFERENCES migrations_schema.expansion ON DELETE CASCADE,
    phase     text NOT NULL CHECK (phase IN ('start', 'complete', 'abort')),
    n         integer NOT NULL,
    stage     text NOT NULL CHECK (stage IN ('before', 'main', 'after')),
    top_level boolean NOT NULL,
    statement integer NOT NULL,
    line      integer NOT NULL,
    sql       text NOT NULL,
    PRIMARY KEY (project, phase, n)
);
COMMENT ON TABLE migrations_schema.expansion_step IS
    'What migrate_start (resumed), migrate_complete and migrate_abort run, in order.';

CREATE TABLE migrations_schema.backfill (
    project     text NOT NULL REFERENCES migrations_schema.expansion ON DELETE CASCADE,
    schema_name text NOT NULL,
    table_name  text NOT NULL,
    key_column  text NOT NULL,
    key_type    text NOT NULL,
    check_sql   text NOT NULL,
    last_key    text,
    rows_done   bigint NOT NULL DEFAULT 0,
    rows_total  bigint,
    done        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (project, schema_name, table_name)
);
COMMENT ON TABLE migrations_schema.backfill IS
    'Per table of a started expand and contract migration, how far its backfill has come.';

SELECT pg_catalog.pg_extension_config_dump('migrations_schema.expansion', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.expansion_step', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.backfill', '');

CREATE PROCEDURE @extschema@.migrate_start(
    project text DEFAULT 'default', batch_size integer DEFAULT 1000, pause_ms integer DEFAULT 0)
AS 'MODULE_PATHNAME', 'migrate_start'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_start(text, integer, integer) IS
    'Expands the next pending expand and contract migration: version schemas of views, sync '
    'triggers, a backfill in batches by the background worker; called again, resumes it.';

CREATE PROCEDURE @extschema@.migrate_complete(project text DEFAULT 'default')
AS 'MODULE_PATHNAME', 'migrate_complete'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_complete(text) IS
    'Contracts the started expand and contract migration: checks the backfill, drops the old '
    'version, applies the constraints and records the migration applied.';

CREATE PROCEDURE @extschema@.migrate_abort(project text DEFAULT 'default')
AS 'MODULE_PATHNAME', 'migrate_abort'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_abort(text) IS
    'Removes what migrate_start added; the migration is pending again.';

CREATE FUNCTION @extschema@.migrate_expansion(project text DEFAULT NULL)
RETURNS TABLE (project text, version text, phase text, old_schema text, new_schema text,
               table_name text, rows_done bigint, rows_total bigint, done boolean)
AS 'MODULE_PATHNAME', 'migrate_expansion'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_expansion(text) IS
    'The started expand and contract migration of each project, with its backfill progress.';

REVOKE ALL ON PROCEDURE @extschema@.migrate_start(text, integer, integer) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_complete(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_abort(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_expansion(text) FROM PUBLIC;
ALTER TABLE migrations_schema.history DROP CONSTRAINT history_action_check;
ALTER TABLE migrations_schema.history ADD CONSTRAINT history_action_check
    CHECK (action IN ('register', 'apply', 'rollback', 'baseline', 'import',
                      'repair', 'failure', 'lint-ignore', 'drift',
                      'unregister', 'rollback-failure',
                      'accept-drift', 'start', 'abort'));
