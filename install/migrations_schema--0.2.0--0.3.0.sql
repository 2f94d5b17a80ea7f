-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION migrations_schema UPDATE TO '0.3.0'" to load this file. \quit

-- A routine that another role created in this schema with the name and arguments of one
-- this version adds would stop the update with "already exists" and no more: name it, and
-- who owns it, before anything changes. (An ALTER EXTENSION that fails changes nothing.)
DO $clash$
DECLARE
    wanted pg_catalog.text;
    found pg_catalog.regprocedure;
BEGIN
    FOREACH wanted IN ARRAY ARRAY[
        '@extschema@.migrate_load_dir(pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_unregister(pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_prune(pg_catalog.text[], pg_catalog.text)',
        '@extschema@.migrate_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_rollback_plan(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_run_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_schema_description(pg_catalog.text[])',
        '@extschema@.migrate_generate(pg_catalog.jsonb, pg_catalog.text[], pg_catalog.bool, pg_catalog.text[], pg_catalog.text)'
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
                      DETAIL = 'migrations_schema 0.3.0 creates a function of that name and arguments in this schema.',
                      HINT = 'Drop or rename that function, or move it to another schema, then run ALTER EXTENSION migrations_schema UPDATE again.';
        END IF;
    END LOOP;
END
$clash$;

-- History records unregistered migrations and failed rollbacks of the production runner.
ALTER TABLE migrations_schema.history DROP CONSTRAINT history_action_check;
ALTER TABLE migrations_schema.history ADD CONSTRAINT history_action_check
    CHECK (action IN ('register', 'apply', 'rollback', 'baseline', 'import', 'repair',
                      'failure', 'lint-ignore', 'drift', 'unregister', 'rollback-failure'));

-- A digest of the catalog's rows when the fingerprint was taken: while the live catalog has
-- the same digest the schema has not changed, and a run skips the fingerprint it would take
-- to look for drift. Snapshots recorded before have none and are compared as before.
ALTER TABLE migrations_schema.schema_snapshot ADD COLUMN catalog_marker text;

-- migrate_rollback and migrate_load_dir gain parameters, migrate_apply and migrate_rollback
-- result columns (the sizes of the relations a dry run locked, and what a rehearsal
-- changed). Neither can be changed in place, so each function is dropped and created anew;
-- the EXECUTE grants its owner gave are read first and given again, so that no deploy role
-- loses what it could do.
CREATE FUNCTION migrations_schema.upgrade_saved_grants(fn pg_catalog.regprocedure)
RETURNS pg_catalog.text[] LANGUAGE sql AS $$
    SELECT pg_catalog.array_agg(pg_catalog.quote_ident(r.rolname))
    FROM pg_catalog.pg_proc p,
         pg_catalog.aclexplode(p.proacl) a
         JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
    WHERE p.oid OPERATOR(pg_catalog.=) fn AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
      AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
$$;
CREATE TABLE migrations_schema.upgrade_grants (fn text PRIMARY KEY, grantees text[]);
INSERT INTO migrations_schema.upgrade_grants VALUES
    ('rollback', migrations_schema.upgrade_saved_grants(
        '@extschema@.migrate_rollback(text, integer, boolean, boolean, text)')),
    ('load_dir', migrations_schema.upgrade_saved_grants('@extschema@.migrate_load_dir(text, text)')),
    ('apply', migrations_schema.upgrade_saved_grants(
        '@extschema@.migrate_apply(text, boolean, text, boolean)'));

DROP FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text);
DROP FUNCTION @extschema@.migrate_load_dir(text, text);
DROP FUNCTION @extschema@.migrate_apply(text, boolean, text, boolean);

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

CREATE FUNCTION @extschema@.migrate_load_dir(
    path text, project text DEFAULT 'default', prune boolean DEFAULT false)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_load_dir'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_load_dir(text, text, boolean) IS
    'Registers every migration of a server-side folder; returns how many were new or changed. '
    'With prune, unregisters the pending migrations the folder no longer has.';

CREATE FUNCTION @extschema@.migrate_rollback(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    dry_run boolean DEFAULT false, project text DEFAULT 'default', version text DEFAULT NULL,
    out_of_order boolean DEFAULT false)
RETURNS TABLE (version text, name text, action text, duration_ms double precision,
               statements integer, locks text[], rewritten text[],
               statement_ms double precision[], relation_bytes jsonb, rehearsal text)
AS 'MODULE_PATHNAME', 'migrate_rollback'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean) IS
    'Runs down scripts newest first until target is the newest applied migration, or undoes '
    'exactly one version.';

REVOKE ALL ON FUNCTION @extschema@.migrate_load_dir(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_apply(text, boolean, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_rollback(text, integer, boolean, boolean, text, text, boolean) FROM PUBLIC;

DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN SELECT pg_catalog.unnest(grantees) FROM migrations_schema.upgrade_grants
                   WHERE fn OPERATOR(pg_catalog.=) 'rollback' LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.migrate_rollback('
            'text, integer, boolean, boolean, text, text, boolean) TO %s', grantee);
    END LOOP;
    FOR grantee IN SELECT pg_catalog.unnest(grantees) FROM migrations_schema.upgrade_grants
                   WHERE fn OPERATOR(pg_catalog.=) 'load_dir' LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.migrate_load_dir('
            'text, text, boolean) TO %s', grantee);
    END LOOP;
    FOR grantee IN SELECT pg_catalog.unnest(grantees) FROM migrations_schema.upgrade_grants
                   WHERE fn OPERATOR(pg_catalog.=) 'apply' LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.migrate_apply('
            'text, boolean, text, boolean) TO %s', grantee);
    END LOOP;
END
$$;
DROP TABLE migrations_schema.upgrade_grants;
DROP FUNCTION migrations_schema.upgrade_saved_grants(pg_catalog.regprocedure);

CREATE FUNCTION @extschema@.migrate_unregister(version text, project text DEFAULT 'default')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_unregister'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_unregister(text, text) IS
    'Forgets a pending or failed migration (never an applied one); returns unregistered.';

CREATE FUNCTION @extschema@.migrate_prune(keep text[], project text DEFAULT 'default')
RETURNS TABLE (version text, name text)
AS 'MODULE_PATHNAME', 'migrate_prune'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_prune(text[], text) IS
    'Unregisters every pending or failed migration whose version is not in keep (a folder''s '
    'versions); returns them.';

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

CREATE PROCEDURE @extschema@.migrate_run_rollback(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    project text DEFAULT 'default', version text DEFAULT NULL,
    out_of_order boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'migrate_run_rollback'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean) IS
    'Runs down scripts newest first, one transaction each, DROP INDEX CONCURRENTLY and other '
    'top-level statements through a background worker, retrying lock timeouts; records a '
    'failure and stops there.';

REVOKE ALL ON FUNCTION @extschema@.migrate_unregister(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_prune(text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_rollback_plan(text, integer, boolean, text, text, boolean) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_run_rollback(text, integer, boolean, text, text, boolean) FROM PUBLIC;

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
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT m.project, count(*) FILTER (WHERE NOT EXISTS (
               SELECT FROM migrations_schema.applied a
               WHERE a.project OPERATOR(pg_catalog.=) m.project
                 AND a.version OPERATOR(pg_catalog.=) m.version
                 AND a.checksum OPERATOR(pg_catalog.=) m.checksum))
    FROM migrations_schema.migration m GROUP BY m.project;
$$;

-- Called by the row triggers after the change: a project without a row yet (new, or
-- restored without triggers) gets its count computed whole, which includes the change.
CREATE FUNCTION migrations_schema.adjust_project_state(p text, delta bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
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
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM migrations_schema.project_state;
    INSERT INTO migrations_schema.project_state (project, unmatched)
    SELECT c.project, c.unmatched FROM migrations_schema.count_unmatched() c;
    RETURN NULL;
END;
$$;

-- A registered migration counts as unmatched unless an applied row has its version and
-- checksum; an applied row matches the registered migration of its version and checksum.
CREATE FUNCTION migrations_schema.track_registered() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT EXISTS (
            SELECT FROM migrations_schema.applied a
            WHERE a.project OPERATOR(pg_catalog.=) OLD.project
              AND a.version OPERATOR(pg_catalog.=) OLD.version
              AND a.checksum OPERATOR(pg_catalog.=) OLD.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(OLD.project, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT EXISTS (
            SELECT FROM migrations_schema.applied a
            WHERE a.project OPERATOR(pg_catalog.=) NEW.project
              AND a.version OPERATOR(pg_catalog.=) NEW.version
              AND a.checksum OPERATOR(pg_catalog.=) NEW.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(NEW.project, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION migrations_schema.track_applied() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
            SELECT FROM migrations_schema.migration m
            WHERE m.project OPERATOR(pg_catalog.=) OLD.project
              AND m.version OPERATOR(pg_catalog.=) OLD.version
              AND m.checksum OPERATOR(pg_catalog.=) OLD.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(OLD.project, 1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
            SELECT FROM migrations_schema.migration m
            WHERE m.project OPERATOR(pg_catalog.=) NEW.project
              AND m.version OPERATOR(pg_catalog.=) NEW.version
              AND m.checksum OPERATOR(pg_catalog.=) NEW.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(NEW.project, -1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER track_registered AFTER INSERT OR UPDATE OR DELETE ON migrations_schema.migration
    FOR EACH ROW EXECUTE FUNCTION migrations_schema.track_registered();
CREATE TRIGGER track_applied AFTER INSERT OR UPDATE OR DELETE ON migrations_schema.applied
    FOR EACH ROW EXECUTE FUNCTION migrations_schema.track_applied();
CREATE TRIGGER recompute_after_truncate AFTER TRUNCATE ON migrations_schema.migration
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.recompute_project_state();
CREATE TRIGGER recompute_after_truncate AFTER TRUNCATE ON migrations_schema.applied
    FOR EACH STATEMENT EXECUTE FUNCTION migrations_schema.recompute_project_state();
-- Also under session_replication_role = replica: the count must never miss a change.
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER track_registered;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER track_applied;
ALTER TABLE migrations_schema.migration ENABLE ALWAYS TRIGGER recompute_after_truncate;
ALTER TABLE migrations_schema.applied ENABLE ALWAYS TRIGGER recompute_after_truncate;

-- The count for what is registered already.
INSERT INTO migrations_schema.project_state (project, unmatched)
SELECT c.project, c.unmatched FROM migrations_schema.count_unmatched() c;

CREATE FUNCTION @extschema@.migrate_schema_description(schemas text[] DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'migrate_schema_description'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_schema_description(text[]) IS
    'migrate_schema_fingerprint() with what generating a migration needs besides: the '
    'dependencies between its objects (pg_depend), column positions, and the objects that '
    'come with another one. Changes nothing.';

CREATE FUNCTION @extschema@.migrate_generate(
    desired jsonb, schemas text[] DEFAULT NULL, online boolean DEFAULT true,
    renames text[] DEFAULT NULL, source text DEFAULT NULL)
RETURNS TABLE (up text, down text, hazards text[], not_generated text[])
AS 'MODULE_PATHNAME', 'migrate_generate'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_generate(jsonb, text[], boolean, text[], text) IS
    'The up and down scripts that turn the live schema into the desired one (a '
    'migrate_schema_description() or migrate_schema_fingerprint() of another database) and '
    'back, online-safe unless online is false, with their hazards named. Changes nothing.';

REVOKE ALL ON FUNCTION @extschema@.migrate_schema_description(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_generate(jsonb, text[], boolean, text[], text) FROM PUBLIC;
