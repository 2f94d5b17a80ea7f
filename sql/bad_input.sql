-- Hostile input. Every call below fails with a clear error and a SQLSTATE, and is followed
-- by a check that the registry, the applied state and the user objects are unchanged.
CALL regress.reset();
SET search_path = app, public;
-- Helpers of this test live in schema regress: they are the test's, not the application's,
-- whose schema alone the runner watches for drift here.
SET migrations_schema.managed_schemas = app;
SELECT migrate_register('1', 'base', 'CREATE TABLE base (id int);', 'DROP TABLE base;');
SELECT version FROM migrate_apply();

-- Arguments. Each error is caught and printed with its SQLSTATE (regress.try).
SELECT regress.snapshot() AS before \gset

-- 1-4: NULLs
SELECT regress.try($$SELECT migrate_register(NULL, 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', NULL, 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', 'n', NULL)$$);
SELECT regress.try($$SELECT migrate_register('2', 'n', 'SELECT 1', NULL, NULL)$$);
-- 5-8: empty and blank strings
SELECT regress.try($$SELECT migrate_register('', 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', '', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', E' \t\n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', 'n', 'SELECT 1', NULL, '')$$);
-- 9-14: malformed versions, an injection attempt among them
SELECT regress.try($$SELECT migrate_register('abc', 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('1..2', 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('-1', 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('1.', 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register(repeat('9', 65), 'n', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2''); DROP TABLE app.base; --', 'n', 'SELECT 1')$$);
-- 15: a second spelling of an existing version
SELECT regress.try($$SELECT migrate_register('001', 'n', 'SELECT 1')$$);
-- 16-17: over-long name and project
SELECT regress.try($$SELECT migrate_register('2', repeat('n', 201), 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', 'n', 'SELECT 1', NULL, repeat('p', 201))$$);
-- 18-20: arguments of apply
SELECT regress.try($$SELECT * FROM migrate_apply(target => 'v2')$$);
SELECT regress.try($$SELECT * FROM migrate_apply(dry_run => NULL)$$);
SELECT regress.try($$SELECT * FROM migrate_apply(project => NULL)$$);
SELECT regress.snapshot() = :'before' AS unchanged_after_bad_arguments;

-- Hostile scripts. Each is registered in a project of its own and starts by creating a
-- marker table, so a half-applied script would show in the snapshot.
CREATE PROCEDURE regress.hostile(project text, script text) LANGUAGE sql AS $$
    SELECT migrate_register('1', 'hostile', 'CREATE TABLE app.' || project || '_marker (id int);' || E'\n' || script,
                            NULL, project);
$$;
CALL regress.hostile('h21', E'SELECT 1;\nCREATE TABEL t (id int);');
CALL regress.hostile('h22', E'SELECT 1;\nCOMMIT;\nSELECT 2;');
CALL regress.hostile('h23', E'SELECT 1;\nROLLBACK;');
CALL regress.hostile('h24', E'SAVEPOINT s;\nSELECT 1;');
CALL regress.hostile('h25', E'BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;');
CALL regress.hostile('h26', E'BEGIN;\nSELECT 1;');
CALL regress.hostile('h27', E'\\set x 1\nSELECT :x;');
CALL regress.hostile('h28', E'SELECT 1;\n\\i /etc/passwd\n');
CALL regress.hostile('h29', E'SELECT * FROM migrate_apply();');
CALL regress.hostile('h30', E'DO $$ BEGIN PERFORM migrate_register(''9'', ''x'', ''SELECT 1''); END $$;');
CALL regress.hostile('h31', E'DROP TABLE migrations_schema.applied;');
CALL regress.hostile('h32', E'DELETE FROM migrations_schema.applied;');
CALL regress.hostile('h33', E'UPDATE migrations_schema.migration SET up_sql = ''SELECT 1'';');
CALL regress.hostile('h34', E'TRUNCATE migrations_schema.migration;');
CALL regress.hostile('h35', E'DROP SCHEMA migrations_schema CASCADE;');
CALL regress.hostile('h36', E'DROP EXTENSION migrations_schema CASCADE;');
CALL regress.hostile('h37', E'ALTER TABLE migrations_schema.applied ADD COLUMN evil int;');
CALL regress.hostile('h38', E'CREATE TABLE migrations_schema.evil (id int);');
CALL regress.hostile('h39', E'INSERT INTO migrations_schema.applied VALUES (''default'', ''5'', ''x'', now(), ''me'', 0, 0);');
CALL regress.hostile('h40', E'COPY base FROM STDIN;');
CALL regress.hostile('h41', E'SELECT 1;\nSELECT pg_catalog.pg_advisory_xact_lock(1);\nSELECT 1 / 0;');
SELECT regress.snapshot() AS before \gset

\set VERBOSITY terse
SELECT * FROM migrate_apply(project => 'h21');
SELECT * FROM migrate_apply(project => 'h22');
SELECT * FROM migrate_apply(project => 'h23');
SELECT * FROM migrate_apply(project => 'h24');
SELECT * FROM migrate_apply(project => 'h25');
SELECT * FROM migrate_apply(project => 'h26');
SELECT * FROM migrate_apply(project => 'h27');
SELECT * FROM migrate_apply(project => 'h28');
SELECT * FROM migrate_apply(project => 'h29');
SELECT * FROM migrate_apply(project => 'h30');
SELECT * FROM migrate_apply(project => 'h31');
SELECT * FROM migrate_apply(project => 'h32');
SELECT * FROM migrate_apply(project => 'h33');
SELECT * FROM migrate_apply(project => 'h34');
SELECT * FROM migrate_apply(project => 'h35');
SELECT * FROM migrate_apply(project => 'h36');
SELECT * FROM migrate_apply(project => 'h37');
SELECT * FROM migrate_apply(project => 'h38');
SELECT * FROM migrate_apply(project => 'h39');
SELECT * FROM migrate_apply(project => 'h40');
SELECT * FROM migrate_apply(project => 'h41');
\set VERBOSITY default
SELECT regress.snapshot() = :'before' AS unchanged_after_hostile_scripts;
SELECT count(*) AS markers FROM pg_tables WHERE tablename LIKE 'h%\_marker';
-- The same errors with their SQLSTATEs.
SELECT p, regress.try(format('SELECT * FROM migrate_apply(project => %L)', p))
FROM unnest(ARRAY['h21','h22','h23','h24','h25','h26','h27','h28','h29','h30','h31','h32',
                  'h33','h34','h35','h36','h37','h38','h39','h40','h41']) AS p;
SELECT regress.snapshot() = :'before' AS still_unchanged;

-- 42: a 50 MB script whose last line is a syntax error: reported with its line, nothing runs.
SELECT migrate_register('1', 'big', 'CREATE TABLE app.big_marker (id int);' || E'\n'
                        || repeat(E'-- a line of padding in a large script\n', 1300000)
                        || 'SELEC 1;', NULL, 'h42');
SELECT length(up_sql) > 50000000 AS over_50_mb FROM migrations_schema.migration WHERE project = 'h42';
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_apply(project => 'h42');
SELECT regress.snapshot() = :'before' AS unchanged_after_large_script;

-- A 50 MB script that is valid applies (a large data literal).
SELECT migrate_register('1', 'big data', 'CREATE TABLE app.big_data (t text);' || E'\n'
                        || 'INSERT INTO app.big_data VALUES (''' || repeat('x', 50000000) || ''');',
                        NULL, 'h43');
SELECT version, statements FROM migrate_apply(project => 'h43');
SELECT length(t) FROM app.big_data;
