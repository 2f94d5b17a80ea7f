-- Verify scripts: run right after the up script, in the same transaction; and on demand.
CALL regress.reset();
SET search_path = app, public;
SELECT migrate_register('1', 'users', 'CREATE TABLE users (id int, email text);', 'DROP TABLE users;',
    verify_sql => $v$
DO $$
BEGIN
    IF to_regclass('users') IS NULL THEN
        RAISE EXCEPTION 'table users is missing';
    END IF;
END $$;
$v$);
SELECT migrate_register('2', 'broken', 'CREATE TABLE orders (id int);', 'DROP TABLE orders;',
    verify_sql => E'SELECT 1;\nSELECT user_id FROM orders;');
-- The verify script of 2 fails: the whole call changes nothing, and the error names it.
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_apply();
SELECT regress.snapshot() = :'before' AS unchanged;
SELECT version, statements FROM migrate_apply(target => '1');
SELECT migrate_register('2', 'fixed', 'CREATE TABLE orders (id int, user_id int);', 'DROP TABLE orders;',
    verify_sql => E'SELECT 1;\nSELECT user_id FROM orders;');
SELECT version, statements FROM migrate_apply();

-- migrate_verify runs them again, each in a subtransaction that is rolled back.
SELECT migrate_register('3', 'no verify', 'SELECT 3;');
SELECT version FROM migrate_apply();
SELECT * FROM migrate_verify();
ALTER TABLE users RENAME TO people;
SELECT version, result, detail FROM migrate_verify();
ALTER TABLE people RENAME TO users;
-- A verify script that writes leaves nothing behind.
SELECT migrate_register('3', 'no verify', 'SELECT 3;', NULL, 'default', 'INSERT INTO users VALUES (1);');
SELECT version, result FROM migrate_verify() WHERE version = '3';
SELECT count(*) AS users_rows FROM users;
SELECT * FROM migrate_verify(NULL);
