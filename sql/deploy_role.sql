-- A deploy role holding only EXECUTE on the runner stays itself through every failure:
-- identity, settings and the tracking state are intact afterwards, and each failure of
-- CALL migrate_run() is recorded, the very first migration's included.
CALL regress.reset();
CREATE ROLE ms_deployer LOGIN;
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text) TO ms_deployer;
GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO ms_deployer;
GRANT EXECUTE ON FUNCTION migrate_status(text) TO ms_deployer;
GRANT CREATE ON SCHEMA public TO ms_deployer;
SET ROLE ms_deployer;
SET client_min_messages = warning;  -- durations in NOTICEs are not deterministic

-- The first migration of a call fails: recorded as failed, nothing of it kept.
SELECT migrate_register('1', 'fails first', 'CREATE TABLE dr_one (id int); SELECT 1/0;', NULL, 'dr');
CALL migrate_run(project => 'dr');
SELECT current_user, current_setting('search_path') AS search_path;
SELECT version, state FROM migrate_status('dr');
SELECT to_regclass('dr_one') IS NULL AS nothing_kept;

-- Settings and the role a migration changes end with it; applied_by names the caller.
SELECT migrate_register('1', 'fails first', 'CREATE TABLE dr_one (id int);', NULL, 'dr2');
SELECT migrate_register('2', 'sets things',
    'SET search_path = pg_catalog; SET work_mem = ''1MB'';
     SET default_transaction_read_only = on; CREATE TABLE public.dr_two (id int);', NULL, 'dr2');
SELECT migrate_register('3', 'after', 'CREATE TABLE dr_three (id int);', NULL, 'dr2');
CALL migrate_run(project => 'dr2');
SELECT current_user, current_setting('search_path') AS search_path,
       current_setting('work_mem') AS work_mem,
       current_setting('default_transaction_read_only') AS read_only;
SELECT version, state, applied_by FROM migrate_status('dr2') ORDER BY version;

-- migrations_schema.statement_timeout cancels an ordinary statement of migrate_run.
SET migrations_schema.statement_timeout = '100ms';
SELECT migrate_register('1', 'slow', 'SELECT pg_sleep(3);', NULL, 'dr3');
CALL migrate_run(project => 'dr3');
SELECT version, state FROM migrate_status('dr3');
RESET migrations_schema.statement_timeout;

-- A syntax error in a later migration stops the call before the first one commits.
SELECT migrate_register('1', 'fine', 'CREATE TABLE dr_four (id int);', NULL, 'dr4');
SELECT migrate_register('2', 'broken', 'CREATE TABLE (;', NULL, 'dr4');
CALL migrate_run(project => 'dr4');
SELECT version, state FROM migrate_status('dr4') ORDER BY version;
SELECT to_regclass('dr_four') IS NULL AS first_not_applied;

-- The fault injection setting is for superusers only.
SET migrations_schema.fault_injection = 'commit';
SELECT current_user;
RESET ROLE;

-- As a superuser, an error injected at commit: still the deploy role afterwards.
SET client_min_messages = warning;
SET migrations_schema.fault_injection = 'commit:2';
SET ROLE ms_deployer;
SELECT migrate_register('1', 'one', 'CREATE TABLE dr_five (id int);', NULL, 'dr5');
CALL migrate_run(project => 'dr5');
SELECT current_user, current_setting('search_path') AS search_path;
RESET ROLE;
-- The project's lease went with the failed call.
SELECT count(*) AS leases FROM migrations_schema.runner_lease WHERE pid IS NOT NULL;
RESET migrations_schema.fault_injection;
SET ROLE ms_deployer;
CALL migrate_run(project => 'dr5');
SELECT version, state FROM migrate_status('dr5');
RESET ROLE;

-- A superuser's migration switching role or replication role: both end with it.
SET client_min_messages = warning;
SELECT migrate_register('1', 'switches', 'SET session_replication_role = replica; SET ROLE ms_deployer;', NULL, 'dr7');
SELECT migrate_register('2', 'after', 'CREATE TABLE dr_seven (id int);', NULL, 'dr7');
CALL migrate_run(project => 'dr7');
SELECT current_user, current_setting('session_replication_role') AS replication_role;
SELECT tableowner FROM pg_tables WHERE tablename = 'dr_seven';
SELECT version, applied_by FROM migrate_status('dr7') ORDER BY version;
DROP TABLE dr_seven;
RESET client_min_messages;

-- The drift log keeps the statement that did the DDL, never a client string of several
-- (one of them could have set a password): each statement of such a string keeps its part.
CREATE TABLE dr_single (id int);
CREATE TABLE dr_multi_a (id int) \; CREATE TABLE dr_multi_b (id int);
SELECT object_identity, statement FROM migrations_schema.drift_log
WHERE object_identity LIKE 'public.dr\_%' ORDER BY object_identity;
DROP TABLE dr_single, dr_multi_a, dr_multi_b;

-- migrate_import reads a table the caller chooses; a view over a function doing DDL is the
-- caller's DDL, not the runner's: refused under ddl_guard = error, logged otherwise.
CREATE SCHEMA dr_gm;
CREATE FUNCTION dr_gm.sneaky() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    CREATE TABLE public.dr_sneaky (id int);
    RETURN false;
END $$;
CREATE VIEW dr_gm.schema_migrations AS SELECT 1::bigint AS version, dr_gm.sneaky() AS dirty;
SET migrations_schema.ddl_guard = error;
SELECT regress.try($$SELECT * FROM migrate_import('golang-migrate', 'dr6', 'dr_gm')$$);
RESET migrations_schema.ddl_guard;
SELECT to_regclass('public.dr_sneaky') IS NULL AS refused;
SELECT count(*) AS rows FROM migrate_import('golang-migrate', 'dr6', 'dr_gm');
SELECT command_tag, object_identity FROM migrations_schema.drift_log
WHERE object_identity = 'public.dr_sneaky';
DROP SCHEMA dr_gm CASCADE;
DROP TABLE dr_sneaky;

-- Calling oneself pg_restore silences the drift log for superusers only.
-- (A session of the deploy role's own: SET ROLE would keep the superuser's session.)
\c - ms_deployer
SET application_name = 'pg_restore';
CREATE TABLE dr_restored (id int);
\c - postgres
SELECT count(*) AS logged FROM migrations_schema.drift_log
WHERE object_identity = 'public.dr_restored';

DROP OWNED BY ms_deployer;
DROP ROLE ms_deployer;
