-- CALL migrate_run(): one transaction per migration, top-level statements through a worker.
CALL regress.reset();
SET search_path = app, public;

-- It owns its transactions: refused inside a transaction block, and from a function.
BEGIN;
CALL migrate_run();
ROLLBACK;
CREATE FUNCTION regress.run_from_function() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CALL migrate_run();
END $$;
SELECT regress.run_from_function();
CALL migrate_run(project => NULL);
CALL migrate_run(project => '');

SELECT migrate_register('1', 'table', 'CREATE TABLE r1 (id int, v text);', 'DROP TABLE r1;');
SELECT migrate_register('2', 'index', 'CREATE INDEX CONCURRENTLY r1_v_idx ON r1 (v);',
                        'DROP INDEX CONCURRENTLY r1_v_idx;');
SELECT migrate_register('3', 'mixed', E'INSERT INTO r1 VALUES (1, ''a'');\nVACUUM (ANALYZE) r1;\nINSERT INTO r1 VALUES (2, ''b'');');
SELECT migrate_register('4', 'marked', E'-- migrate:no-transaction\nCREATE TABLE r4 (id int);\nINSERT INTO r4 VALUES (1);');
SELECT migrate_register('5', 'broken', E'CREATE TABLE r5 (id int);\nINSERT INTO r5 VALUES (1 / 0);');
SELECT migrate_register('6', 'after', 'CREATE TABLE r6 (id int);');

-- migrate_apply cannot hold CREATE INDEX CONCURRENTLY in the caller's transaction.
SELECT * FROM migrate_apply(target => '2');

-- 1 to 4 are committed one by one; 5 fails and stops the run; 6 is not attempted.
-- (The NOTICE per migration carries its duration, so the output shows warnings only.)
SET client_min_messages = warning;
CALL migrate_run();
SELECT version, name, state FROM migrate_status();
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index WHERE indrelid = 'app.r1'::regclass;
SELECT count(*) AS r1_rows FROM app.r1;
SELECT to_regclass('app.r5') AS r5_not_kept;
SELECT version, action, detail FROM migrate_history() WHERE action IN ('apply', 'failure') ORDER BY id;
SELECT severity, version, problem FROM migrate_validate();

-- The fix is registered and the run continues from the failed migration.
SELECT migrate_register('5', 'fixed', 'CREATE TABLE r5 (id int);');
CALL migrate_run(target => '5');
SELECT version, state FROM migrate_status();
CALL migrate_run();
CALL migrate_run();
SELECT count(*) AS still_failed FROM migrations_schema.failure;

-- A down script with a top-level statement is refused by migrate_rollback, changing nothing.
SELECT migrate_register('7', 'index again', 'CREATE INDEX CONCURRENTLY r1_id_idx ON r1 (id);',
                        'DROP INDEX CONCURRENTLY r1_id_idx;');
CALL migrate_run();
SELECT * FROM migrate_rollback();
SELECT version, state FROM migrate_status() WHERE version = '7';
RESET client_min_messages;
