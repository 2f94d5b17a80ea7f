-- What lint findings do when migrations run: migrations_schema.lint = off | warn | error,
-- "-- migrate:lint-ignore rule reason", and migrate_validate reporting lint errors.
CALL regress.reset();
SET search_path = app, public;
CREATE TABLE app.customers AS SELECT g AS id FROM generate_series(1, 100) g;
SELECT migrate_register('1', 'required column', 'ALTER TABLE customers ADD COLUMN email text NOT NULL;');

-- validate reports the error finding of the pending migration before anything runs.
SELECT severity, version, problem, detail FROM migrate_validate();

-- error: refused before anything runs, naming the rule, statement and line.
SET migrations_schema.lint = 'error';
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_apply();
CALL migrate_run();
SELECT regress.snapshot() = :'before' AS unchanged;

-- warn (the default): the findings are reported and the migration runs (here it fails on
-- its own, as the linter said it would).
SET migrations_schema.lint = 'warn';
SELECT version FROM migrate_apply();

-- A reasoned ignore silences that rule for that statement and is kept in history.
SELECT migrate_register('1', 'required column', E'-- migrate:lint-ignore add-column-not-null-no-default the table is emptied first\nDELETE FROM customers WHERE true;\n-- migrate:lint-ignore add-column-not-null-no-default emptied by the statement above\nALTER TABLE customers ADD COLUMN email text NOT NULL;');
SET migrations_schema.lint = 'error';
SELECT version, statements FROM migrate_apply();
SELECT version, action, detail FROM migrate_history() WHERE action = 'lint-ignore';

-- off: nothing is said.
SET migrations_schema.lint = 'off';
SELECT migrate_register('2', 'drop', 'DROP TABLE customers;');
SELECT version FROM migrate_apply();

-- A bad value is refused by the setting itself.
SET migrations_schema.lint = 'loud';
RESET migrations_schema.lint;
