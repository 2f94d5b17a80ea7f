-- migrate_repair: accept edited-but-equivalent scripts, clear failed attempts.
CALL regress.reset();
SET search_path = app, public;
SELECT migrate_register('1', 'a', 'CREATE TABLE r (id int);', 'DROP TABLE r;');
SELECT migrate_register('2', 'b', 'SELECT 2;');
SELECT version FROM migrate_apply(target => '1');

-- Nothing to repair: no rows, a notice, nothing changed.
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_repair();
SELECT regress.snapshot() = :'before' AS unchanged;

-- A comment added to an applied script, and a failed attempt on record.
SELECT migrate_register('1', 'a', E'-- the table of r\nCREATE TABLE r (id int);', 'DROP TABLE r;');
INSERT INTO migrations_schema.failure (project, version, failed_by, error)
VALUES ('default', '2', current_user, 'canceling statement due to lock timeout');
SELECT version, state FROM migrate_status();
SELECT * FROM migrate_apply();
SELECT version, action, detail ~ '^[0-9a-f]{64} -> [0-9a-f]{64}$' AS old_to_new, detail
FROM migrate_repair() ORDER BY version;
SELECT version, state FROM migrate_status();
SELECT count(*) FROM migrate_validate();
-- History keeps the old and the new checksum.
SELECT version, action, old_checksum IS NOT NULL AS has_old, checksum IS NOT NULL AS has_new, detail
FROM migrate_history() WHERE action = 'repair' ORDER BY id;
SELECT version FROM migrate_apply();

-- Bad input.
SELECT * FROM migrate_repair(NULL);
SELECT * FROM migrate_repair('');
