-- Names, projects, versions and labels with control characters are refused (22023) where
-- they enter, and the refusal shows them escaped; identities in a desired schema are parsed,
-- never pasted into the scripts (22023). After each refusal the registry, the applied state
-- and the user objects are as they were.
CALL regress.reset();
SET search_path = app, public;
SET migrations_schema.managed_schemas = app;
SELECT migrate_register('1', 'base', 'CREATE TABLE base (id int);', 'DROP TABLE base;');
SELECT version FROM migrate_apply();
SELECT regress.snapshot() AS before \gset

-- An escape sequence, a carriage return, a newline, a bell and DEL in a name, a project
-- and a version (C1 controls are refused alike: test/unit/test_control_characters.cpp).
SELECT regress.try($$SELECT migrate_register('2', E'name\x1b[31m', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', E'over\rwrite', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', E'two\nlines', 'SELECT 1')$$);
SELECT regress.try($$SELECT migrate_register('2', 'n', 'SELECT 1', NULL, E'proj\x07')$$);
SELECT regress.try($$SELECT migrate_register('2', 'n', 'SELECT 1', NULL, E'proj\x7f')$$);
SELECT regress.try($$SELECT migrate_register(E'2\x1b[2J', 'n', 'SELECT 1')$$);
-- Wherever a project or version enters.
SELECT regress.try($$SELECT * FROM migrate_apply(project => E'p\x1b')$$);
SELECT regress.try($$SELECT * FROM migrate_baseline(E'1\x1b[0m')$$);
SELECT regress.try($$SELECT * FROM migrate_baseline('1', E'p\n')$$);
SELECT regress.try($$SELECT migrate_unregister(E'1\r')$$);
SELECT regress.try($$SELECT * FROM migrate_repair(E'p\x1b')$$);
SELECT regress.try($$SELECT * FROM migrate_rollback(project => E'p\x1b', dry_run => true)$$);
SELECT regress.try($$SELECT * FROM migrate_prune(ARRAY['1'], E'p\x1b')$$);
-- A procedure, at top level (it refuses to run inside a transaction block).
\set VERBOSITY terse
CALL migrate_run(project => E'p\x1b');
CALL migrate_run_rollback(project => E'p\x1b');
\set VERBOSITY default
SELECT regress.snapshot() = :'before' AS unchanged;
-- Nothing was registered under any of those names.
SELECT count(*) FROM migrations_schema.migration
WHERE project ~ '[[:cntrl:]]' OR name ~ '[[:cntrl:]]' OR version ~ '[[:cntrl:]]';

-- Printable text is a name like any other.
SELECT migrate_register('2', 'spaces, (parens) & ''quotes''', 'SELECT 1', NULL, 'p q');
SELECT version, name FROM migrate_status('p q');
SELECT migrate_unregister('2', 'p q');
SELECT regress.snapshot() AS before \gset

-- Identities that are not quoted names: the first would have given
-- "CREATE TABLE gen.x; DROP TABLE app.base (" in the up script.
SELECT regress.try($$SELECT * FROM migrate_generate(
    '{"table": {"gen.x; DROP TABLE app.base": {"kind": "table", "persistence": "permanent"}}}')$$);
SELECT regress.try($$SELECT * FROM migrate_generate(
    '{"schema": {"gen": {"name": "gen"}}, "table": {"gen.T": {"kind": "table"}}}')$$);
SELECT regress.try($$SELECT * FROM migrate_generate(
    '{"column": {"app.base.id\" int; DROP TABLE app.base; --": {"type": "integer"}}}')$$);
SELECT regress.try($$SELECT * FROM migrate_generate(
    '{"function": {"app.f(integer); DROP TABLE app.base; --)": {"kind": "function"}}}')$$);
SELECT regress.try($$SELECT * FROM migrate_generate(
    '{"schema": {"app": {"name": "app"}}}', ARRAY['app'], source => E'x\nDROP TABLE app.base;')$$);
-- In a description, in its dependencies too.
SELECT regress.try($$SELECT * FROM migrate_generate(jsonb_build_object(
    'fingerprint', migrate_schema_fingerprint(ARRAY['app']),
    'dependencies', '[["table", "app.base", "schema", "app; DROP TABLE app.base"]]'::jsonb),
    ARRAY['app'])$$);
SELECT regress.snapshot() = :'before' AS unchanged;
-- Quoted names that need their quotes are identities like any other.
SELECT up ~ 'CREATE TABLE app."My T"' AS quoted_name_kept
FROM migrate_generate(jsonb_build_object('fingerprint',
    migrate_schema_fingerprint(ARRAY['app'])
    || '{"table": {"app.\"My T\"": {"kind": "table", "persistence": "permanent"}}}'::jsonb),
    ARRAY['app']);
