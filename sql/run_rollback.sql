-- Rolling back through the production runner (CALL migrate_run_rollback): DROP INDEX
-- CONCURRENTLY in a down script runs at top level, one migration per transaction; one
-- named version can be undone (refused while later ones are applied, unless out of order);
-- migrate_rollback_plan names what a rollback would destroy. Run as a deploy role holding
-- only EXECUTE; after every error its identity, settings and tracking state are intact.
CALL regress.reset();
CREATE ROLE ms_rollbacker LOGIN;
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text),
                          migrate_status(text), migrate_history(text),
                          migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean),
                          migrate_rollback_plan(text, integer, boolean, text, text, boolean)
    TO ms_rollbacker;
GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean),
                           migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean)
    TO ms_rollbacker;
GRANT CREATE ON SCHEMA public TO ms_rollbacker;
GRANT USAGE ON SCHEMA regress TO ms_rollbacker;
SET ROLE ms_rollbacker;
SET client_min_messages = warning;  -- durations in NOTICEs are not deterministic

SELECT migrate_register('1', 'table', 'CREATE TABLE rr_t (id int, email text);', 'DROP TABLE rr_t;', 'rr');
SELECT migrate_register('2', 'index', 'CREATE INDEX CONCURRENTLY rr_email ON rr_t (email);',
                        'DROP INDEX CONCURRENTLY rr_email;', 'rr');
SELECT migrate_register('3', 'column', 'ALTER TABLE rr_t ADD COLUMN c int;',
                        'ALTER TABLE rr_t DROP COLUMN c;', 'rr');
CALL migrate_run(project => 'rr');
SELECT version, state FROM migrate_status('rr') ORDER BY version;

-- What a rollback would run, and what it would destroy.
SELECT * FROM migrate_rollback_plan(everything => true, project => 'rr');
SELECT * FROM migrate_rollback_plan(version => '2', project => 'rr');

-- A DROP INDEX CONCURRENTLY down script cannot run in the caller's transaction...
SELECT version FROM migrate_rollback(target => '1', project => 'rr');
SELECT current_user, current_setting('search_path') AS search_path;
SELECT version, state FROM migrate_status('rr') ORDER BY version;
-- ...nor can the runner inside a transaction block.
BEGIN;
CALL migrate_run_rollback(project => 'rr');
ROLLBACK;

-- Undoing one version while a later one is applied is refused, naming it.
CALL migrate_run_rollback(version => '2', project => 'rr');
SELECT version, state FROM migrate_status('rr') ORDER BY version;
-- Spelt otherwise, and out of order on purpose: only 2 goes, with its index.
CALL migrate_run_rollback(version => '002', out_of_order => true, project => 'rr');
SELECT version, state FROM migrate_status('rr') ORDER BY version;
SELECT count(*) AS rr_indexes FROM pg_index WHERE indrelid = 'rr_t'::regclass;

-- The refusals with their SQLSTATEs; the tracking state is as it was.
SELECT regress.try($$SELECT * FROM migrate_rollback(version => '1', project => 'rr')$$) AS later_applied,
       regress.try($$SELECT * FROM migrate_rollback(version => '9', project => 'rr')$$) AS unknown,
       regress.try($$SELECT * FROM migrate_rollback_plan(version => '1', steps => 2, project => 'rr')$$) AS combined;
SELECT regress.try($$SELECT * FROM migrate_rollback(version => '2', project => 'rr')$$) AS not_applied;
SELECT current_user, current_setting('search_path') AS search_path;
SELECT version, state FROM migrate_status('rr') ORDER BY version;

-- version excludes the other end points.
CALL migrate_run_rollback(version => '3', steps => 2, project => 'rr');
SELECT * FROM migrate_rollback(version => '3', target => '1', project => 'rr');

-- 3 by steps (the default, one), then 2 and 3 again, then everything, newest first; then
-- nothing is left to roll back.
CALL migrate_run_rollback(project => 'rr');
CALL migrate_run(project => 'rr');
SELECT version, state FROM migrate_status('rr') ORDER BY version;
CALL migrate_run_rollback(everything => true, project => 'rr');
SELECT version, state FROM migrate_status('rr') ORDER BY version;
SELECT to_regclass('rr_t') IS NULL AS table_gone;
CALL migrate_run_rollback(project => 'rr');

-- A down script that fails: the migration stays applied, the failure is in history, and
-- the caller is still itself.
SELECT migrate_register('1', 'fails down', 'CREATE TABLE rr_f (id int);',
                        'DROP TABLE rr_f; SELECT 1/0;', 'rr_fail');
CALL migrate_run(project => 'rr_fail');
CALL migrate_run_rollback(project => 'rr_fail');
SELECT current_user, current_setting('search_path') AS search_path;
SELECT version, state FROM migrate_status('rr_fail');
SELECT to_regclass('rr_f') IS NOT NULL AS table_kept;
SELECT action, version, detail FROM migrate_history('rr_fail') ORDER BY id;

-- migrate_rollback undoes one version too, in the caller's transaction.
SELECT migrate_register('1', 'a', 'CREATE TABLE rr_a ();', 'DROP TABLE rr_a;', 'rr_tx');
SELECT migrate_register('2', 'b', 'CREATE TABLE rr_b ();', 'DROP TABLE rr_b;', 'rr_tx');
CALL migrate_run(project => 'rr_tx');
SELECT version, action FROM migrate_rollback(version => '1', project => 'rr_tx');
SELECT version, action FROM migrate_rollback(version => '1', out_of_order => true, project => 'rr_tx');
SELECT version, state FROM migrate_status('rr_tx') ORDER BY version;
SELECT action, version FROM migrate_history('rr_tx') WHERE action = 'rollback';

RESET ROLE;
RESET client_min_messages;
-- The role goes with what it owns, so that the test runs again on the same cluster.
CALL regress.reset();
DROP OWNED BY ms_rollbacker;
DROP ROLE ms_rollbacker;
