-- migrate_load_dir: every layout, and folders that must register nothing.
CALL regress.reset();
SET search_path = app, public;
\getenv abs_srcdir PG_ABS_SRCDIR
\set fixtures :abs_srcdir '/test/fixtures'

-- NNN_name.sql with down scripts in rollback/, matched by version prefix; README.md ignored.
SELECT migrate_load_dir(:'fixtures' || '/plain', 'plain');
SELECT * FROM regress.status('plain');
-- Loading again finds nothing new.
SELECT migrate_load_dir(:'fixtures' || '/plain', 'plain');

-- golang-migrate NNN_name.up.sql / NNN_name.down.sql, paired by version even when the
-- names differ.
SELECT migrate_load_dir(:'fixtures' || '/golang', 'golang');
SELECT * FROM regress.status('golang');

-- Flyway V1_1__name.sql / U1_1__name.sql: 1_1 is version 1.1.
SELECT migrate_load_dir(:'fixtures' || '/flyway', 'flyway');
SELECT * FROM regress.status('flyway');

-- Diesel: one folder per migration with up.sql and down.sql; the version is the folder's
-- timestamp without dashes. Other folders (docs/) are not migrations.
SELECT migrate_load_dir(:'fixtures' || '/diesel', 'diesel');
SELECT * FROM regress.status('diesel');
SELECT version, verify_sql IS NOT NULL AS has_verify FROM migrations_schema.migration
WHERE project = 'diesel' ORDER BY version;
SELECT version, statements FROM migrate_apply(project => 'diesel');

-- Verify scripts: NNN_name.verify.sql, or verify/NNN_*.sql. The one of 2 fails, and the
-- error names it.
SELECT migrate_load_dir(:'fixtures' || '/verify_files', 'verify');
SELECT version, verify_sql FROM migrations_schema.migration WHERE project = 'verify' ORDER BY version;
SELECT * FROM migrate_apply(project => 'verify');
SELECT version FROM migrate_apply(target => '1', project => 'verify');

-- The loaded scripts are the files' contents, byte for byte.
SELECT up_sql = pg_read_file(:'fixtures' || '/plain/002_add_notifications.sql') AS up_matches,
       down_sql = pg_read_file(:'fixtures' || '/plain/rollback/002_rollback_notifications.sql')
           AS down_matches
FROM migrations_schema.migration WHERE project = 'plain' AND version = '002';

-- They apply and roll back.
SELECT version, name, statements FROM migrate_apply(project => 'flyway');
SELECT * FROM app.f_things ORDER BY id;
-- 1.1 has no U1_1 script, so rolling everything back is refused and changes nothing.
SELECT version, name, statements FROM migrate_rollback(everything => true, project => 'flyway');
SELECT count(*) AS f_things_rows_kept FROM app.f_things;
SELECT version, name, statements FROM migrate_rollback(target => '1.1', project => 'flyway');
SELECT count(*) AS f_things_rows_after_u2 FROM app.f_things;

-- Folders that must register nothing. The messages name the file; the folder's absolute
-- path is only in DETAIL, hidden here so the output does not depend on where the tree is.
\set VERBOSITY terse
SELECT regress.snapshot() AS before \gset
SELECT migrate_load_dir(:'fixtures' || '/bad_two_ups', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/bad_down_only', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/bad_unrecognised', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/bad_link_out', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/bad_nonregular', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/bad_rollback_link', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/does_not_exist', 'bad');
SELECT migrate_load_dir(:'fixtures' || '/plain/001_create_users.sql', 'bad');
SELECT migrate_load_dir('test/fixtures/plain', 'bad');
SELECT migrate_load_dir('', 'bad');
SELECT migrate_load_dir(NULL, 'bad');
SELECT migrate_load_dir(:'fixtures' || '/plain', NULL);
SELECT migrate_load_dir(:'fixtures' || '/plain', '');
SELECT regress.snapshot() = :'before' AS nothing_registered;
SELECT count(*) AS bad_rows FROM migrations_schema.migration WHERE project = 'bad';
\set VERBOSITY default

-- A folder reached through '..' is the same folder.
SELECT migrate_load_dir(:'fixtures' || '/golang/../plain', 'plain');

-- Reading server files needs superuser or pg_read_server_files.
CREATE ROLE regress_loader;
GRANT EXECUTE ON FUNCTION migrate_load_dir(text, text, boolean) TO regress_loader;
SET ROLE regress_loader;
SELECT migrate_load_dir(:'fixtures' || '/golang', 'loader');
RESET ROLE;
GRANT pg_read_server_files TO regress_loader;
SET ROLE regress_loader;
SELECT migrate_load_dir(:'fixtures' || '/golang', 'loader');
RESET ROLE;
SELECT project, version, registered_by FROM migrations_schema.migration
WHERE project = 'loader' ORDER BY version;
DROP EXTENSION migrations_schema CASCADE;
DROP ROLE regress_loader;
