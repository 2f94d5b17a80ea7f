-- migrate_validate: one row per problem, nothing changed; no rows means healthy.
CALL regress.reset();
SET search_path = app, public;
SELECT * FROM migrate_validate();
SELECT migrate_register('1', 'a', 'SELECT 1;', 'SELECT 1;');
SELECT migrate_register('2', 'b', 'SELECT 2;', 'SELECT 2;');
SELECT version FROM migrate_apply();
SELECT count(*) AS problems FROM migrate_validate();

-- Every kind of problem at once.
SELECT migrate_register('3', 'no down', 'SELECT 3;');
SELECT migrate_register('5', 'newest', 'SELECT 5;', 'SELECT 5;');
SELECT version FROM migrate_apply();
SELECT migrate_register('4', 'late', 'SELECT 4;');                   -- out of order
SELECT migrate_register('1', 'a', 'SELECT 1 + 0;', 'SELECT 1;');     -- modified
DELETE FROM migrations_schema.migration WHERE version = '2';          -- missing
-- A failed attempt, as the production runner records it.
INSERT INTO migrations_schema.failure (project, version, failed_by, error)
VALUES ('default', '4', current_user, 'division by zero');
-- One version recorded under two spellings, and a spelling that differs from the registry.
INSERT INTO migrations_schema.applied (project, version, checksum, applied_by, duration_ms, statements, kind)
VALUES ('other', '7', 'x', current_user, 0, 0, 'imported'),
       ('other', '007', 'x', current_user, 0, 0, 'imported');
SELECT migrate_register('07', 'seven', 'SELECT 7;', 'SELECT 7;', 'other');

SELECT regress.snapshot() AS before \gset
SELECT severity, project, version, problem, detail FROM migrate_validate();
SELECT count(*) FROM migrate_validate('other');
SELECT DISTINCT hint IS NOT NULL AS every_problem_has_a_hint FROM migrate_validate();
SELECT regress.snapshot() = :'before' AS unchanged;

-- A forward-only project (migrations_schema.forward_only): no no_down_script warnings, not
-- even under require_down; forward-only in migrate_test; rollbacks and their plan say there
-- is nothing to roll back with, changing nothing. Other projects are as before.
SELECT migrate_register('1', 'one', 'CREATE TABLE fwd_one (id int);', NULL, 'fwd');
SELECT migrate_register('2', 'two', 'CREATE TABLE fwd_two (id int);', NULL, 'fwd');
SELECT version FROM migrate_apply(target => '1', project => 'fwd');
SELECT problem FROM migrate_validate('fwd');
SET migrations_schema.forward_only = 'analytics, fwd';
SET migrations_schema.require_down = on;
SELECT problem FROM migrate_validate('fwd');
SELECT version, reversible, detail FROM migrate_test('fwd');
RESET migrations_schema.require_down;
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_rollback(project => 'fwd');
SELECT * FROM migrate_rollback(project => 'fwd', dry_run => true);
SELECT * FROM migrate_rollback_plan(project => 'fwd');
CALL migrate_run_rollback(project => 'fwd');
SELECT regress.snapshot() = :'before' AS unchanged;
SELECT count(*) AS other_projects_warned FROM migrate_validate() WHERE problem = 'no_down_script';
SET migrations_schema.forward_only = '*';
SELECT count(*) AS every_project FROM migrate_validate() WHERE problem = 'no_down_script';
RESET migrations_schema.forward_only;
