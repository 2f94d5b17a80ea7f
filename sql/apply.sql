-- migrate_apply: order, target, dry run, atomicity, wrappers and error reports.
CALL regress.reset();
SET search_path = app, public;

-- Registered out of order and with mixed widths; applied in natural version order.
SELECT migrate_register('10', 'ten', 'CREATE TABLE t10 (id int);', 'DROP TABLE t10;');
SELECT migrate_register('2', 'two', 'CREATE TABLE t2 (id int);', 'DROP TABLE t2;');
SELECT migrate_register('1.10', 'one.ten', 'CREATE TABLE t1_10 (id int);', 'DROP TABLE t1_10;');
SELECT migrate_register('1.9', 'one.nine', 'CREATE TABLE t1_9 (id int);', 'DROP TABLE t1_9;');
SELECT migrate_register('20240101120000', 'timestamp', 'CREATE TABLE tts (id int);', 'DROP TABLE tts;');
SELECT version, name FROM migrate_status();

-- A dry run executes everything and keeps nothing.
SELECT regress.snapshot() AS before \gset
SELECT version, name, action, statements FROM migrate_apply(dry_run => true);
SELECT regress.snapshot() = :'before' AS dry_run_left_nothing;

-- A dry run reports, per migration, the locks it took, the tables it rewrote and how long
-- each statement ran.
CREATE TABLE app.accounts AS SELECT g AS id FROM generate_series(1, 1000) g;
SELECT migrate_register('1.9.1', 'dry run report',
    E'CREATE INDEX accounts_id_idx ON accounts (id);\nALTER TABLE accounts ADD COLUMN note text;\nALTER TABLE accounts ALTER COLUMN id TYPE bigint;',
    E'ALTER TABLE accounts DROP COLUMN note;\nALTER TABLE accounts ALTER COLUMN id TYPE int;\nDROP INDEX accounts_id_idx;');
SELECT version, locks, rewritten, array_length(statement_ms, 1) AS timed_statements
FROM migrate_apply(target => '1.9.1', dry_run => true) WHERE version = '1.9.1';
SELECT version, locks IS NULL AND rewritten IS NULL AND statement_ms IS NULL AS reported_only_in_dry_runs
FROM migrate_apply(target => '1.9.1', dry_run => false);
SELECT version, locks, rewritten FROM migrate_rollback(steps => 2, dry_run => true);
SELECT version FROM migrate_rollback(steps => 2);
DELETE FROM migrations_schema.migration WHERE version = '1.9.1';
DROP TABLE app.accounts;

-- Up to and including a target (spelled with leading zeros: the same version).
SELECT version, name, action, statements FROM migrate_apply(target => '002');
SELECT * FROM regress.status();
SELECT version, name, action, statements FROM migrate_apply();
-- Nothing pending: no rows, nothing changed.
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_apply();
SELECT regress.snapshot() = :'before' AS second_run_changed_nothing;
SELECT project, version, applied_by, duration_ms >= 0 AS timed FROM migrate_status();

-- All or nothing: the third migration fails, so the first two are not applied either.
CALL regress.reset();
SET search_path = app, public;
\getenv abs_srcdir PG_ABS_SRCDIR
\set fixtures :abs_srcdir '/test/fixtures'
SELECT migrate_load_dir(:'fixtures' || '/failing');
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_apply();
SELECT regress.snapshot() = :'before' AS nothing_half_applied;
SELECT to_regclass('app.fail_a') AS fail_a, to_regclass('app.fail_b') AS fail_b;
-- The caller's transaction decides: a failure there undoes the applied migrations too.
BEGIN;
SELECT version, statements FROM migrate_apply(target => '2');
SELECT count(*) FROM app.fail_b;
SELECT 1 / 0;
ROLLBACK;
SELECT * FROM regress.status();

-- Scripts wrapped in BEGIN ... COMMIT (one block or several) run as if unwrapped.
CALL regress.reset();
SET search_path = app, public;
SELECT migrate_register('1', 'wrapped', E'BEGIN;\nCREATE TABLE w1 (id int);\nCOMMIT;\n');
SELECT migrate_register('2', 'two blocks',
    E'BEGIN;\nCREATE TABLE w2 (id int);\nCOMMIT;\n\nBEGIN;\nINSERT INTO w2 VALUES (1);\nCOMMIT;\n');
SELECT migrate_register('3', 'dollar quoted', $mig$
CREATE FUNCTION w_answer() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    -- BEGIN and COMMIT inside a function body are not transaction control; nor is ';'.
    RETURN 42;
END;
$$;
$mig$);
SELECT version, name, statements FROM migrate_apply();
SELECT app.w_answer(), (SELECT count(*) FROM app.w2) AS w2_rows;

-- Old Mac line endings: a lone CR ends a comment, as it does for the server's lexer.
SELECT migrate_register('3.5', 'bare cr', E'-- note\rCREATE TABLE cr_table (id int);\r-- end\r');
SELECT version, statements FROM migrate_apply();
SELECT to_regclass('app.cr_table') AS cr_table;

-- An empty script (a placeholder some projects keep) applies as zero statements.
SELECT migrate_register('4', 'placeholder', '');
SELECT version, statements FROM migrate_apply();

-- Errors name project, version, name, statement and line; nothing runs before a syntax
-- error is found, even one in a later migration.
SELECT migrate_register('5', 'good', 'CREATE TABLE e5 (id int);');
SELECT migrate_register('6', 'syntax', E'CREATE TABLE e6 (id int);\n\n-- comment\nCREATE TABEL e6b (id int);\n');
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_apply();
SELECT regress.snapshot() = :'before' AS nothing_ran;
SELECT migrate_register('6', 'runtime', E'CREATE TABLE e6 (id int);\n\nINSERT INTO e6\nVALUES (1), (''one'');\n');
SELECT * FROM migrate_apply();
SELECT migrate_register('6', 'missing column', E'CREATE TABLE e6 (id int);\nSELECT\n  nope\nFROM e6;\n');
SELECT * FROM migrate_apply();
SELECT migrate_register('6', 'fixed', E'CREATE TABLE e6 (id int);\n');
SELECT version, name FROM migrate_apply();

-- A modified applied migration blocks apply until it is put back.
SELECT migrate_register('7', 'next', 'CREATE TABLE e7 (id int);');
SELECT migrate_register('5', 'good', 'CREATE TABLE e5 (id bigint);');
SELECT * FROM migrate_apply();
SELECT migrate_register('5', 'good', 'CREATE TABLE e5 (id int);');
SELECT version FROM migrate_apply();

-- A pending migration ordered before the newest applied one is refused.
SELECT migrate_register('6.5', 'late arrival', 'SELECT 1;');
SELECT * FROM migrate_apply();
-- Unless the caller says so.
SELECT version, name FROM migrate_apply(out_of_order => true);
SELECT * FROM migrate_apply(out_of_order => NULL);
-- An unknown target is refused.
SELECT * FROM migrate_apply(target => '99');

-- Scripts run with the caller's search_path.
CALL regress.reset();
CREATE SCHEMA app2;
SET search_path = app2, public;
SELECT migrate_register('1', 'unqualified', 'CREATE TABLE lands_in_app2 (id int);');
SELECT version FROM migrate_apply();
SELECT to_regclass('app2.lands_in_app2') AS created_in_callers_schema;
DROP SCHEMA app2 CASCADE;
