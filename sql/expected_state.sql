-- The expected state: the schema as migrations made it, object by object. Drift (a hotfix
-- index made by hand) stays until a migration produces the same object or
-- migrate_accept_drift() takes it in: a run, a rollback through the runner, an apply, a
-- baseline and a repair leave it open, and each records what its own statements touched.
CALL regress.reset();
SET client_min_messages = warning;  -- durations in the runner's NOTICEs
SELECT migrate_register('1', 't', 'CREATE TABLE app.t (id int PRIMARY KEY, v int);',
    'DROP TABLE app.t;');
SELECT version, action FROM migrate_apply();
SELECT kind, identity, root_kind, root_identity FROM migrations_schema.expected_object
WHERE identity = 'app' OR identity LIKE 'app.%' ORDER BY kind, identity;
SELECT catalog_marker IS NOT NULL AS clean FROM migrations_schema.expected_state;

-- The hotfix.
CREATE INDEX hotfix_idx ON app.t (v);
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';

-- A run of a migration that changes the same table: its column is recorded, the index is not.
SELECT migrate_register('2', 'w', 'ALTER TABLE app.t ADD COLUMN w int;',
    'ALTER TABLE app.t DROP COLUMN w;');
CALL migrate_run();
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';
SELECT identity FROM migrations_schema.expected_object WHERE root_identity = 'app.t'
ORDER BY identity;
SELECT action, detail FROM migrate_history() WHERE action = 'drift' ORDER BY id;

-- A rollback through the runner records what its down script dropped (the column), and
-- only that.
CALL migrate_run_rollback();
SELECT version, state FROM migrate_status() ORDER BY version;
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';
SELECT identity FROM migrations_schema.expected_object WHERE root_identity = 'app.t'
ORDER BY identity;
SELECT count(*) AS pending_touches FROM migrations_schema.expected_touched;

-- An apply in the caller's transaction, and a rollback there.
SELECT version, action FROM migrate_apply();
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';
SELECT version, action FROM migrate_rollback();
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';

-- A baseline and a repair take nothing in either: a table made by hand before the baseline
-- that marks its migration applied is drift too.
CREATE TABLE app.legacy (id int);
SELECT migrate_register('3', 'legacy', 'CREATE TABLE app.legacy (id int);');
SELECT version FROM migrate_baseline('3');
SELECT version FROM migrate_repair();
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema'
ORDER BY object;
SELECT severity, problem, detail FROM migrate_validate() WHERE problem = 'drift' ORDER BY detail;

-- migrate_accept_drift takes the named objects in, logged with who and when.
SELECT * FROM migrate_accept_drift(ARRAY['table app.legacy', 'column app.legacy.id']);
SELECT action, role_name = current_user AS by_me, at IS NOT NULL AS has_time, detail
FROM migrate_history() WHERE action = 'accept-drift';
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';

-- What it refuses, changing nothing.
SELECT regress.try($$SELECT migrate_accept_drift(ARRAY['table app.t'])$$);
SELECT regress.try($$SELECT migrate_accept_drift(ARRAY['app.t'])$$);
SELECT regress.try($$SELECT migrate_accept_drift(ARRAY[]::text[])$$);
SELECT regress.try($$SELECT migrate_accept_drift(NULL)$$);
CREATE ROLE regress_accept_nobody;
SET ROLE regress_accept_nobody;
SELECT migrate_accept_drift(ARRAY['index app.hotfix_idx']);
RESET ROLE;
DROP ROLE regress_accept_nobody;
SELECT count(*) AS still_open FROM migrate_drift() WHERE source = 'schema';

-- A migration that produces the same index resolves it; the store is clean again and the
-- catalog digest answers the next check.
SELECT migrate_register('4', 'hotfix as a migration',
    'DROP INDEX IF EXISTS app.hotfix_idx; CREATE INDEX hotfix_idx ON app.t (v);',
    'DROP INDEX app.hotfix_idx;');
CALL migrate_run();
SELECT source, change, object_type, object FROM migrate_drift() WHERE source = 'schema';
SELECT identity FROM migrations_schema.expected_object
WHERE kind = 'index' AND identity LIKE 'app.%' ORDER BY 1;

-- A second hotfix, accepted: then nothing is open, and the digest says so without a
-- fingerprint.
CREATE INDEX hotfix2_idx ON app.t (id, v);
SELECT catalog_marker IS NOT NULL AS clean FROM migrations_schema.expected_state;
SELECT * FROM migrate_accept_drift(ARRAY['index app.hotfix2_idx']);
SELECT catalog_marker IS NOT NULL AS clean FROM migrations_schema.expected_state;
SELECT count(*) AS open FROM migrate_drift() WHERE source = 'schema';

-- A GRANT, a COMMENT, a view over the table and a function in migrations are recorded as
-- they are; a renamed column reaches the view that came along.
CREATE ROLE regress_expected_reader;
SELECT migrate_register('5', 'more kinds',
    $$GRANT SELECT ON app.t TO regress_expected_reader;
      COMMENT ON COLUMN app.t.v IS 'the value';
      CREATE VIEW app.tv AS SELECT id, v FROM app.t;
      CREATE FUNCTION app.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';$$,
    $$DROP FUNCTION app.f(int); DROP VIEW app.tv; COMMENT ON COLUMN app.t.v IS NULL;
      REVOKE SELECT ON app.t FROM regress_expected_reader;$$);
SELECT migrate_register('6', 'rename', 'ALTER TABLE app.t RENAME COLUMN v TO value;',
    'ALTER TABLE app.t RENAME COLUMN value TO v;');
CALL migrate_run();
SELECT count(*) AS open FROM migrate_drift() WHERE source = 'schema';
SELECT kind, identity FROM migrations_schema.expected_object
WHERE (kind IN ('view', 'function') AND identity LIKE 'app.%') OR identity LIKE 'app.t.v%'
ORDER BY 1, 2;
CALL migrate_run_rollback(steps => 2);
SELECT count(*) AS open FROM migrate_drift() WHERE source = 'schema';
SELECT kind, identity FROM migrations_schema.expected_object
WHERE (kind IN ('view', 'function') AND identity LIKE 'app.%') OR identity LIKE 'app.t.v%'
ORDER BY 1, 2;
-- Dropping an index leaves its table in the store: the table is taken again as a whole,
-- not taken as gone with the index.
SELECT migrate_register('7', 'index', 'CREATE INDEX t_id_idx ON app.t (id);', 'DROP INDEX app.t_id_idx;');
CALL migrate_run();
CALL migrate_run_rollback(steps => 1);
SELECT kind, identity FROM migrations_schema.expected_object
WHERE identity IN ('app.t', 'app.t.id', 'app.t_id_idx') ORDER BY 1, 2;
CALL migrate_run_rollback(steps => 2);
DROP ROLE regress_expected_reader;
-- A rollback through the runner that stops at a failing down script still records what
-- the migrations undone before it dropped: that is not drift.
SELECT migrate_register('1', 'a', 'ALTER TABLE app.t ADD COLUMN es_a int;', 'SELECT 1 / 0;', 'es_fail');
SELECT migrate_register('2', 'b', 'ALTER TABLE app.t ADD COLUMN es_b int;',
    'ALTER TABLE app.t DROP COLUMN es_b;', 'es_fail');
CALL migrate_run(project => 'es_fail');
\set VERBOSITY terse
CALL migrate_run_rollback(steps => 2, project => 'es_fail');
\set VERBOSITY default
SELECT version, state FROM migrate_status('es_fail') ORDER BY version;
SELECT source, change, object_type, object FROM migrate_drift()
WHERE source = 'schema' AND object LIKE 'app.t.es%';
SELECT identity FROM migrations_schema.expected_object WHERE identity LIKE 'app.t.es%'
ORDER BY identity;
-- A function over a table's row type, dropped with the table: the function's root is
-- named by the store after its argument type is gone (the small-statements workload of
-- bench/run), in the runner and in the caller's transaction.
SELECT migrate_register('1', 'row type', $$CREATE TABLE app.rt (id int, name text);
    CREATE FUNCTION app.rt_label(app.rt) RETURNS text LANGUAGE sql STABLE AS 'SELECT $1.name';$$,
    'DROP FUNCTION app.rt_label(app.rt); DROP TABLE app.rt;', 'rowtype');
CALL migrate_run(project => 'rowtype');
CALL migrate_run_rollback(project => 'rowtype');
SELECT count(*) FROM migrate_apply(project => 'rowtype');
SELECT count(*) FROM migrate_rollback(everything => true, project => 'rowtype');
SELECT version, state FROM migrate_status('rowtype');
SELECT count(*) AS left_in_store FROM migrations_schema.expected_object
WHERE identity LIKE 'app.rt%';
SELECT count(*) AS open FROM migrate_drift() WHERE source = 'schema' AND object LIKE 'app.rt%';
-- The stored objects equal the whole fingerprint of the live schema, object by object.
SELECT count(*) AS differing FROM (
    SELECT k.key, o.key, o.value FROM jsonb_each(migrate_schema_fingerprint()) k,
        jsonb_each(k.value) o
    EXCEPT SELECT kind, identity, object FROM migrations_schema.expected_object) d;
SELECT count(*) AS stored_only FROM (
    SELECT kind, identity, object FROM migrations_schema.expected_object
    EXCEPT SELECT k.key, o.key, o.value FROM jsonb_each(migrate_schema_fingerprint()) k,
        jsonb_each(k.value) o) d;
RESET client_min_messages;
