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
