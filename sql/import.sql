-- migrate_import: taking over from other tools. Each tool's table is created exactly as
-- that tool creates it (test/fixtures/foreign_tables, with the upstream source named in
-- each file), in a schema of its own, and read into a project of its own.
CALL regress.reset();
\getenv abs_srcdir PG_ABS_SRCDIR
\set ft :abs_srcdir '/test/fixtures/foreign_tables'

-- The same three migrations every tool applied, plus a fourth still to come.
CREATE PROCEDURE regress.register_four(p text, v text[] DEFAULT ARRAY['1', '2', '3', '4'])
LANGUAGE sql AS $$
    SELECT public.migrate_register(v[1], 'create_users', 'CREATE TABLE users_' || p || ' (id int);', NULL, p);
    SELECT public.migrate_register(v[2], 'add_email', 'SELECT 2;', NULL, p);
    SELECT public.migrate_register(v[3], 'add_index', 'SELECT 3;', NULL, p);
    SELECT public.migrate_register(v[4], 'add_orders', 'SELECT 4;', NULL, p);
$$;
CREATE FUNCTION regress.states(p text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(version || '=' || state, ' ' ORDER BY version::numeric)
    FROM public.migrate_status(p)
$$;

-- Flyway
CREATE SCHEMA flyway;
SET search_path = flyway;
\set ECHO none
\i :ft/flyway.sql
\set ECHO all
CALL regress.register_four('flyway');
SELECT * FROM public.migrate_import('flyway', 'flyway', 'flyway');
SELECT regress.states('flyway');
-- Nothing was run: the up script of 1 would have created this table.
SELECT to_regclass('flyway.users_flyway') AS not_run;
-- Importing again finds everything already applied and changes nothing.
SELECT regress.snapshot() AS before \gset
SELECT * FROM public.migrate_import('flyway', 'flyway', 'flyway');
SELECT regress.snapshot() = :'before' AS unchanged;
-- The rest applies normally, and history says where the first three came from.
SELECT version FROM public.migrate_apply(project => 'flyway');
SELECT version, action, detail FROM public.migrate_history('flyway')
WHERE action IN ('import', 'apply') ORDER BY id;

-- golang-migrate: one row, the current version; everything up to it is applied.
CREATE SCHEMA golang;
SET search_path = golang;
\set ECHO none
\i :ft/golang_migrate.sql
\set ECHO all
CALL regress.register_four('golang');
SELECT * FROM public.migrate_import('golang-migrate', 'golang', 'golang');
SELECT regress.states('golang');

-- dbmate
CREATE SCHEMA dbmate;
SET search_path = dbmate;
\set ECHO none
\i :ft/dbmate.sql
\set ECHO all
CALL regress.register_four('dbmate');
SELECT * FROM public.migrate_import('dbmate', 'dbmate', 'dbmate');
SELECT regress.states('dbmate');

-- node-pg-migrate: file names without extension.
CREATE SCHEMA nodepg;
SET search_path = nodepg;
\set ECHO none
\i :ft/node_pg_migrate.sql
\set ECHO all
CALL regress.register_four('nodepg');
SELECT * FROM public.migrate_import('node-pg-migrate', 'nodepg', 'nodepg');

-- TypeORM: the timestamp is the version.
CREATE SCHEMA typeorm;
SET search_path = typeorm;
\set ECHO none
\i :ft/typeorm.sql
\set ECHO all
CALL regress.register_four('typeorm', ARRAY['1700000000001', '1700000000002', '1700000000003', '1700000000004']);
SELECT * FROM public.migrate_import('typeorm', 'typeorm', 'typeorm');

-- Sqitch: changes are named, not numbered; they match by name.
SET search_path = public;
\set ECHO none
\i :ft/sqitch.sql
\set ECHO all
CALL regress.register_four('sqitch');
SELECT * FROM public.migrate_import('sqitch', 'sqitch');

-- Liquibase: changeset ids, and file names that start with the version.
CREATE SCHEMA liquibase;
SET search_path = liquibase;
\set ECHO none
\i :ft/liquibase.sql
\set ECHO all
CALL regress.register_four('liquibase');
SELECT * FROM public.migrate_import('liquibase', 'liquibase', 'liquibase');
-- Changeset ids that are not versions: the file name gives the version.
UPDATE liquibase.databasechangelog SET id = 'alice-' || id;
CALL regress.register_four('liquibase2');
SELECT * FROM public.migrate_import('liquibase', 'liquibase2', 'liquibase');

-- Hand-written runners: schema_migrations keyed by version, or by migration_name.
CREATE SCHEMA handv;
SET search_path = handv;
\set ECHO none
\i :ft/schema_migrations_version.sql
\set ECHO all
CALL regress.register_four('handv');
SELECT * FROM public.migrate_import('schema_migrations', 'handv', 'handv');
CREATE SCHEMA handn;
SET search_path = handn;
\set ECHO none
\i :ft/schema_migrations_name.sql
\set ECHO all
CALL regress.register_four('handn', ARRAY['001', '002', '003', '004']);
SELECT * FROM public.migrate_import('schema_migrations', 'handn', 'handn');
-- Found on the search_path when no schema is given.
SELECT count(*) FROM public.migrate_import('schema_migrations', 'handn');
SET search_path = public;

-- A record with no registered migration is reported, never invented.
CALL regress.register_four('partial');
INSERT INTO flyway.flyway_schema_history VALUES
    (5, '9', 'unknown', 'SQL', 'V9__unknown.sql', 1, 'postgres', '2024-02-01', 1, true);
SELECT * FROM migrate_import('flyway', 'partial', 'flyway');
SELECT regress.states('partial');
SELECT count(*) AS invented FROM migrations_schema.applied WHERE version = '9';

-- Refused, changing nothing: unknown source, missing table, a dirty golang-migrate state,
-- a failed Flyway migration, NULLs.
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_import('rails', 'x');
SELECT * FROM migrate_import('flyway', 'x', 'no_such_schema');
SELECT * FROM migrate_import('dbmate', 'x');
UPDATE golang.schema_migrations SET dirty = true;
SELECT regress.snapshot() AS before \gset
CALL regress.register_four('dirty');
SELECT * FROM migrate_import('golang-migrate', 'dirty', 'golang');
INSERT INTO flyway.flyway_schema_history VALUES
    (6, '4', 'add orders', 'SQL', 'V4__add_orders.sql', 1, 'postgres', '2024-02-02', 1, false);
SELECT * FROM migrate_import('flyway', 'dirty', 'flyway');
SELECT * FROM migrate_import(NULL, 'dirty');
SELECT * FROM migrate_import('flyway', NULL);
SELECT count(*) AS dirty_applied FROM migrate_status('dirty') WHERE state <> 'pending';

-- An undone Flyway migration (a later UNDO row) is not imported.
DELETE FROM flyway.flyway_schema_history WHERE NOT success;
INSERT INTO flyway.flyway_schema_history VALUES
    (7, '3', 'add index', 'UNDO_SQL', 'U3__add_index.sql', 1, 'postgres', '2024-02-03', 1, true);
SELECT version, result FROM migrate_import('flyway', 'dirty', 'flyway');
SELECT regress.states('dirty');

-- A team's own table, read through a column mapping: the name column matches migrations by
-- the version that starts it (or by name), in the order of the applied-at column.
CREATE SCHEMA own;
CREATE TABLE own.migrations_log (name text, run_at timestamptz);
INSERT INTO own.migrations_log VALUES ('002_add_email.sql', '2024-03-02'),
    ('001_create_users.sql', '2024-03-01'), ('add_index', '2024-03-03'), ('099_unknown.sql', NULL);
CALL regress.register_four('own');
SELECT * FROM migrate_import('own.migrations_log(name, run_at)', 'own');
SELECT regress.states('own');
-- Again: nothing new; the schema argument finds the table as well, and quoted names keep
-- their case.
ALTER TABLE own.migrations_log RENAME COLUMN run_at TO "Run At";
SELECT version, result FROM migrate_import('migrations_log(NAME, "Run At")', 'own', 'own');
-- A mapping that does not fit is refused with its form, changing nothing.
SELECT * FROM migrate_import('own.migrations_log(name, run_at)', 'own');
SELECT * FROM migrate_import('own.migrations_log(nom)', 'own');
SELECT * FROM migrate_import('own.migrations_log(name, "Run At", extra)', 'own');
SELECT * FROM migrate_import('own.no_such_table(name)', 'own');
SELECT * FROM migrate_import('table', 'own');
SELECT regress.states('own');

-- The importing role must be able to read the other tool's table.
CREATE ROLE regress_importer;
GRANT EXECUTE ON FUNCTION migrate_import(text, text, text) TO regress_importer;
GRANT USAGE ON SCHEMA flyway TO regress_importer;
SET ROLE regress_importer;
SELECT * FROM migrate_import('flyway', 'dirty', 'flyway');
RESET ROLE;
DROP OWNED BY regress_importer;
DROP ROLE regress_importer;
