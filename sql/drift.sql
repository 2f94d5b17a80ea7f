-- Drift: the runner records what its migrations touched in the expected state after each
-- apply, run and rollback; event triggers log DDL run outside the runner; migrate_drift()
-- and migrate_validate() report both; migrations_schema.ddl_guard warns about such DDL or
-- refuses it.
CALL regress.reset();
SELECT migrate_register('1', 'items',
    'CREATE TABLE app.items (id int PRIMARY KEY, name text);', 'DROP TABLE app.items;');
SELECT count(*) FROM migrate_apply();

-- The expected state is the live schema; the runner's own DDL is not drift.
SELECT project, version, action, NOT EXISTS (SELECT FROM migrate_drift()) AS is_live
FROM migrations_schema.schema_snapshot;
SELECT * FROM migrate_drift();
SELECT count(*) AS logged FROM migrations_schema.drift_log;

-- An index created by hand.
CREATE INDEX items_name_idx ON app.items (name);
SELECT source, change, object_type, object, detail, at IS NOT NULL AS has_time, role_name
FROM migrate_drift();
SELECT severity, project, version, problem, detail FROM migrate_validate();

-- Temporary objects are nobody's drift; an extension's own objects are not either (its
-- CREATE EXTENSION is logged, once).
CREATE TEMP TABLE scratch (x int);
CREATE INDEX ON scratch (x);
DROP TABLE scratch;
CREATE EXTENSION citext SCHEMA app;
SELECT command_tag, object_type, object_identity, schema_name, statement
FROM migrations_schema.drift_log ORDER BY id;

-- Servers and user mappings hold passwords: their statements are not kept.
CREATE EXTENSION postgres_fdw;
CREATE SERVER regress_drift_server FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_drift_server
    OPTIONS (user 'u', password 'drift-secret');
SELECT command_tag, object_type, statement IS NULL AS statement_withheld
FROM migrations_schema.drift_log WHERE object_type IN ('server', 'user mapping') ORDER BY id;
SELECT count(*) AS secrets_logged FROM migrations_schema.drift_log
WHERE statement LIKE '%drift-secret%';
DROP EXTENSION postgres_fdw CASCADE;

-- Dropping it by hand again: the schema is back to what the runner left, the log remains.
DROP INDEX app.items_name_idx;
DROP EXTENSION citext;
SELECT source, change, object_type, object, detail FROM migrate_drift();
SELECT count(*) AS problems FROM migrate_validate();

-- A migration run after drift does not take the drifted schema in: said as a WARNING, kept
-- in history, and still drift afterwards (with the DDL logged since the schema was last as
-- migrations left it), until migrate_accept_drift() takes it in.
ALTER TABLE app.items ADD COLUMN added_by_hand int;
SELECT migrate_register('2', 'sku', 'ALTER TABLE app.items ADD COLUMN sku text;',
    'ALTER TABLE app.items DROP COLUMN sku;');
SELECT version, action FROM migrate_apply();
SELECT action, version, detail FROM migrate_history() WHERE action = 'drift';
SELECT source, change, object_type, object, detail FROM migrate_drift() WHERE source = 'schema';
SELECT source, change, object_type, object, detail FROM migrate_drift() WHERE source = 'ddl'
ORDER BY at;
-- A row of the DDL log is a statement, not an object that differs: accepting it says so.
SELECT * FROM migrate_accept_drift(ARRAY['table app.items']);
SELECT * FROM migrate_accept_drift(ARRAY['column app.items.added_by_hand']);
SELECT * FROM migrate_drift() WHERE source = 'schema';
-- With no object left differing, the log of the statements that made the drift clears too.
SELECT count(*) AS ddl_rows FROM migrate_drift() WHERE source = 'ddl';

-- A rollback records what it touched too.
SELECT version, action FROM migrate_rollback();
SELECT action, version, NOT EXISTS (SELECT FROM migrate_drift() WHERE source = 'schema') AS is_live
FROM migrations_schema.schema_snapshot;

-- The guard.
SET migrations_schema.ddl_guard = error;
CREATE TABLE app.by_hand (id int);
SELECT to_regclass('app.by_hand') AS refused_table;
ALTER TABLE app.items ADD COLUMN by_hand int;
DROP TABLE app.items;
CREATE SCHEMA by_hand;
GRANT SELECT ON app.items TO PUBLIC;
-- Temporary tables and extensions are never blocked.
CREATE TEMP TABLE scratch (x int);
DROP TABLE scratch;
CREATE EXTENSION citext SCHEMA app;
DROP EXTENSION citext;
-- The runner is not blocked, including CREATE INDEX CONCURRENTLY run by its worker.
SELECT migrate_register('3', 'concurrent index',
    'CREATE INDEX CONCURRENTLY items_sku_idx ON app.items (id);');
SET client_min_messages = warning;
CALL migrate_run();
RESET client_min_messages;
SELECT version, state FROM migrate_status() ORDER BY version;
SELECT count(*) AS logged_since FROM migrations_schema.drift_log
WHERE at > (SELECT recorded_at FROM migrations_schema.schema_snapshot);
-- A superuser's bypass lets DDL through, still logged.
SET migrations_schema.ddl_guard_bypass = on;
CREATE TABLE app.emergency (id int);
RESET migrations_schema.ddl_guard_bypass;
SELECT command_tag, object_identity FROM migrations_schema.drift_log ORDER BY id DESC LIMIT 1;
-- warn: allowed, said, logged.
SET migrations_schema.ddl_guard = warn;
DROP TABLE app.emergency;
-- Only the managed schemas are watched once they are named.
SET migrations_schema.managed_schemas = 'app';
SET migrations_schema.ddl_guard = error;
CREATE TABLE public.unmanaged (id int);
CREATE TABLE app.managed (id int);
DROP TABLE public.unmanaged;
RESET migrations_schema.ddl_guard;
-- A managed schema may be named before the migration that creates it has run.
SET migrations_schema.managed_schemas = 'app, later';
SELECT migrate_register('4', 'later schema',
    'CREATE SCHEMA later; CREATE TABLE later.t (id int);', 'DROP SCHEMA later CASCADE;');
SELECT version, action FROM migrate_apply();
SELECT identity AS recorded_schemas FROM migrations_schema.expected_object
WHERE kind = 'schema' AND identity IN ('app', 'later') ORDER BY 1;
RESET migrations_schema.managed_schemas;
-- Watching every schema again is not drift: the snapshot is compared within what it covered.
SELECT count(*) AS drift_after_setting_change FROM migrate_drift() WHERE source = 'schema';

-- The settings that protect the schema are not the users' to change.
CREATE ROLE regress_drift_user;
SET ROLE regress_drift_user;
SET migrations_schema.ddl_guard_bypass = on;
SET migrations_schema.ddl_guard = off;
RESET ROLE;
DROP ROLE regress_drift_user;
RESET migrations_schema.ddl_guard;

-- The event trigger functions are for the event triggers only.
SELECT migrations_schema.ddl_command_end();

-- The first baseline of a new installation adopts the schema as it is (it fills the
-- expected state; later ones take nothing in).
CALL regress.reset();
CREATE TABLE app.legacy (id int);
SELECT migrate_register('1', 'legacy', 'CREATE TABLE app.legacy (id int);');
SELECT count(*) FROM migrate_baseline('1');
SELECT action, version, NOT EXISTS (SELECT FROM migrate_drift() WHERE source = 'schema') AS is_live
FROM migrations_schema.schema_snapshot;
SELECT count(*) AS drift FROM migrate_drift() WHERE source = 'schema';
