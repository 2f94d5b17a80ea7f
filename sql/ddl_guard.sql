-- migrations_schema.ddl_guard = error refuses DDL on the triggers, rules and policies of
-- managed tables, and comments on them, like DDL on the tables themselves (their events name
-- no schema: their table's is theirs). A refused statement changes nothing: the statements
-- that commit as they go (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, DETACH
-- PARTITION CONCURRENTLY) are refused before they start, and leave no INVALID index.
CALL regress.reset();
SET client_min_messages = warning;
CREATE TABLE app.g (id int, note text);
INSERT INTO app.g VALUES (1, 'one');
CREATE TABLE app.g_parted (id int) PARTITION BY RANGE (id);
CREATE TABLE app.g_p1 PARTITION OF app.g_parted FOR VALUES FROM (0) TO (10);
CREATE FUNCTION app.g_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER g_old BEFORE INSERT ON app.g FOR EACH ROW EXECUTE FUNCTION app.g_noop();
CREATE RULE g_old_rule AS ON UPDATE TO app.g DO ALSO NOTIFY g;
CREATE POLICY g_old_policy ON app.g USING (true);
CREATE INDEX g_note_idx ON app.g (note);

-- Everything an attempt could change, as one text.
CREATE FUNCTION pg_temp.g_state() RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(E'\n',
        (SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || coalesce(i.indisvalid::text, '')
                           || ':' || coalesce(obj_description(c.oid, 'pg_class'), '')
                           || ':' || coalesce(c.relispartition::text, ''), ', ' ORDER BY c.relname)
         FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid
         WHERE c.relnamespace = 'app'::regnamespace),
        (SELECT string_agg(a.attname || ':' || coalesce(col_description(a.attrelid, a.attnum), ''),
                           ', ' ORDER BY a.attname)
         FROM pg_attribute a WHERE a.attrelid = 'app.g'::regclass AND a.attnum > 0),
        (SELECT string_agg(tgname || ':' || tgenabled::text || ':' || coalesce(obj_description(oid, 'pg_trigger'), ''),
                           ', ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'app.g'::regclass),
        (SELECT string_agg(rulename || ':' || pg_get_ruledef(oid) || ':' || coalesce(obj_description(oid, 'pg_rewrite'), ''),
                           ', ' ORDER BY rulename) FROM pg_rewrite WHERE ev_class = 'app.g'::regclass),
        (SELECT string_agg(polname || ':' || pg_get_expr(polqual, polrelid) || ':' ||
                           coalesce(obj_description(oid, 'pg_policy'), ''), ', ' ORDER BY polname)
         FROM pg_policy WHERE polrelid = 'app.g'::regclass))
$$;
SELECT pg_temp.g_state() AS before \gset
SELECT count(*) AS logged_before FROM migrations_schema.drift_log \gset

SET migrations_schema.ddl_guard = error;
\set VERBOSITY terse
SELECT attempt FROM (VALUES
    (1, 'CREATE TRIGGER g_new BEFORE INSERT ON app.g FOR EACH ROW EXECUTE FUNCTION app.g_noop()'),
    (2, 'ALTER TRIGGER g_old ON app.g RENAME TO g_renamed'),
    (3, 'DROP TRIGGER g_old ON app.g'),
    (4, 'COMMENT ON TRIGGER g_old ON app.g IS ''mine'''),
    (5, 'ALTER TABLE app.g DISABLE TRIGGER g_old'),
    (6, 'CREATE RULE g_nothing AS ON INSERT TO app.g DO INSTEAD NOTHING'),
    (7, 'ALTER RULE g_old_rule ON app.g RENAME TO g_rule_renamed'),
    (8, 'DROP RULE g_old_rule ON app.g'),
    (9, 'COMMENT ON RULE g_old_rule ON app.g IS ''mine'''),
    (10, 'CREATE POLICY g_new_policy ON app.g USING (false)'),
    (11, 'ALTER POLICY g_old_policy ON app.g USING (false)'),
    (12, 'DROP POLICY g_old_policy ON app.g'),
    (13, 'COMMENT ON POLICY g_old_policy ON app.g IS ''mine'''),
    (14, 'COMMENT ON TABLE app.g IS ''mine'''),
    (15, 'COMMENT ON COLUMN app.g.id IS ''mine'''),
    (16, 'COMMENT ON INDEX app.g_note_idx IS ''mine'''),
    (17, 'CREATE INDEX CONCURRENTLY g_cic ON app.g (id)'),
    (18, 'DROP INDEX CONCURRENTLY app.g_note_idx'),
    (19, 'ALTER TABLE app.g_parted DETACH PARTITION app.g_p1 CONCURRENTLY'),
    (20, 'CREATE INDEX g_plain ON app.g (id)')
) AS attempts (n, attempt) ORDER BY n \gexec
\set VERBOSITY default
SELECT pg_temp.g_state() = :'before' AS nothing_changed;
SELECT count(*) - :logged_before AS logged_since FROM migrations_schema.drift_log;
-- The INSERT still inserts (a rule made it do nothing before).
INSERT INTO app.g VALUES (2, 'two');
SELECT count(*) AS rows FROM app.g;

-- What the guard leaves alone: temporary tables, unmanaged schemas, a superuser's bypass.
CREATE TEMP TABLE g_scratch (id int);
CREATE INDEX CONCURRENTLY g_scratch_idx ON g_scratch (id);
DROP INDEX CONCURRENTLY g_scratch_idx;
SET migrations_schema.managed_schemas = 'app';
CREATE TABLE public.g_unmanaged (id int);
CREATE INDEX CONCURRENTLY g_unmanaged_idx ON public.g_unmanaged (id);
DROP TABLE public.g_unmanaged;
RESET migrations_schema.managed_schemas;
SET migrations_schema.ddl_guard_bypass = on;
CREATE INDEX CONCURRENTLY g_bypass_idx ON app.g (id);
CREATE TRIGGER g_bypass BEFORE INSERT ON app.g FOR EACH ROW EXECUTE FUNCTION app.g_noop();
RESET migrations_schema.ddl_guard_bypass;
SELECT command_tag, object_type, object_identity, schema_name
FROM migrations_schema.drift_log ORDER BY id DESC LIMIT 2;
-- warn: allowed and said, the trigger's schema resolved.
SET migrations_schema.ddl_guard = warn;
DROP TRIGGER g_bypass ON app.g;
DROP INDEX CONCURRENTLY app.g_bypass_idx;
RESET migrations_schema.ddl_guard;

-- The runner's own CONCURRENTLY statements pass the guard.
SET migrations_schema.ddl_guard = error;
SELECT migrate_register('1', 'concurrent', 'CREATE INDEX CONCURRENTLY g_by_runner ON app.g (id);');
CALL migrate_run();
SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.g_by_runner'::regclass;
RESET migrations_schema.ddl_guard;

-- The event trigger function is for the event trigger only.
SELECT migrations_schema.ddl_command_start();
DROP TABLE app.g, app.g_parted;
DROP FUNCTION app.g_noop();
RESET client_min_messages;
