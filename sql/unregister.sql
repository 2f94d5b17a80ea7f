-- The registry follows the folder: migrate_unregister forgets a pending or failed
-- migration (never an applied one), migrate_prune and migrate_load_dir(prune => true)
-- forget the pending ones a folder no longer has. Each is a history row. Run as a deploy
-- role holding only EXECUTE.
CALL regress.reset();
CREATE ROLE ms_pruner LOGIN;
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text),
                          migrate_status(text), migrate_history(text),
                          migrate_unregister(text, text), migrate_prune(text[], text)
    TO ms_pruner;
GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO ms_pruner;
GRANT CREATE ON SCHEMA public TO ms_pruner;
GRANT USAGE ON SCHEMA regress TO ms_pruner;
SET ROLE ms_pruner;
SET client_min_messages = warning;

SELECT migrate_register('1', 'applied', 'CREATE TABLE un_a ();', NULL, 'un');
CALL migrate_run(project => 'un');
SELECT migrate_register('2', 'fails', 'SELECT 1/0;', NULL, 'un');
SELECT migrate_register('3', 'pending', 'CREATE TABLE un_b ();', NULL, 'un');
SELECT migrate_register('4', 'pending too', 'SELECT 1;', NULL, 'un');
CALL migrate_run(project => 'un');
SELECT version, state FROM migrate_status('un') ORDER BY version;

-- Applied ones stay; unknown ones are named.
SELECT migrate_unregister('1', 'un');
SELECT migrate_unregister('9', 'un');
SELECT migrate_unregister(NULL, 'un');
-- The same refusals with their SQLSTATEs.
SELECT regress.try($$SELECT migrate_unregister('1', 'un')$$) AS applied,
       regress.try($$SELECT migrate_unregister('9', 'un')$$) AS unknown;
SELECT regress.try($$SELECT * FROM migrate_prune(NULL, 'un')$$) AS null_keep,
       regress.try($$SELECT * FROM migrate_prune(ARRAY['4', NULL], 'un')$$) AS null_element;
SELECT current_user, current_setting('search_path') AS search_path;
SELECT version, state FROM migrate_status('un') ORDER BY version;

-- A failed one (spelt otherwise) and a pending one go; the failure record with them.
SELECT migrate_unregister('002', 'un');
SELECT migrate_unregister('3', 'un');
SELECT version, state FROM migrate_status('un') ORDER BY version;
SELECT count(*) AS failures_left FROM migrate_status('un') WHERE state = 'failed';

-- Prune keeps what the folder has and every applied migration.
SELECT migrate_register('5', 'renamed away', 'SELECT 5;', NULL, 'un');
SELECT * FROM migrate_prune(ARRAY['4'], 'un');
SELECT version, state FROM migrate_status('un') ORDER BY version;
SELECT * FROM migrate_prune(ARRAY['4'], 'un');
SELECT * FROM migrate_prune(NULL, 'un');
SELECT * FROM migrate_prune(ARRAY['4', NULL], 'un');

SELECT action, version, old_checksum IS NOT NULL AS has_checksum, detail
FROM migrate_history('un') WHERE action = 'unregister' ORDER BY id;

-- Registered again, a version is new, and its old failure does not come back.
SELECT migrate_register('2', 'back', 'CREATE TABLE un_b ();', NULL, 'un');
SELECT version, state FROM migrate_status('un') ORDER BY version;
RESET ROLE;
RESET client_min_messages;

-- migrate_load_dir(prune => true), as a superuser (it reads server files).
\getenv abs_srcdir PG_ABS_SRCDIR
\set fixtures :abs_srcdir '/test/fixtures'
SELECT migrate_load_dir(:'fixtures' || '/plain', 'un_dir');
SELECT migrate_register('999', 'not in the folder', 'SELECT 1;', NULL, 'un_dir');
SELECT migrate_load_dir(:'fixtures' || '/plain', 'un_dir');
SELECT count(*) AS registered FROM migrate_status('un_dir');
SELECT migrate_load_dir(:'fixtures' || '/plain', 'un_dir', prune => true);
SELECT version FROM migrate_status('un_dir') ORDER BY version;
SELECT migrate_load_dir(:'fixtures' || '/plain', 'un_dir', prune => NULL);
-- The role goes with what it owns, so that the test runs again on the same cluster.
CALL regress.reset();
DROP OWNED BY ms_pruner;
DROP ROLE ms_pruner;
