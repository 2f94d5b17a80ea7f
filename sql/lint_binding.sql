-- With migrations_schema.lint = error, the policy binds the role that deploys: settings that
-- change how SQL is lexed cannot make a script run other statements than those split and
-- linted; SQL built at run time is a finding of its own (dynamic-sql, an error under
-- online-safe and additive-only); and lint-ignore comments are honoured only while the
-- superuser setting migrations_schema.lint_ignore_comments allows them.
CALL regress.reset();
SET client_min_messages = warning;
CREATE ROLE regress_lb_deployer;
GRANT USAGE, CREATE ON SCHEMA app TO regress_lb_deployer;
GRANT USAGE ON SCHEMA regress TO regress_lb_deployer;
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text),
    migrate_apply(text, boolean, text, boolean), migrate_status(text) TO regress_lb_deployer;
GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO regress_lb_deployer;

-- Each attack is a project of its own, against a table of its own that the deploy role owns.
CREATE TEMP TABLE attack (p text PRIMARY KEY, script text);
INSERT INTO attack VALUES
    ('lb execute', $s$DO $x$ BEGIN EXECUTE 'DROP TABLE {v}'; END $x$;$s$),
    ('lb format', $s$DO $x$ BEGIN EXECUTE format('DROP TABLE %s', '{v}'); END $x$;$s$),
    ('lb function', $s$CREATE FUNCTION app.lb_f() RETURNS void LANGUAGE plpgsql
AS $f$ BEGIN EXECUTE 'DROP TABLE {v}'; END $f$;
SELECT app.lb_f();$s$),
    ('lb procedure', $s$CREATE PROCEDURE app.lb_p() LANGUAGE plpgsql
AS $f$ BEGIN EXECUTE 'DROP TABLE {v}'; END $f$;
CALL app.lb_p();$s$),
    ('lb ignore', E'-- migrate:lint-ignore destructive\nDROP TABLE {v};'),
    ('lb ignore dynamic', E'-- migrate:lint-ignore dynamic-sql\nDO $x$ BEGIN EXECUTE ''DROP TABLE {v}''; END $x$;'),
    ('lb strings off', E'SET standard_conforming_strings = off;\nSELECT ''a\\'' , ''; DROP TABLE {v}; --'';'),
    ('lb strings comment', E'SET standard_conforming_strings = off;\nSELECT ''x\\'''' , 1 /* ''; DROP TABLE {v}; --'' */;'),
    ('lb set_config', E'SELECT set_config(''standard_conforming_strings'', ''off'', false);\nSELECT ''a\\'' , ''; DROP TABLE {v}; --'';'),
    ('lb backslash_quote', E'SET backslash_quote = on;\nSELECT 1;');
SELECT format('CREATE TABLE %s (id int)', 'app.' || replace(p, ' ', '_')),
       format('ALTER TABLE %s OWNER TO regress_lb_deployer', 'app.' || replace(p, ' ', '_'))
FROM attack ORDER BY p \gexec
GRANT SELECT ON attack TO regress_lb_deployer;

SET migrations_schema.lint = 'error';
SET migrations_schema.lint_rules = 'online-safe, additive-only';
SET migrations_schema.lint_ignore_comments = off;
SET ROLE regress_lb_deployer;
-- The policy is not the deploy role's to loosen.
SET migrations_schema.lint_ignore_comments = on;
SHOW migrations_schema.lint_ignore_comments;

SELECT p, migrate_register('1', 'attack', replace(script, '{v}', 'app.' || replace(p, ' ', '_')),
                           NULL, p) IS NOT NULL AS registered
FROM attack ORDER BY p;
SELECT p, split_part(regress.try(format('SELECT * FROM migrate_apply(project => %L)', p)), ':', 1)
    AS sqlstate
FROM attack ORDER BY p;
\set VERBOSITY terse
CALL migrate_run(project => 'lb execute');
CALL migrate_run(project => 'lb ignore');
CALL migrate_run(project => 'lb strings off');
CALL migrate_run(project => 'lb set_config');
\set VERBOSITY default
SELECT count(*) FILTER (WHERE state = 'applied') AS applied FROM migrate_status()
WHERE project LIKE 'lb %';
SELECT p, to_regclass('app.' || replace(p, ' ', '_')) IS NOT NULL AS table_kept
FROM attack ORDER BY p;

-- Setting a lexing setting to the value it has changes nothing (pg_dump's preamble does).
SELECT migrate_register('1', 'preamble',
    E'SET standard_conforming_strings = on;\nCREATE TABLE app.lb_preamble (id int);', NULL,
    'lb preamble');
SELECT version FROM migrate_apply(project => 'lb preamble');
RESET ROLE;

-- Where the superuser allows lint-ignore comments (the default), they silence their rule.
RESET migrations_schema.lint_ignore_comments;
SET ROLE regress_lb_deployer;
SELECT version FROM migrate_apply(project => 'lb ignore dynamic');
SELECT to_regclass('app.lb_ignore_dynamic') IS NULL AS dropped;
RESET ROLE;

-- A rollback plan names a down script's dynamic SQL with what it destroys.
SELECT migrate_register('1', 'down', 'SELECT 1;',
    $s$DO $x$ BEGIN EXECUTE 'DROP TABLE app.lb_execute'; END $x$;$s$, 'lb down');
SELECT version FROM migrate_apply(project => 'lb down');
SELECT version, destructive FROM migrate_rollback_plan(project => 'lb down');
RESET migrations_schema.lint;
RESET migrations_schema.lint_rules;

DROP EXTENSION migrations_schema CASCADE;
DROP SCHEMA app CASCADE;
CREATE SCHEMA app;
DROP TABLE attack;
REVOKE ALL ON SCHEMA regress FROM regress_lb_deployer;
DROP ROLE regress_lb_deployer;
RESET client_min_messages;
