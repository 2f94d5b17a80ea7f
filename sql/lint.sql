-- migrate_lint: per-statement findings from the server's parser and the live catalog. Each
-- rule is shown firing, and its safe form not firing.
CALL regress.reset();
SET search_path = app, public;
-- no-lock-timeout would follow every ACCESS EXCLUSIVE statement; it has its own tests below.
SET lock_timeout = '10s';

CREATE TABLE orders (id int, customer_id int, note varchar(20), amount numeric(10,2),
                     created timestamptz, status text);
INSERT INTO orders
SELECT g, g % 10, 'n' || g, g, '2024-01-01', 'new' FROM generate_series(1, 100) g;
CREATE INDEX orders_created_idx ON orders (created);
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE empty_table (id int);
CREATE TABLE events (id int, payload text);
INSERT INTO events SELECT g, 'e' FROM generate_series(1, 20000) g;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE feelings (id int, m mood);
INSERT INTO feelings VALUES (1, 'happy');
CREATE TABLE measures (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE measures_1 PARTITION OF measures FOR VALUES FROM (0) TO (1000);
INSERT INTO measures SELECT g, g FROM generate_series(1, 50) g;
CREATE TABLE app."Mixed Case" (id int);
INSERT INTO app."Mixed Case" VALUES (1);
ANALYZE orders, customers, empty_table, events, feelings, measures_1, "Mixed Case";

-- The stable columns: sizes as "sized", estimates exact after ANALYZE.
CREATE FUNCTION pg_temp.lint(script text)
RETURNS TABLE (statement integer, line integer, rule text, severity text, lock_mode text,
               relation text, sized boolean, row_estimate double precision, message text)
LANGUAGE sql AS $$
    SELECT statement, line, rule, severity, lock_mode, relation, relation_bytes > 0,
           row_estimate, message
    FROM migrate_lint(script)
$$;

SELECT regress.snapshot() AS before \gset

-- index-not-concurrent: a table with rows fires (ON ONLY a plain table too: it still builds);
-- CONCURRENTLY, an empty table, a table the script creates, and ON ONLY a partitioned parent
-- do not.
SELECT * FROM pg_temp.lint($$CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX CONCURRENTLY orders_customer_idx2 ON orders (customer_id);
CREATE INDEX ON empty_table (id);
CREATE TABLE fresh (id int);
INSERT INTO fresh SELECT 1;
CREATE INDEX ON fresh (id);
CREATE INDEX ON measures (id);
CREATE INDEX ON ONLY measures (k);
CREATE INDEX ON ONLY orders (status);
$$);
SELECT DISTINCT hint FROM migrate_lint('CREATE INDEX ON orders (id);');

-- drop-index-not-concurrent / reindex-not-concurrent, and their CONCURRENTLY forms.
SELECT * FROM pg_temp.lint($$DROP INDEX orders_created_idx;
DROP INDEX CONCURRENTLY orders_created_idx;
REINDEX INDEX orders_created_idx;
REINDEX TABLE orders;
REINDEX INDEX CONCURRENTLY orders_created_idx;
REINDEX SCHEMA app;
$$);

-- concurrently-in-transaction: CONCURRENTLY inside the script's own BEGIN ... COMMIT fails
-- at run time; after the block it is fine.
SELECT * FROM pg_temp.lint($$BEGIN;
ALTER TABLE orders ADD COLUMN region text;
CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);
COMMIT;
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
$$);

-- add-column-not-null-no-default: fails on a table with rows; a DEFAULT, an empty table or
-- a nullable column is fine.
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ADD COLUMN priority int NOT NULL;
ALTER TABLE orders ADD COLUMN priority int NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN priority int DEFAULT NULL NOT NULL;
ALTER TABLE empty_table ADD COLUMN priority int NOT NULL;
ALTER TABLE orders ADD COLUMN priority int;
$$);

-- add-column-volatile-default: volatile defaults rewrite the table (pg_proc.provolatile);
-- now() is stable, evaluated once, and constants are stored in the catalog: no rewrite.
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ADD COLUMN seen timestamptz DEFAULT clock_timestamp();
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE orders ADD COLUMN r float8 DEFAULT pg_catalog.random() * 10;
ALTER TABLE orders ADD COLUMN serial_no bigserial;
ALTER TABLE orders ADD COLUMN ident int GENERATED ALWAYS AS IDENTITY;
ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT now();
ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;
ALTER TABLE orders ADD COLUMN lowered text DEFAULT lower('X');
$$);

-- alter-column-type-rewrite: a real type change, a shorter varchar, another numeric scale,
-- or any USING rewrites; a longer varchar, text, or more numeric precision does not.
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ALTER COLUMN note TYPE integer USING 0;
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
ALTER TABLE orders ALTER COLUMN note TYPE varchar(10);
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10,3);
ALTER TABLE orders ALTER COLUMN note TYPE varchar(50);
ALTER TABLE orders ALTER COLUMN note TYPE text;
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2);
ALTER TABLE orders ALTER COLUMN amount TYPE numeric;
ALTER TABLE orders ALTER COLUMN missing TYPE text;
ALTER TABLE orders ALTER COLUMN note TYPE no_such_type;
$$);

-- set-not-null-scan, and the safe sequence: CHECK ... NOT VALID, VALIDATE, SET NOT NULL.
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_customer_nn CHECK (customer_id IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_nn;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders DROP CONSTRAINT orders_customer_nn;
$$);
-- A validated CHECK already in the catalog counts too; a NOT VALID one does not.
ALTER TABLE orders ADD CONSTRAINT orders_id_nn CHECK (id IS NOT NULL);
ALTER TABLE orders ADD CONSTRAINT orders_note_nn CHECK (note IS NOT NULL) NOT VALID;
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ALTER COLUMN id SET NOT NULL;
ALTER TABLE orders ALTER COLUMN note SET NOT NULL;
$$);

-- constraint-not-valid-missing and unique-without-index.
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_id_key UNIQUE (id);
ALTER TABLE orders ADD PRIMARY KEY (id);
ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;
$$);

-- destructive and rename: only on relations that exist before the script.
SELECT * FROM pg_temp.lint($$DROP TABLE empty_table;
ALTER TABLE orders DROP COLUMN status;
TRUNCATE events;
ALTER TABLE orders RENAME TO purchases;
ALTER TABLE orders RENAME COLUMN note TO remark;
CREATE TABLE scratch (id int);
ALTER TABLE scratch RENAME TO scratch2;
ALTER TABLE scratch2 RENAME COLUMN id TO key;
DROP TABLE scratch2;
DROP TABLE IF EXISTS never_existed;
$$);

-- full-rewrite and set-logged; plain VACUUM is fine.
SELECT * FROM pg_temp.lint($$VACUUM FULL orders;
CLUSTER orders USING orders_created_idx;
ALTER TABLE orders SET UNLOGGED;
ALTER TABLE events SET LOGGED;
VACUUM orders;
VACUUM (FULL false) orders;
CREATE UNLOGGED TABLE staging (id int);
ALTER TABLE staging SET LOGGED;
$$);

-- enum-value-used-same-transaction: on the statement that uses the new value, in plain SQL
-- or in a DO block; adding a value nobody uses yet, or one that already exists, is fine.
SELECT * FROM pg_temp.lint($$ALTER TYPE mood ADD VALUE 'angry';
UPDATE feelings SET m = 'angry' WHERE id = 1;
DO $do$ BEGIN PERFORM 'angry'::mood; END $do$;
ALTER TYPE mood ADD VALUE 'calm' AFTER 'happy';
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad';
SELECT 'sad'::mood, 'angrier';
$$);

-- invalid-index-exists: a failed CREATE INDEX CONCURRENTLY leaves an INVALID index, which
-- IF NOT EXISTS would silently keep.
CREATE TABLE dupes (id int);
INSERT INTO dupes VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY dupes_id_key ON dupes (id);
ANALYZE dupes;
SELECT * FROM pg_temp.lint($$CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS dupes_id_key ON dupes (id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_idx ON orders (created);
$$);
DROP TABLE dupes;

-- unbounded-dml: UPDATE or DELETE of a large table without WHERE; with a WHERE, or on a small
-- table, it is fine.
SELECT * FROM pg_temp.lint($$UPDATE events SET payload = 'x';
DELETE FROM events;
UPDATE events SET payload = 'x' WHERE id < 100;
DELETE FROM orders;
$$);

-- no-lock-timeout: an ACCESS EXCLUSIVE statement with no lock_timeout in force, from the
-- session or from the script itself (SET, SET LOCAL; 0 and RESET turn it off again).
SET lock_timeout = 0;
SELECT * FROM pg_temp.lint($$ALTER TABLE orders ADD COLUMN a int;
SET LOCAL lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN b int;
SET lock_timeout TO 0;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
SET lock_timeout = 2000;
ALTER TABLE orders ADD COLUMN c int;
RESET lock_timeout;
DROP TABLE orders;
CREATE TABLE t (id int);
ALTER TABLE t ADD COLUMN d int;
CREATE INDEX ON orders (id);
$$);
SET lock_timeout = '10s';

-- "-- migrate:lint-ignore rule reason" on the lines just above silences that rule there only:
-- another rule, or a blank line in between, silences nothing.
SELECT * FROM pg_temp.lint($$-- migrate:lint-ignore index-not-concurrent orders is small
CREATE INDEX ON orders (id);
-- migrate:lint-ignore destructive
CREATE INDEX ON orders (amount);
SET lock_timeout = 0;
-- migrate:lint-ignore destructive replaced by purchases
-- migrate:lint-ignore no-lock-timeout
DROP TABLE orders;
-- migrate:lint-ignore rename

ALTER TABLE events RENAME TO happenings;
$$);

-- Names as written: quoted, schema-qualified, in mixed case.
SELECT * FROM pg_temp.lint($$CREATE INDEX ON app."Mixed Case" (id);
TRUNCATE "Mixed Case", app.orders;
$$);

-- Names resolve with the caller's search_path, as they will when the script runs.
SET search_path = public;
SELECT count(*) FROM migrate_lint('CREATE INDEX ON orders (id);');
SELECT relation FROM migrate_lint('CREATE INDEX ON app.orders (id);');
SET search_path = app, public;

-- Never analyzed: the planner's own count-free estimate, from the pages and the row width.
CREATE FUNCTION pg_temp.planned_rows(query text) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
END $$;
CREATE TABLE unanalyzed (id int) WITH (autovacuum_enabled = false);
INSERT INTO unanalyzed SELECT generate_series(1, 5000);
SELECT row_estimate, row_estimate = pg_temp.planned_rows('SELECT * FROM unanalyzed') AS planner_agrees
FROM migrate_lint('CREATE INDEX ON unanalyzed (id);');
DROP TABLE unanalyzed;

-- Bad input: a syntax error is a finding with its statement and line, never an exception;
-- a psql meta-command is named; empty and comment-only scripts have no findings.
SELECT statement, line, rule, severity, message FROM migrate_lint($$SELECT 1;
CREATE INDEX ON orders (id);
SELEC 2;
$$);
SELECT statement, line, rule, severity, message FROM migrate_lint(E'SELECT 1;\nSELECT 2; SELECT ''unterminated\n;');
SELECT statement, line, rule, message FROM migrate_lint(E'SELECT 1;\n\\i other.sql\n');
SELECT statement, line, rule, message FROM migrate_lint('CREATE TABLE (');
SELECT * FROM migrate_lint('');
SELECT * FROM migrate_lint('-- nothing but a comment');
SELECT * FROM migrate_lint(NULL);
\set VERBOSITY sqlstate
SELECT * FROM migrate_lint(NULL);
\set VERBOSITY default
-- Linting changed nothing: not the registry, not a relation, not a row.
SELECT regress.snapshot() = :'before' AS unchanged;
SELECT count(*) AS orders_rows, count(*) FILTER (WHERE status = 'new') AS untouched FROM orders;

-- migrate_lint_pending: every pending migration's up script, in version order.
SELECT migrate_register('1', 'applied', 'CREATE TABLE done (id int);');
SELECT version FROM migrate_apply(target => '1');
SELECT migrate_register('10', 'index', 'CREATE INDEX ON orders (customer_id);');
SELECT migrate_register('2', 'column', E'-- add priority\nALTER TABLE orders ADD COLUMN priority int NOT NULL;');
SELECT migrate_register('3', 'broken', E'SELECT 1;\nSELEC 2;');
SELECT migrate_register('4', 'clean', 'CREATE TABLE later (id int); CREATE INDEX ON later (id);');
SELECT migrate_register('1', 'other project', 'DROP TABLE orders;', NULL, 'other');
SELECT regress.snapshot() AS before \gset
SELECT version, statement, line, rule, severity, relation FROM migrate_lint_pending();
SELECT version, rule FROM migrate_lint_pending('other');
SELECT count(*) FROM migrate_lint_pending('nobody');
SELECT * FROM migrate_lint_pending(NULL);
SELECT * FROM migrate_lint_pending('');
SELECT regress.snapshot() = :'before' AS unchanged;
