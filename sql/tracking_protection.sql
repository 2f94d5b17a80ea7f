-- A migration may not reach the extension's own objects, whatever the statement and
-- whichever way it runs (in the caller's transaction, or at top level in the background
-- worker), even as a superuser and under session_replication_role = replica. Each attempt
-- fails with 42501, leaves its migration pending, and the tracking objects are unchanged.
CALL regress.reset();
SET client_min_messages = warning;
CREATE FUNCTION public.tp_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

-- Everything about the tracking objects an attempt could change, as one text.
CREATE FUNCTION regress.tracking_objects() RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(E'\n',
        (SELECT string_agg(relname || ' ' || coalesce(relacl::text, '') || ' ' || relrowsecurity
                           || ' ' || coalesce(obj_description(oid, 'pg_class'), ''), ', ' ORDER BY relname)
         FROM pg_class WHERE relnamespace = 'migrations_schema'::regnamespace),
        (SELECT coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'migrations_schema'),
        (SELECT string_agg(tgname || ' ' || tgenabled::text, ', ' ORDER BY tgname) FROM pg_trigger
         WHERE tgrelid::regclass::text LIKE 'migrations_schema.%'),
        (SELECT count(*) FROM pg_policy WHERE polrelid::regclass::text LIKE 'migrations_schema.%'),
        (SELECT count(*) FROM pg_rewrite WHERE ev_class::regclass::text LIKE 'migrations_schema.%'),
        (SELECT string_agg(proname, ', ' ORDER BY proname) FROM pg_proc
         WHERE pronamespace = 'migrations_schema'::regnamespace),
        (SELECT count(*) FROM pg_default_acl WHERE defaclnamespace = 'migrations_schema'::regnamespace),
        (SELECT coalesce(proacl::text, '') FROM pg_proc WHERE oid = 'migrate_status(text)'::regprocedure),
        (SELECT count(*) FROM pg_extension WHERE extname = 'migrations_schema'))
$$;
CREATE TABLE regress.tp_before AS SELECT regress.tracking_objects() AS objects;

-- Registers one attempt as the only migration of its project and applies it.
CREATE FUNCTION regress.attempt(p text, sql text, runner text DEFAULT 'apply') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM migrate_register('1', p, sql, NULL, p);
    IF runner = 'apply' THEN
        RETURN regress.try(format('SELECT * FROM migrate_apply(project => %L)', p));
    END IF;
    RETURN 'registered';
END $$;

SELECT p, regress.attempt(p, sql) AS result FROM (VALUES
    ('grant table',   'GRANT SELECT ON migrations_schema.applied TO PUBLIC'),
    ('grant schema',  'GRANT USAGE ON SCHEMA migrations_schema TO PUBLIC'),
    ('grant all in',  'GRANT ALL ON ALL TABLES IN SCHEMA migrations_schema TO PUBLIC'),
    ('revoke func',   'REVOKE ALL ON FUNCTION public.migrate_status(text) FROM postgres'),
    ('trigger',       'CREATE TRIGGER tp BEFORE INSERT ON migrations_schema.history FOR EACH ROW EXECUTE FUNCTION public.tp_noop()'),
    ('disable',       'ALTER TABLE migrations_schema.history DISABLE TRIGGER history_is_append_only'),
    ('function',      'CREATE FUNCTION migrations_schema.tp() RETURNS int LANGUAGE sql AS ''SELECT 1'''),
    ('rls',           'ALTER TABLE migrations_schema.applied ENABLE ROW LEVEL SECURITY'),
    ('policy',        'CREATE POLICY tp ON migrations_schema.applied USING (false)'),
    ('comment',       'COMMENT ON TABLE migrations_schema.applied IS ''mine'''),
    ('lock',          'LOCK TABLE migrations_schema.applied'),
    ('default privs', 'ALTER DEFAULT PRIVILEGES IN SCHEMA migrations_schema GRANT SELECT ON TABLES TO PUBLIC'),
    ('rule',          'CREATE RULE tp AS ON INSERT TO migrations_schema.history DO INSTEAD NOTHING'),
    ('replica',       'SET session_replication_role = replica; ALTER TABLE migrations_schema.history DISABLE TRIGGER history_is_append_only'),
    ('replica delete','SET session_replication_role = replica; DELETE FROM migrations_schema.history')
) AS attempts (p, sql) ORDER BY p;

-- The same through the background worker, which runs at top level.
SELECT regress.attempt('worker ' || p, E'-- migrate:no-transaction\n' || sql, 'run') FROM (VALUES
    ('grant',   'GRANT SELECT ON migrations_schema.applied TO PUBLIC'),
    ('disable', 'ALTER TABLE migrations_schema.history DISABLE TRIGGER history_is_append_only'),
    ('update',  'UPDATE migrations_schema.applied SET checksum = ''x'''),
    ('drop',    'DROP EXTENSION migrations_schema CASCADE')
) AS attempts (p, sql);
\set VERBOSITY terse
CALL migrate_run(project => 'worker grant');
CALL migrate_run(project => 'worker disable');
CALL migrate_run(project => 'worker update');
CALL migrate_run(project => 'worker drop');
\set VERBOSITY default

SELECT count(*) FILTER (WHERE state = 'applied') AS applied, count(*) AS attempts
FROM migrate_status();
SELECT regress.tracking_objects() = objects AS tracking_objects_unchanged FROM regress.tp_before;

-- TRUNCATE of every tracking table, each filled first: refused by the protection hook
-- (42501), whatever triggers the table has; nothing is erased. The list is the schema's.
SELECT migrate_register('1', 'fails', 'SELECT 1 / 0;', NULL, 'tp filled');
\set VERBOSITY terse
CALL migrate_run(project => 'tp filled');
-- A migration partly applied: its first two parts committed, the third failed.
SELECT migrate_register('1', 'parts', 'CREATE TABLE public.tp_part (id int);
CREATE INDEX CONCURRENTLY tp_part_idx ON public.tp_part (id);
SELECT 1 / 0;', NULL, 'tp partial');
CALL migrate_run(project => 'tp partial');
\set VERBOSITY default
SELECT migrate_register('1', 'table', 'CREATE TABLE public.tp_truncate_marker (id int);',
    'DROP TABLE public.tp_truncate_marker;', 'tp applied');
SELECT count(*) FROM migrate_apply(project => 'tp applied');
CREATE TABLE public.tp_by_hand (id int);
DROP TABLE public.tp_by_hand;
CREATE FUNCTION pg_temp.tracking_rows() RETURNS TABLE (relname name, n bigint)
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c
             WHERE c.relnamespace = 'migrations_schema'::regnamespace AND c.relkind = 'r'
             ORDER BY 1 LOOP
        relname := r.relname;
        EXECUTE format('SELECT count(*) FROM migrations_schema.%I', r.relname) INTO n;
        RETURN NEXT;
    END LOOP;
END $$;
CREATE TEMP TABLE tp_rows_before AS SELECT * FROM pg_temp.tracking_rows();
SELECT relname, n > 0 AS filled FROM tp_rows_before ORDER BY relname;
SELECT t.relname, split_part(regress.attempt('truncate ' || t.relname,
           format('TRUNCATE migrations_schema.%I', t.relname)), ':', 1) AS sqlstate
FROM tp_rows_before t ORDER BY t.relname;
SELECT count(*) FILTER (WHERE state = 'applied') AS truncations_applied
FROM migrate_status() WHERE project LIKE 'truncate %';
SELECT b.relname FROM tp_rows_before b JOIN pg_temp.tracking_rows() a USING (relname)
WHERE a.n < b.n;
SELECT to_regclass('public.tp_truncate_marker') IS NOT NULL AS marker_kept;

-- setval() is not transactional: a rolled-back migrate_test that sets the tracking
-- sequences back must not break every later history write and every later DDL.
SELECT migrate_register('1', 'sequences back',
    $$SELECT setval('migrations_schema.history_id_seq', 1);
      SELECT setval('migrations_schema.drift_log_id_seq', 1);$$, 'SELECT 1;', 'tp seq');
SELECT version, reversible FROM migrate_test('tp seq');
SELECT pg_sequence_last_value('migrations_schema.history_id_seq') AS history_seq_now;
SELECT migrate_register('2', 'after', 'SELECT 1;', NULL, 'tp seq');
CREATE TABLE public.tp_after (id int);
CREATE TABLE public.tp_after_too (id int);
SELECT count(*) AS logged FROM migrations_schema.drift_log
WHERE object_identity IN ('public.tp_after', 'public.tp_after_too');
DROP TABLE public.tp_after, public.tp_after_too;
DROP FUNCTION public.tp_noop();
-- One run records all its migrations' history rows together, after a migration that sets
-- the sequence back: every row still gets its own id, in the order the migrations ran.
SELECT migrate_register('3', 'three', 'SELECT 3;', NULL, 'tp seq');
SELECT count(*) AS applied FROM migrate_apply(project => 'tp seq');
SELECT count(*) = count(DISTINCT id) AS ids_unique, array_agg(version ORDER BY id) AS by_id
FROM migrations_schema.history WHERE project = 'tp seq' AND action = 'apply';
RESET client_min_messages;
