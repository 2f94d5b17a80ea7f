-- Dry runs rehearse what cannot run in a transaction: CONCURRENTLY removed, statements that
-- only run at top level skipped, all rolled back; with a plain warning of what the rehearsal
-- blocks. Each migration of a dry run lists the locks it needs, even those an earlier one
-- took, and the sizes of the relations it locks. Run as a deploy role.
CALL regress.reset();
CREATE ROLE ms_rehearser LOGIN;
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text),
                          migrate_status(text), migrate_test(text, text),
                          migrate_unregister(text, text),
                          migrate_apply(text, boolean, text, boolean),
                          migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean)
    TO ms_rehearser;
GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO ms_rehearser;
GRANT CREATE ON SCHEMA public TO ms_rehearser;
SET ROLE ms_rehearser;
CREATE TABLE rh_big AS SELECT g AS id, 'x' || g AS email FROM generate_series(1, 10000) g;
SELECT migrate_register('1', 'alter', 'ALTER TABLE rh_big ADD COLUMN flag boolean;', NULL, 'rh');
SELECT migrate_register('2', 'index', E'CREATE INDEX CONCURRENTLY rh_email ON rh_big (email);\nVACUUM rh_big;',
                        'DROP INDEX CONCURRENTLY rh_email;', 'rh');
SELECT migrate_register('3', 'alter again', 'ALTER TABLE rh_big ADD COLUMN other int;',
                        'ALTER TABLE rh_big DROP COLUMN other;', 'rh');

SELECT version, action, statements, locks, rewritten, rehearsal,
       relation_bytes ? 'public.rh_big' AS has_size,
       (relation_bytes ->> 'public.rh_big')::bigint > 300000 AS size_of_10000_rows
FROM migrate_apply(dry_run => true, project => 'rh');
-- Nothing is left: no column, no index, nothing recorded.
SELECT count(*) AS columns FROM pg_attribute WHERE attrelid = 'rh_big'::regclass AND attname = 'flag';
SELECT count(*) AS indexes FROM pg_indexes WHERE tablename = 'rh_big';
SELECT version, state FROM migrate_status('rh') ORDER BY version;

-- A real apply still refuses the top-level statement; the runner does it.
SELECT version FROM migrate_apply(project => 'rh');
SET client_min_messages = warning;
CALL migrate_run(project => 'rh');
RESET client_min_messages;
SELECT version, state FROM migrate_status('rh') ORDER BY version;

-- Rolling back is rehearsed too: DROP INDEX CONCURRENTLY without CONCURRENTLY.
SELECT version, action, locks, rehearsal
FROM migrate_rollback(target => '1', dry_run => true, project => 'rh');
SELECT version, state FROM migrate_status('rh') ORDER BY version;
SELECT count(*) AS indexes_kept FROM pg_indexes WHERE tablename = 'rh_big';

-- A script marked migrate:no-transaction runs in one transaction in its rehearsal.
SELECT migrate_register('4', 'marked', E'-- migrate:no-transaction\nCREATE TABLE rh_marked (id int);', NULL, 'rh');
SELECT version, rehearsal FROM migrate_apply(dry_run => true, project => 'rh');
SELECT to_regclass('rh_marked') IS NULL AS nothing_kept;

-- A value added to an enum can be used only once its transaction commits. The run commits
-- after each migration, so 11.1 may use what 11 added; a rehearsal in one transaction
-- cannot, and says so in the row of the migration it stopped in, rehearsing what it can.
CREATE TYPE rh_status AS ENUM ('active');
CREATE TABLE rh_accounts (id int, status rh_status DEFAULT 'active');
INSERT INTO rh_accounts VALUES (1);
SELECT migrate_register('11', 'revoked', E'ALTER TYPE rh_status ADD VALUE ''revoked'';', NULL, 'en');
SELECT migrate_register('11.1', 'use revoked',
                        E'ALTER TABLE rh_accounts ADD COLUMN note text;\nUPDATE rh_accounts SET status = ''revoked'';',
                        'ALTER TABLE rh_accounts DROP COLUMN note;', 'en');
SELECT migrate_register('12', 'later', 'CREATE TABLE rh_later (id int);', 'DROP TABLE rh_later;', 'en');
SELECT version, action, statements, locks, rehearsal
FROM migrate_apply(dry_run => true, project => 'en');
-- migrate_test: the same stop, named, and what follows not tested.
SELECT version, reversible, detail FROM migrate_test('en');
-- Nothing is left, and the run applies all three.
SELECT count(*) AS revoked_rows FROM rh_accounts WHERE status::text = 'revoked';
SELECT to_regclass('rh_later') IS NULL AS nothing_kept;
SET client_min_messages = warning;
CALL migrate_run(project => 'en');
RESET client_min_messages;
SELECT version, state FROM migrate_status('en') ORDER BY version;
SELECT status::text, note FROM rh_accounts;

-- Inside one migration, a statement that runs at top level is a commit in the run: what
-- follows it may use a value added before it, and the rehearsal goes on.
SELECT migrate_register('13', 'split',
                        E'ALTER TYPE rh_status ADD VALUE ''paused'';\nVACUUM rh_accounts;\nUPDATE rh_accounts SET status = ''paused'';',
                        NULL, 'en');
SELECT version, statements, rehearsal FROM migrate_apply(dry_run => true, project => 'en');
SELECT migrate_unregister('13', 'en');
-- Using a value added in the same transaction of the run fails the run too: the rehearsal
-- fails the same way, naming the migration and line.
SELECT migrate_register('14', 'same transaction',
                        E'ALTER TYPE rh_status ADD VALUE ''closed'';\nUPDATE rh_accounts SET status = ''closed'';',
                        NULL, 'en');
SELECT version FROM migrate_apply(dry_run => true, project => 'en');
SELECT version, reversible, detail FROM migrate_test('en');
SELECT migrate_unregister('14', 'en');
-- An enum value the caller added in its own transaction before the dry run is not the
-- rehearsal's: using it fails, as the run inside that transaction would.
BEGIN;
ALTER TYPE rh_status ADD VALUE 'frozen';
SELECT migrate_register('15', 'uses caller value', E'UPDATE rh_accounts SET status = ''frozen'';', NULL, 'en');
SELECT version FROM migrate_apply(dry_run => true, project => 'en');
ROLLBACK;
SELECT version, state FROM migrate_status('en') ORDER BY version;

RESET ROLE;
-- The role goes with what it owns, so that the test runs again on the same cluster.
CALL regress.reset();
DROP OWNED BY ms_rehearser;
DROP ROLE ms_rehearser;
