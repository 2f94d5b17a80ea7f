-- migrate_register: upsert semantics, checksums, projects.
CALL regress.reset();
SET search_path = app, public;

SELECT migrate_register('1', 'create widgets', 'CREATE TABLE widgets (id int);',
                        'DROP TABLE widgets;');
-- Identical content is a no-op.
SELECT migrate_register('1', 'create widgets', 'CREATE TABLE widgets (id int);',
                        'DROP TABLE widgets;');
-- Another project keeps its own sequence.
SELECT migrate_register('1', 'other project', 'SELECT 1;', project => 'billing');
SELECT migrate_register('2', 'add price', 'ALTER TABLE widgets ADD COLUMN price numeric;');
SELECT * FROM regress.status();

-- The checksum is SHA-256 of the up script, with CRLF and CR normalised to LF, followed by
-- a NUL byte, "down", a NUL byte and the down script (and likewise a verify script).
SELECT checksum = encode(regress.digest(convert_to('CREATE TABLE widgets (id int);', 'UTF8') ||
                                        '\x00646f776e00'::bytea ||
                                        convert_to('DROP TABLE widgets;', 'UTF8'), 'sha256'), 'hex')
       AS sha256_of_scripts
FROM migrate_status('default') WHERE version = '1';
SELECT migrate_register('3', 'line endings', E'SELECT 1;\r\nSELECT 2;\r\n');
SELECT checksum = encode(regress.digest(E'SELECT 1;\nSELECT 2;\n', 'sha256'), 'hex')
       AS crlf_normalised
FROM migrate_status('default') WHERE version = '3';
-- The same script with LF endings is the same content: nothing changes.
SELECT migrate_register('3', 'line endings', E'SELECT 1;\nSELECT 2;\n');

-- Changing a pending migration simply updates it.
SELECT migrate_register('2', 'add price column', 'ALTER TABLE widgets ADD COLUMN price numeric(10,2);');
SELECT version, name, state FROM regress.status('default');

-- Changing an applied migration stores the new content and shows it as modified.
SELECT version, action, statements FROM migrate_apply();
SELECT migrate_register('1', 'create widgets', 'CREATE TABLE widgets (id bigint);',
                        'DROP TABLE widgets;');
SELECT version, name, state FROM regress.status('default');
-- Putting the applied script back makes it applied again.
SELECT migrate_register('1', 'create widgets', 'CREATE TABLE widgets (id int);',
                        'DROP TABLE widgets;');
SELECT version, name, state FROM regress.status('default');
-- A new down script modifies an applied migration: it runs later, perhaps under other rights,
-- so every script counts.
SELECT migrate_register('2', 'add price column', 'ALTER TABLE widgets ADD COLUMN price numeric(10,2);',
                        'ALTER TABLE widgets DROP COLUMN price;');
SELECT version, name, state, reversible FROM regress.status('default');

-- Names may hold quotes and semicolons; they are data, never SQL.
SELECT migrate_register('4', $$it's "quoted"; DROP TABLE widgets; --$$, 'SELECT 1;');
SELECT name FROM migrate_status('default') WHERE version = '4';
SELECT count(*) AS widgets_still_there FROM app.widgets;
