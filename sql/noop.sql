-- With nothing pending, migrate_apply and migrate_run answer from one query; that answer
-- must still see an applied migration whose scripts changed, and refuse as the full plan
-- would, changing nothing.
CALL regress.reset();
SET client_min_messages = warning;
SELECT migrate_register('1', 'one', 'CREATE TABLE noop_one (id int);', 'DROP TABLE noop_one;', 'noop');
SELECT version, action FROM migrate_apply(project => 'noop');
-- Nothing to do: no rows, no error.
SELECT count(*) AS nothing_to_do FROM migrate_apply(project => 'noop');
CALL migrate_run(project => 'noop');

-- The up script changes: modified, refused by both.
SELECT migrate_register('1', 'one', 'CREATE TABLE noop_one (id bigint);', 'DROP TABLE noop_one;', 'noop');
SELECT regress.try($$SELECT * FROM migrate_apply(project => 'noop')$$);
\set VERBOSITY terse
CALL migrate_run(project => 'noop');
\set VERBOSITY default
-- Only the down script changes: modified too.
SELECT migrate_register('1', 'one', 'CREATE TABLE noop_one (id int);', 'DROP TABLE IF EXISTS noop_one;', 'noop');
SELECT regress.try($$SELECT * FROM migrate_apply(project => 'noop')$$);
SELECT version, state FROM migrate_status('noop');
SELECT count(*) AS history_unchanged_by_refusals FROM migrations_schema.history
WHERE project = 'noop' AND action IN ('apply', 'failure');
RESET client_min_messages;

-- The count the answer reads stays exact through everything that changes the registry.
CREATE FUNCTION pg_temp.state_is_exact() RETURNS boolean LANGUAGE sql AS $$
    SELECT coalesce(bool_and(s.unmatched = e.unmatched), true)
           AND (SELECT count(*) FROM migrations_schema.project_state) =
               (SELECT count(DISTINCT project) FROM migrations_schema.migration)
    FROM (SELECT m.project, count(*) FILTER (WHERE NOT EXISTS (
                 SELECT FROM migrations_schema.applied a
                 WHERE a.project = m.project AND a.version = m.version
                   AND a.checksum = m.checksum)) AS unmatched
          FROM migrations_schema.migration m GROUP BY m.project) e
    JOIN migrations_schema.project_state s USING (project) $$;
SET client_min_messages = warning;
SELECT pg_temp.state_is_exact() AS after_modification;
SELECT count(*) FROM migrate_repair('noop');
SELECT pg_temp.state_is_exact() AS after_repair, unmatched FROM migrations_schema.project_state WHERE project = 'noop';
SELECT migrate_register('2', 'two', 'CREATE TABLE noop_two ();', 'DROP TABLE noop_two;', 'noop');
SELECT migrate_register('3', 'three', 'CREATE TABLE noop_three ();', 'DROP TABLE noop_three;', 'noop');
SELECT pg_temp.state_is_exact() AS after_register, unmatched FROM migrations_schema.project_state WHERE project = 'noop';
SELECT count(*) FROM migrate_apply(target => '2', project => 'noop');
SELECT pg_temp.state_is_exact() AS after_apply, unmatched FROM migrations_schema.project_state WHERE project = 'noop';
SELECT migrate_unregister('3', 'noop');
SELECT count(*) AS nothing_to_do FROM migrate_apply(project => 'noop');
SELECT count(*) FROM migrate_rollback(steps => 2, project => 'noop');
SELECT pg_temp.state_is_exact() AS after_rollback, unmatched FROM migrations_schema.project_state WHERE project = 'noop';
CALL migrate_run(project => 'noop');
SELECT migrate_register('1', 'x', 'SELECT 1;', NULL, 'noop_baseline');
SELECT count(*) FROM migrate_baseline('1', 'noop_baseline');
SELECT pg_temp.state_is_exact() AS after_run_and_baseline;
-- Even under session_replication_role = replica, which skips ordinary triggers.
SET session_replication_role = replica;
SELECT migrate_register('4', 'four', 'SELECT 4;', NULL, 'noop');
RESET session_replication_role;
SELECT count(*) AS four_is_pending FROM migrate_apply(project => 'noop');
SELECT pg_temp.state_is_exact() AS under_replica;
-- One statement that registers a folder or records a run's migrations moves the count once
-- per project, also for a project that has no row yet (its count is then taken whole).
\getenv abs_srcdir PG_ABS_SRCDIR
SELECT migrate_load_dir(:'abs_srcdir' || '/test/fixtures/plain', 'noop_many');
SELECT pg_temp.state_is_exact() AS after_folder, unmatched
FROM migrations_schema.project_state WHERE project = 'noop_many';
DELETE FROM migrations_schema.project_state WHERE project = 'noop_many';
SELECT count(*) AS applied_together FROM migrate_apply(project => 'noop_many');
SELECT pg_temp.state_is_exact() AS after_run_without_row, unmatched
FROM migrations_schema.project_state WHERE project = 'noop_many';
DELETE FROM migrations_schema.applied WHERE project = 'noop_many' AND version <> '001';
SELECT pg_temp.state_is_exact() AS after_two_deleted, unmatched
FROM migrations_schema.project_state WHERE project = 'noop_many';
UPDATE migrations_schema.applied SET checksum = 'x' WHERE project = 'noop_many';
SELECT pg_temp.state_is_exact() AS after_update, unmatched
FROM migrations_schema.project_state WHERE project = 'noop_many';
-- Lost (a restore without triggers): the answer falls back to the full comparison.
DELETE FROM migrations_schema.project_state;
SELECT migrate_register('5', 'five', 'SELECT 5;', NULL, 'noop');
SELECT unmatched AS rebuilt_on_the_next_change FROM migrations_schema.project_state;
DELETE FROM migrations_schema.project_state;
SELECT count(*) AS five_is_pending FROM migrate_apply(project => 'noop');
RESET client_min_messages;
