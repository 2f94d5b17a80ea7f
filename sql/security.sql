-- Who may migrate, and with whose rights migrations run.
CALL regress.reset();
CREATE ROLE regress_nobody;
CREATE ROLE regress_app;
CREATE SCHEMA app_sec AUTHORIZATION regress_app;
CREATE SCHEMA admin_only;

-- EXECUTE is revoked from PUBLIC: a role without grants is refused.
SELECT proname, has_function_privilege('regress_nobody', oid, 'EXECUTE') AS nobody_may_run
FROM pg_proc WHERE proname LIKE 'migrate\_%' ORDER BY proname;
SET ROLE regress_nobody;
SELECT * FROM migrate_status();
SELECT migrate_register('1', 'x', 'SELECT 1');
SELECT * FROM migrate_apply();
SELECT * FROM migrate_rollback();
RESET ROLE;

-- The owner grants EXECUTE; that is all a deploying role needs. It never gets rights on the
-- tracking tables, and its migrations run with its own rights.
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text),
                          migrate_apply(text, boolean, text, boolean),
                          migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean),
                          migrate_status(text) TO regress_app;
SET ROLE regress_app;
SET search_path = app_sec;
SELECT public.migrate_register('1', 'own schema', 'CREATE TABLE accounts (id int);', 'DROP TABLE accounts;');
SELECT version, statements FROM public.migrate_apply();
SELECT version, state, applied_by FROM public.migrate_status();
SELECT tableowner FROM pg_tables WHERE schemaname = 'app_sec' AND tablename = 'accounts';
-- No direct access to the tracking tables.
SELECT * FROM migrations_schema.applied;
-- A migration needing rights the role lacks fails, and nothing is applied.
SELECT public.migrate_register('2', 'not mine', 'CREATE TABLE app_sec.b (id int); CREATE TABLE admin_only.t (id int);');
SELECT * FROM public.migrate_apply();
SELECT public.migrate_register('2', 'escalate', 'CREATE ROLE regress_evil SUPERUSER;');
-- Refused with 42501 on every version; the wording differs (15: "must be superuser to create
-- superusers", 18: "permission denied to create role"), so only the SQLSTATE is shown.
\set VERBOSITY sqlstate
SELECT * FROM public.migrate_apply();
\set VERBOSITY default
SELECT version, state FROM public.migrate_status();
SELECT to_regclass('app_sec.b') AS b;

-- Objects the caller can create cannot take part in the runner's own queries: an operator
-- "=" that matches everything, first on the search_path, does not mix up projects.
CREATE FUNCTION app_sec.always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR app_sec.= (LEFTARG = text, RIGHTARG = text, FUNCTION = app_sec.always);
CREATE TABLE app_sec.migration (project text, version text);
SET search_path = app_sec, pg_catalog, public;
SELECT migrate_register('2', 'fine', 'CREATE TABLE app_sec.c (id int);', 'DROP TABLE app_sec.c;');
SELECT migrate_register('1', 'other project', 'CREATE TABLE app_sec.other (id int);', NULL, 'other');
SELECT version, name FROM migrate_apply();
SELECT project, version, state FROM migrate_status() ORDER BY 1, 2;
SELECT version FROM migrate_rollback();
RESET search_path;
RESET ROLE;

DROP EXTENSION migrations_schema CASCADE;
DROP SCHEMA app_sec CASCADE;
DROP SCHEMA admin_only;
DROP ROLE regress_nobody;
DROP ROLE regress_app;
