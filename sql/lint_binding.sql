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
GRANT EXECUTE ON PROCEDURE migrate_run(text, text) TO regress_lb_deployer;
CREATE TABLE app.victim (id int);
INSERT INTO app.victim VALUES (1);
ALTER TABLE app.victim OWNER TO regress_lb_deployer;

SET migrations_schema.lint = 'error';
SET migrations_schema.lint_rules = 'online-safe, additive-only';
SET migrations_schema.lint_ignore_comments = off;
SET ROLE regress_lb_deployer;
-- The policy is not the deploy role's to loosen.
SET migrations_schema.lint_ignore_comments = on;
SHOW migrations_schema.lint_ignore_comments;

SELECT p, migrate_register('1', 'attack', script, NULL, p) IS NOT NULL AS registered
FROM (VALUES
    ('lb execute', $s$DO $x$ BEGIN EXECUTE 'DROP TABLE app.victim'; END $x$;$s$),
    ('lb format', $s$DO $x$ BEGIN EXECUTE format('DROP TABLE %s', 'app.victim'); END $x$;$s$),
    ('lb function', $s$CREATE FUNCTION app.lb_f() RETURNS void LANGUAGE plpgsql
AS $f$ BEGIN EXECUTE 'DROP TABLE app.victim'; END $f$;
SELECT app.lb_f();$s$),
    ('lb ignore', E'-- migrate:lint-ignore destructive\nDROP TABLE app.victim;'),
    ('lb ignore dynamic', E'-- migrate:lint-ignore dynamic-sql\nDO $x$ BEGIN EXECUTE ''DROP TABLE app.victim''; END $x$;'),
    ('lb strings off', E'SET standard_conforming_strings = off;\nSELECT ''a\\'' , ''; DROP TABLE app.victim; --'';'),
    ('lb strings comment', E'SET standard_conforming_strings = off;\nSELECT ''x\\'''' , 1 /* ''; DROP TABLE app.victim; --'' */;'),
    ('lb set_config', E'SELECT set_config(''standard_conforming_strings'', ''off'', false);\nSELECT ''a\\'' , ''; DROP TABLE app.victim; --'';'),
    ('lb backslash_quote', E'SET backslash_quote = on;\nSELECT 1;')
) AS attacks (p, script) ORDER BY p;
SELECT p, split_part(regress.try(format('SELECT * FROM migrate_apply(project => %L)', p)), ':', 1)
    AS sqlstate
FROM unnest(ARRAY['lb execute', 'lb format', 'lb function', 'lb ignore', 'lb ignore dynamic',
                  'lb strings off', 'lb strings comment', 'lb set_config',
                  'lb backslash_quote']) AS p ORDER BY p;
\set VERBOSITY terse
CALL migrate_run(project => 'lb execute');
CALL migrate_run(project => 'lb ignore');
CALL migrate_run(project => 'lb strings off');
CALL migrate_run(project => 'lb set_config');
\set VERBOSITY default
SELECT count(*) FILTER (WHERE state = 'applied') AS applied FROM migrate_status()
WHERE project LIKE 'lb %';
SELECT count(*) AS victim_rows FROM app.victim;

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
SELECT to_regclass('app.victim') IS NULL AS victim_dropped;
RESET ROLE;
RESET migrations_schema.lint;
RESET migrations_schema.lint_rules;

DROP EXTENSION migrations_schema CASCADE;
DROP SCHEMA app CASCADE;
CREATE SCHEMA app;
REVOKE ALL ON SCHEMA regress FROM regress_lb_deployer;
DROP ROLE regress_lb_deployer;
RESET client_min_messages;
