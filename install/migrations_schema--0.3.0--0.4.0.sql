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
        '@extschema@.migrate_run_rollback(pg_catalog.text, pg_catalog.int4, pg_catalog.bool, pg_catalog.text, pg_catalog.text, pg_catalog.bool)',
        '@extschema@.migrate_lint(pg_catalog.text)',
        '@extschema@.migrate_lint_pending(pg_catalog.text)',
        '@extschema@.migrate_schema_fingerprint(pg_catalog.text[])',
        '@extschema@.migrate_schema_hash(pg_catalog.text[])',
        '@extschema@.migrate_schema_description(pg_catalog.text[])',
        '@extschema@.migrate_generate(pg_catalog.jsonb, pg_catalog.text[], pg_catalog.bool, pg_catalog.text[], pg_catalog.text)',
        '@extschema@.migrate_test(pg_catalog.text, pg_catalog.text)',
        '@extschema@.migrate_drift(pg_catalog.text)'
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
CREATE OR REPLACE FUNCTION migrations_schema.track_registered() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) ANY (ARRAY['UPDATE', 'DELETE']) AND NOT EXISTS (
            SELECT FROM migrations_schema.applied a
            WHERE a.project OPERATOR(pg_catalog.=) OLD.project
              AND a.version OPERATOR(pg_catalog.=) OLD.version
              AND a.checksum OPERATOR(pg_catalog.=) OLD.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(OLD.project, -1);
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE']) AND NOT EXISTS (
            SELECT FROM migrations_schema.applied a
            WHERE a.project OPERATOR(pg_catalog.=) NEW.project
              AND a.version OPERATOR(pg_catalog.=) NEW.version
              AND a.checksum OPERATOR(pg_catalog.=) NEW.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(NEW.project, 1);
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION migrations_schema.track_applied() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) ANY (ARRAY['UPDATE', 'DELETE']) AND EXISTS (
            SELECT FROM migrations_schema.migration m
            WHERE m.project OPERATOR(pg_catalog.=) OLD.project
              AND m.version OPERATOR(pg_catalog.=) OLD.version
              AND m.checksum OPERATOR(pg_catalog.=) OLD.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(OLD.project, 1);
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE']) AND EXISTS (
            SELECT FROM migrations_schema.migration m
            WHERE m.project OPERATOR(pg_catalog.=) NEW.project
              AND m.version OPERATOR(pg_catalog.=) NEW.version
              AND m.checksum OPERATOR(pg_catalog.=) NEW.checksum) THEN
        PERFORM migrations_schema.adjust_project_state(NEW.project, -1);
    END IF;
    RETURN NULL;
END;
$$;
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
ALTER FUNCTION @extschema@.migrate_schema_description(text[]) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_generate(jsonb, text[], boolean, text[], text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION @extschema@.migrate_drift(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.ddl_command_end() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.ddl_sql_drop() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION migrations_schema.ddl_command_start() SET search_path = pg_catalog, pg_temp;
