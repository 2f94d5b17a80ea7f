-- migrate_history: the append-only log of every change to the migration state.
CALL regress.reset();
SET search_path = app, public;
SET application_name = 'regress deploy';
SELECT migrate_register('1', 'a', 'CREATE TABLE h (id int);', 'DROP TABLE h;');
SELECT migrate_register('1', 'a', 'CREATE TABLE h (id int);', 'DROP TABLE h;');   -- no change: not logged
SELECT migrate_register('1', 'a', 'CREATE TABLE h (id bigint);', 'DROP TABLE h;');
SELECT migrate_register('2', 'b', 'SELECT 2;', NULL, 'other');
SELECT version FROM migrate_apply();
SELECT version FROM migrate_rollback();
SELECT version FROM migrate_apply(dry_run => true);   -- rolled back: leaves no history
SELECT version FROM migrate_apply();
BEGIN;
SELECT version FROM migrate_rollback();
ROLLBACK;                                              -- the caller's rollback: no history

SELECT project, version, action, role_name = current_user AS by_me, application_name,
       duration_ms IS NOT NULL AS timed, checksum IS NOT NULL AS has_checksum,
       old_checksum IS NOT NULL AS has_old, detail
FROM migrate_history() ORDER BY id;
SELECT count(*) FROM migrate_history('other');
SELECT count(*) = (SELECT count(*) FROM migrate_history()) AS view_matches FROM migration_history;
SELECT bool_and(at <= now()) AND bool_and(id > 0) AS sane FROM migrate_history();

-- Nothing updates or deletes history, not even its owner.
UPDATE migrations_schema.history SET detail = 'rewritten';
DELETE FROM migrations_schema.history;
TRUNCATE migrations_schema.history;
SELECT count(*) AS rows_kept FROM migrate_history();
RESET application_name;
