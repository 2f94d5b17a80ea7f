-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION migrations_schema" to load this file. \quit

-- Every object is created qualified (the functions and view in @extschema@), so nothing a
-- role could have put on the search_path takes part. The search_path is not SET here: a
-- SET in an extension script outlives it in the caller's session.

-- The tracking tables live in a schema of their own, created here without IF NOT EXISTS:
-- an existing schema of that name is someone else's and must not be taken over.
CREATE SCHEMA migrations_schema;
REVOKE ALL ON SCHEMA migrations_schema FROM PUBLIC;

CREATE TABLE migrations_schema.migration (
    project           text NOT NULL CHECK (project <> ''),
    version           text NOT NULL,
    canonical_version text NOT NULL,
    -- byte order of sort_key is the natural version order (2 < 10, 1.9 < 1.10)
    sort_key          text COLLATE "C" NOT NULL,
    name              text NOT NULL CHECK (name <> ''),
    up_sql            text NOT NULL,
    down_sql          text,
    verify_sql        text,
    checksum          text NOT NULL,
    registered_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    registered_by     text NOT NULL,
    PRIMARY KEY (project, version),
    UNIQUE (project, canonical_version)
);
COMMENT ON TABLE migrations_schema.migration IS
    'Registered migrations: one row per project and version, with its up and down scripts.';

CREATE TABLE migrations_schema.applied (
    project     text NOT NULL,
    version     text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    applied_by  text NOT NULL,
    duration_ms double precision NOT NULL,
    statements  integer NOT NULL,
    -- run: by the runner; baseline: declared by migrate_baseline; imported: from another tool
    kind        text NOT NULL DEFAULT 'run' CHECK (kind IN ('run', 'baseline', 'imported')),
    PRIMARY KEY (project, version)
);
COMMENT ON TABLE migrations_schema.applied IS
    'Applied migrations, with the checksum of their scripts as they ran.';

CREATE TABLE migrations_schema.failure (
    project   text NOT NULL,
    version   text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    failed_by text NOT NULL,
    error     text NOT NULL,
    PRIMARY KEY (project, version)
);
COMMENT ON TABLE migrations_schema.failure IS
    'The last failed attempt of each migration that is still pending; cleared by a successful '
    'apply or by migrate_repair().';

CREATE TABLE migrations_schema.history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project          text NOT NULL,
    version          text,
    action           text NOT NULL CONSTRAINT history_action_check
                     CHECK (action IN ('register', 'apply', 'rollback', 'baseline', 'import',
                                       'repair', 'failure', 'lint-ignore', 'drift',
                                       'unregister', 'rollback-failure',
                                       'accept-drift', 'start', 'abort')),
    at               timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    role_name        text NOT NULL,
    application_name text,
    duration_ms      double precision,
    checksum         text,
    old_checksum     text,
    detail           text
);
COMMENT ON TABLE migrations_schema.history IS
    'Append-only log of every change to the migration state, with who, when and how long.';

-- Nothing updates or deletes history, the extension's owner included.
CREATE FUNCTION migrations_schema.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'migration history is append-only'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'History rows are never updated or deleted; they go with the extension.';
END;
$$;
CREATE TRIGGER history_is_append_only
    BEFORE UPDATE OR DELETE ON migrations_schema.history
    FOR EACH ROW EXECUTE FUNCTION migrations_schema.refuse_history_change();
CREATE TRIGGER history_is_not_truncated
    BEFORE TRUNCATE ON migrations_schema.history
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.refuse_history_change();
-- Also under session_replication_role = replica, which otherwise skips ordinary triggers.
ALTER TABLE migrations_schema.history ENABLE ALWAYS TRIGGER history_is_append_only;
ALTER TABLE migrations_schema.history ENABLE ALWAYS TRIGGER history_is_not_truncated;

-- The schema as the runner left it: recorded after every apply, run, rollback and baseline
-- that changed something, so that a change made outside migrations can be found later.
CREATE TABLE migrations_schema.schema_snapshot (
    project     text PRIMARY KEY,
    version     text,              -- the newest applied migration afterwards (NULL: none)
    action      text NOT NULL CHECK (action IN ('apply', 'run', 'rollback', 'baseline')),
    recorded_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    recorded_by text NOT NULL,
    -- migrations_schema.managed_schemas when it was recorded (NULL: every user schema), so
    -- that a later change of the setting is not mistaken for drift
    schemas     jsonb,
    -- NULL once the expected state (expected_object) replaced the whole-schema fingerprint
    schema_hash text,
    fingerprint jsonb,
    -- a digest of the catalog's rows when the fingerprint was taken: while the live catalog
    -- has the same digest, the schema has not changed (NULL: compare fingerprints)
    catalog_marker text
);
COMMENT ON TABLE migrations_schema.schema_snapshot IS
    'migrate_schema_fingerprint() as the last runner action of each project left it.';

-- Every DDL command run outside the runner, written by the event triggers below. It is not
-- dumped: it is this database's log, and a restored database starts a log of its own.
CREATE TABLE migrations_schema.drift_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    role_name        text NOT NULL,
    application_name text,
    command_tag      text NOT NULL,
    object_type      text,
    object_identity  text,
    schema_name      text,
    statement        text
);
COMMENT ON TABLE migrations_schema.drift_log IS
    'DDL run outside migrations (who, when, what), as the event triggers saw it.';

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

-- pg_dump keeps the migration state along with the schema it describes.
-- How many registered migrations of each project are not applied as registered (no applied
-- row of that version, or one with another checksum): kept by the triggers below in the
-- transactions that change the registry, so that the call with nothing to do, paid at every
-- application start, reads one row instead of comparing every migration. Derived data: it is
-- not dumped, a restore's inserts rebuild it, and a project without a row is answered by the
-- full comparison.
CREATE TABLE migrations_schema.project_state (
    project   text PRIMARY KEY,
    unmatched bigint NOT NULL CHECK (unmatched >= 0)
);
COMMENT ON TABLE migrations_schema.project_state IS
    'Per project, how many registered migrations are not applied as registered (triggers keep it).';

-- The count from scratch, for a project that has no row yet and after a TRUNCATE.
CREATE FUNCTION migrations_schema.count_unmatched() RETURNS TABLE (project text, unmatched bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.project, pg_catalog.count(*) FILTER (WHERE NOT EXISTS (
               SELECT FROM migrations_schema.applied a
               WHERE a.project OPERATOR(pg_catalog.=) m.project
                 AND a.version OPERATOR(pg_catalog.=) m.version
                 AND a.checksum OPERATOR(pg_catalog.=) m.checksum))
    FROM migrations_schema.migration m GROUP BY m.project;
$$;

-- Called by the row triggers after the change: a project without a row yet (new, or
-- restored without triggers) gets its count computed whole, which includes the change.
CREATE FUNCTION migrations_schema.adjust_project_state(p text, delta bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE migrations_schema.project_state
    SET unmatched = unmatched OPERATOR(pg_catalog.+) delta
    WHERE project OPERATOR(pg_catalog.=) p;
    IF NOT FOUND THEN
        INSERT INTO migrations_schema.project_state (project, unmatched)
        SELECT c.project, c.unmatched FROM migrations_schema.count_unmatched() c
        WHERE c.project OPERATOR(pg_catalog.=) p
        ON CONFLICT (project) DO NOTHING;
    END IF;
END;
$$;

CREATE FUNCTION migrations_schema.recompute_project_state() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM migrations_schema.project_state;
    INSERT INTO migrations_schema.project_state (project, unmatched)
    SELECT c.project, c.unmatched FROM migrations_schema.count_unmatched() c;
    RETURN NULL;
END;
$$;

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
CREATE TRIGGER recompute_after_truncate AFTER TRUNCATE ON migrations_schema.migration
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.recompute_project_state();
CREATE TRIGGER recompute_after_truncate AFTER TRUNCATE ON migrations_schema.applied
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.recompute_project_state();
-- Also under session_replication_role = replica: the count must never miss a change.
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered_insert;
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered_update;
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered_delete;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied_insert;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied_update;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied_delete;
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER recompute_after_truncate;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER recompute_after_truncate;

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

SELECT pg_catalog.pg_extension_config_dump('migrations_schema.migration', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.applied', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.failure', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.history', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.schema_snapshot', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.progress', '');

-- The functions are not STRICT: a NULL argument is answered with a clear error.
-- Each function pins search_path = pg_catalog, pg_temp for its own queries: every internal
-- query of the library runs so (spi_query), and the functions below that never run a user's
-- script nor resolve a name a script wrote carry it in their definition as well. Those that do
-- (apply, rollback, run, verify, test, lint, validate, import, rollback_plan) keep the
-- caller's search_path, which the user's statements are written for; a SET here would also
-- forbid the procedures' COMMIT.
CREATE FUNCTION @extschema@.migrate_register(
    version text, name text, up_sql text, down_sql text DEFAULT NULL,
    project text DEFAULT 'default', verify_sql text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_register'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_register(text, text, text, text, text, text) IS
    'Registers a migration; returns registered, updated or unchanged.';

CREATE FUNCTION @extschema@.migrate_load_dir(
    path text, project text DEFAULT 'default', prune boolean DEFAULT false)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_load_dir'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_load_dir(text, text, boolean) IS
    'Registers every migration of a server-side folder; returns how many were new or changed. '
    'With prune, unregisters the pending migrations the folder no longer has.';

CREATE FUNCTION @extschema@.migrate_unregister(version text, project text DEFAULT 'default')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_unregister'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_unregister(text, text) IS
    'Forgets a pending or failed migration (never an applied one); returns unregistered.';

CREATE FUNCTION @extschema@.migrate_prune(keep text[], project text DEFAULT 'default')
RETURNS TABLE (version text, name text)
AS 'MODULE_PATHNAME', 'migrate_prune'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_prune(text[], text) IS
    'Unregisters every pending or failed migration whose version is not in keep (a folder''s '
    'versions); returns them.';

CREATE FUNCTION @extschema@.migrate_apply(
    target text DEFAULT NULL, dry_run boolean DEFAULT false, project text DEFAULT 'default',
    out_of_order boolean DEFAULT false)
RETURNS TABLE (version text, name text, action text, duration_ms double precision,
               statements integer, locks text[], rewritten text[],
               statement_ms double precision[], relation_bytes jsonb, rehearsal text)
AS 'MODULE_PATHNAME', 'migrate_apply'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_apply(text, boolean, text, boolean) IS
    'Applies pending migrations up to target in the calling transaction, all or nothing.';

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

CREATE FUNCTION @extschema@.migrate_rollback_plan(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    project text DEFAULT 'default', version text DEFAULT NULL,
    out_of_order boolean DEFAULT false)
RETURNS TABLE (version text, name text, statements integer, top_level integer,
               destructive text[])
AS 'MODULE_PATHNAME', 'migrate_rollback_plan'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_rollback_plan(text, integer, boolean, text, text, boolean) IS
    'What a rollback would run, newest first, with the statements of each down script that '
    'drop data. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_status(project text DEFAULT NULL)
RETURNS TABLE (project text, version text, name text, state text,
               applied_at timestamptz, applied_by text, duration_ms double precision,
               reversible boolean, checksum text, progress text)
AS 'MODULE_PATHNAME', 'migrate_status'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_status(text) IS
    'One row per known migration: pending, failed, partial, applied, baseline, modified or '
    'missing; progress names the committed parts of a partial one.';

CREATE FUNCTION @extschema@.migrate_baseline(version text, project text DEFAULT 'default')
RETURNS TABLE (version text, name text)
AS 'MODULE_PATHNAME', 'migrate_baseline'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_baseline(text, text) IS
    'Marks every registered migration up to version as applied (baseline) without running it.';

CREATE FUNCTION @extschema@.migrate_import(
    source text, project text DEFAULT 'default', source_schema text DEFAULT NULL)
RETURNS TABLE (version text, name text, source_ref text, result text)
AS 'MODULE_PATHNAME', 'migrate_import'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_import(text, text, text) IS
    'Marks migrations applied that another tool''s tracking table records as applied.';

CREATE FUNCTION @extschema@.migrate_validate(project text DEFAULT NULL)
RETURNS TABLE (severity text, project text, version text, problem text, detail text,
               hint text)
AS 'MODULE_PATHNAME', 'migrate_validate'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_validate(text) IS
    'One row per problem; no rows means healthy. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_repair(project text DEFAULT 'default')
RETURNS TABLE (version text, action text, detail text)
AS 'MODULE_PATHNAME', 'migrate_repair'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_repair(text) IS
    'Re-records checksums of modified migrations and clears failed attempts.';

CREATE FUNCTION @extschema@.migrate_history(project text DEFAULT NULL)
RETURNS TABLE (id bigint, project text, version text, action text, at timestamptz,
               role_name text, application_name text, duration_ms double precision,
               checksum text, old_checksum text, detail text)
AS 'MODULE_PATHNAME', 'migrate_history'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_history(text) IS
    'The append-only log of every change to the migration state, oldest first.';

CREATE VIEW @extschema@.migration_history AS SELECT * FROM @extschema@.migrate_history();
COMMENT ON VIEW @extschema@.migration_history IS 'migrate_history() of every project.';

CREATE FUNCTION @extschema@.migrate_verify(project text DEFAULT 'default')
RETURNS TABLE (version text, name text, result text, detail text)
AS 'MODULE_PATHNAME', 'migrate_verify'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_verify(text) IS
    'Runs the verify script of every applied migration again, changing nothing.';

CREATE PROCEDURE @extschema@.migrate_run(target text DEFAULT NULL, project text DEFAULT 'default',
    out_of_order boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'migrate_run'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_run(text, text, boolean) IS
    'Applies pending migrations one transaction each, CONCURRENTLY statements through a '
    'background worker, retrying lock timeouts; records a failure and stops there. A '
    'migration applied in parts resumes after the parts that committed.';

CREATE PROCEDURE @extschema@.migrate_run_rollback(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    project text DEFAULT 'default', version text DEFAULT NULL,
    out_of_order boolean DEFAULT false, force boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'migrate_run_rollback'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean) IS
    'Runs down scripts newest first, one transaction each, DROP INDEX CONCURRENTLY and other '
    'top-level statements through a background worker, retrying lock timeouts; records a '
    'failure and stops there.';

CREATE FUNCTION @extschema@.migrate_lint(sql text)
RETURNS TABLE (statement integer, line integer, rule text, severity text, lock_mode text,
               relation text, relation_bytes bigint, row_estimate double precision,
               message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_lint(text) IS
    'Per-statement findings about locks, rewrites and run-time failures of a script, from the '
    'server''s parser and the live catalog. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_lint_pending(project text DEFAULT 'default')
RETURNS TABLE (version text, statement integer, line integer, rule text, severity text,
               lock_mode text, relation text, relation_bytes bigint,
               row_estimate double precision, message text, hint text)
AS 'MODULE_PATHNAME', 'migrate_lint_pending'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_lint_pending(text) IS
    'migrate_lint() of every pending migration''s up script, in version order.';

CREATE FUNCTION @extschema@.migrate_schema_fingerprint(schemas text[] DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'migrate_schema_fingerprint'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_schema_fingerprint(text[]) IS
    'A canonical, order-independent description of the user schemas (or of the schemas '
    'named): {kind: {object: {attribute: value}}}. The extension''s own schema is left out.';

CREATE FUNCTION @extschema@.migrate_schema_hash(schemas text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_schema_hash'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_schema_hash(text[]) IS
    'SHA-256 (hex) of migrate_schema_fingerprint(): equal for equal schemas, whatever order '
    'their objects were created in.';

CREATE FUNCTION @extschema@.migrate_schema_description(schemas text[] DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'migrate_schema_description'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_schema_description(text[]) IS
    'migrate_schema_fingerprint() with what generating a migration needs besides: the '
    'dependencies between its objects (pg_depend), column positions, and the objects that '
    'come with another one. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_generate(
    desired jsonb, schemas text[] DEFAULT NULL, online boolean DEFAULT true,
    renames text[] DEFAULT NULL, source text DEFAULT NULL)
RETURNS TABLE (up text, down text, hazards text[], not_generated text[])
AS 'MODULE_PATHNAME', 'migrate_generate'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_generate(jsonb, text[], boolean, text[], text) IS
    'The up and down scripts that turn the live schema into the desired one (a '
    'migrate_schema_description() or migrate_schema_fingerprint() of another database) and '
    'back, online-safe unless online is false, with their hazards named. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_test(project text DEFAULT 'default', target text DEFAULT NULL)
RETURNS TABLE (version text, name text, reversible text, detail text, differences jsonb)
AS 'MODULE_PATHNAME', 'migrate_test'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_test(text, text) IS
    'Round trip of every pending migration (up, down, up again) compared by schema '
    'fingerprint, in a subtransaction that is always rolled back. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_drift(project text DEFAULT NULL)
RETURNS TABLE (source text, change text, object_type text, object text, detail text,
               at timestamptz, role_name text)
AS 'MODULE_PATHNAME', 'migrate_drift'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_drift(text) IS
    'What changed in the schema since the runner last recorded it (source schema), and the '
    'DDL run outside migrations since then (source ddl). Changes nothing.';

CREATE FUNCTION @extschema@.migrate_accept_drift(objects text[], project text DEFAULT 'default')
RETURNS TABLE (change text, object_type text, object text)
AS 'MODULE_PATHNAME', 'migrate_accept_drift'
LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.migrate_accept_drift(text[], text) IS
    'Takes the live form of the named drifted objects (''kind identity'') into the expected '
    'state; logged to history as accept-drift, with who and when.';
REVOKE ALL ON FUNCTION @extschema@.migrate_accept_drift(text[], text) FROM PUBLIC;

-- The event triggers log DDL run outside the runner and, with migrations_schema.ddl_guard,
-- warn about it or refuse it. They do nothing for the runner, for extension scripts and for
-- temporary objects.
CREATE FUNCTION migrations_schema.ddl_command_end() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_ddl_command_end'
LANGUAGE C SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION migrations_schema.ddl_sql_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_ddl_sql_drop'
LANGUAGE C SET search_path = pg_catalog, pg_temp;
CREATE EVENT TRIGGER migrations_schema_ddl_command_end ON ddl_command_end
    EXECUTE FUNCTION migrations_schema.ddl_command_end();
CREATE EVENT TRIGGER migrations_schema_sql_drop ON sql_drop
    EXECUTE FUNCTION migrations_schema.ddl_sql_drop();
-- Also under session_replication_role = replica: DDL then is still DDL outside migrations,
-- and a migration's DDL must still not reach the extension's objects.
ALTER EVENT TRIGGER migrations_schema_ddl_command_end ENABLE ALWAYS;
ALTER EVENT TRIGGER migrations_schema_sql_drop ENABLE ALWAYS;
-- With migrations_schema.ddl_guard = error, the statements that commit as they go
-- (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY) are
-- refused before they start: refused when they end, they would leave an INVALID index behind.
CREATE FUNCTION migrations_schema.ddl_command_start() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_ddl_command_start'
LANGUAGE C SET search_path = pg_catalog, pg_temp;
CREATE EVENT TRIGGER migrations_schema_ddl_command_start ON ddl_command_start
    WHEN TAG IN ('CREATE INDEX', 'DROP INDEX', 'ALTER TABLE')
    EXECUTE FUNCTION migrations_schema.ddl_command_start();
ALTER EVENT TRIGGER migrations_schema_ddl_command_start ENABLE ALWAYS;

-- The owner decides who may migrate this database.
REVOKE ALL ON FUNCTION @extschema@.migrate_register(text, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_load_dir(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_unregister(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_prune(text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_apply(text, boolean, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_baseline(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_import(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_validate(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_repair(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_history(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_verify(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_run(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean) FROM PUBLIC;
REVOKE ALL ON @extschema@.migration_history FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_rollback_plan(text, integer, boolean, text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_status(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_lint(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_lint_pending(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_schema_fingerprint(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_schema_hash(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_test(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_schema_description(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_generate(jsonb, text[], boolean, text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_drift(text) FROM PUBLIC;

-- Expand and contract: a migration marked "-- migrate:expand-contract" runs in two phases
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
