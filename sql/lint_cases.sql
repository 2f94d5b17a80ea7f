-- The linter against a table of cases, each a script that must or must not draw a rule
-- (with the severity it must have), under the settings it names. The summary at the end
-- counts the cases per rule; a case that stops holding is listed by name. Cases are added,
-- never removed, so the coverage can only rise.
CALL regress.reset();
SET client_min_messages = warning;  -- identifiers over 63 bytes draw the parser's NOTICE
CREATE TABLE lc_big AS
    SELECT g AS id, 'user' || g AS email, now() - g * interval '1 minute' AS created_at,
           g % 10 AS parent_id
    FROM generate_series(1, 20000) g;
ALTER TABLE lc_big ALTER COLUMN created_at TYPE timestamp, ALTER COLUMN email SET NOT NULL;
ALTER TABLE lc_big ADD CONSTRAINT lc_existing_nv CHECK (id > 0) NOT VALID;
CREATE TABLE lc_parent (id int PRIMARY KEY);
INSERT INTO lc_parent SELECT generate_series(0, 9);
CREATE TABLE lc_child (id int, parent_id int REFERENCES lc_parent (id));
INSERT INTO lc_child SELECT g, g % 10 FROM generate_series(1, 1000) g;
CREATE TABLE lc_parted (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE lc_part1 PARTITION OF lc_parted FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
INSERT INTO lc_parted SELECT g, '2020-06-01' FROM generate_series(1, 1000) g;
CREATE TYPE lc_mood AS ENUM ('sad', 'happy');
CREATE SCHEMA lc_s;
CREATE DOMAIN lc_positive AS int CHECK (VALUE > 0);
ANALYZE lc_big, lc_parent, lc_child, lc_parted, lc_part1;

CREATE TEMP TABLE lint_case (
    name text PRIMARY KEY, rule text NOT NULL, fires boolean NOT NULL, script text NOT NULL,
    severity text, lint_rules text NOT NULL DEFAULT '', assume_large boolean DEFAULT false,
    time_zone text NOT NULL DEFAULT 'Europe/Paris', message_has text);

INSERT INTO lint_case (name, rule, fires, script) VALUES
 ('DO block EXECUTEs a string', 'dynamic-sql', true,
  'DO $x$ BEGIN EXECUTE ''DROP TABLE lc_big''; END $x$;'),
 ('DO block EXECUTEs format()', 'dynamic-sql', true,
  'DO $x$ BEGIN EXECUTE format(''DROP TABLE %I'', ''lc_big''); END $x$;'),
 ('DO block of static statements', 'dynamic-sql', false,
  'DO $x$ BEGIN PERFORM 1; END $x$;'),
 ('DO block naming EXECUTE in a string and a comment', 'dynamic-sql', false,
  'DO $x$ BEGIN RAISE NOTICE ''EXECUTE''; -- EXECUTE
   END $x$;'),
 ('plpgsql function EXECUTEs', 'dynamic-sql', true,
  'CREATE FUNCTION lc_dyn() RETURNS void LANGUAGE plpgsql AS $x$ BEGIN EXECUTE ''SELECT 1''; END $x$;'),
 ('plpgsql procedure EXECUTEs', 'dynamic-sql', true,
  'CREATE PROCEDURE lc_dynp() LANGUAGE plpgsql AS $x$ BEGIN EXECUTE ''SELECT 1''; END $x$;'),
 ('DO block in PL/Perl', 'dynamic-sql', true,
  'DO LANGUAGE plperl $x$ spi_exec_query(''DROP TABLE lc_big''); $x$;'),
 ('PL/Python function', 'dynamic-sql', true,
  'CREATE FUNCTION lc_py() RETURNS void LANGUAGE plpython3u AS $x$ plpy.execute("SELECT 1") $x$;'),
 ('C function', 'dynamic-sql', false,
  'CREATE FUNCTION lc_c() RETURNS void LANGUAGE c AS ''lc_lib'', ''lc_symbol'';'),
 ('SQL function', 'dynamic-sql', false,
  'CREATE FUNCTION lc_sqlf() RETURNS int LANGUAGE sql AS ''SELECT 1'';'),
 ('SQL-standard function body', 'dynamic-sql', false,
  'CREATE FUNCTION lc_atomic() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;'),
 ('SET NOT NULL after a CHECK NOT VALID never validated', 'set-not-null-scan', true,
  'ALTER TABLE lc_big ADD CONSTRAINT lc_pid_nn CHECK (parent_id IS NOT NULL) NOT VALID;
   ALTER TABLE lc_big ALTER COLUMN parent_id SET NOT NULL;'),
 ('SET NOT NULL after a CHECK NOT VALID validated in the script', 'set-not-null-scan', false,
  'ALTER TABLE lc_big ADD CONSTRAINT lc_pid_nn CHECK (parent_id IS NOT NULL) NOT VALID;
   ALTER TABLE lc_big VALIDATE CONSTRAINT lc_pid_nn;
   ALTER TABLE lc_big ALTER COLUMN parent_id SET NOT NULL;'),
 ('SET NOT NULL after a validated CHECK on another column', 'set-not-null-scan', true,
  'ALTER TABLE lc_big ADD CONSTRAINT lc_id_nn CHECK (id IS NOT NULL);
   ALTER TABLE lc_big ALTER COLUMN parent_id SET NOT NULL;'),
 ('detach without concurrently', 'detach-partition-not-concurrent', true,
  'ALTER TABLE lc_parted DETACH PARTITION lc_part1;'),
 ('detach concurrently', 'detach-partition-not-concurrent', false,
  'ALTER TABLE lc_parted DETACH PARTITION lc_part1 CONCURRENTLY;'),
 ('concurrently on a partitioned table', 'concurrently-on-partitioned', true,
  'CREATE INDEX CONCURRENTLY lc_pi ON lc_parted (id);'),
 ('concurrently on a plain table', 'concurrently-on-partitioned', false,
  'CREATE INDEX CONCURRENTLY lc_bi ON lc_big (id);'),
 ('nested BEGIN', 'unbalanced-transaction', true, 'BEGIN; BEGIN; SELECT 1; COMMIT;'),
 ('COMMIT without BEGIN', 'unbalanced-transaction', true, 'SELECT 1; COMMIT;'),
 ('BEGIN without COMMIT', 'unbalanced-transaction', true, 'BEGIN; SELECT 1;'),
 ('balanced block', 'unbalanced-transaction', false, 'BEGIN; SELECT 1; COMMIT;'),
 ('DROP NOT NULL', 'client-breaking', true,
  'ALTER TABLE lc_big ALTER COLUMN email DROP NOT NULL;'),
 ('SET DEFAULT', 'client-breaking', false,
  'ALTER TABLE lc_big ALTER COLUMN email SET DEFAULT ''x'';'),
 ('enum RENAME VALUE', 'rename', true, 'ALTER TYPE lc_mood RENAME VALUE ''sad'' TO ''blue'';'),
 ('ALTER SCHEMA RENAME', 'rename', true, 'ALTER SCHEMA lc_s RENAME TO lc_s2;'),
 ('enum ADD VALUE', 'rename', false, 'ALTER TYPE lc_mood ADD VALUE ''calm'';'),
 ('DROP SCHEMA CASCADE', 'destructive', true, 'DROP SCHEMA lc_s CASCADE;'),
 ('DROP TYPE', 'destructive', true, 'DROP TYPE lc_mood;'),
 ('DROP DATABASE', 'destructive', true, 'DROP DATABASE lc_nowhere;'),
 ('CREATE TYPE', 'destructive', false, 'CREATE TYPE lc_other AS ENUM (''a'');'),
 ('identifier of 64 bytes', 'identifier-too-long', true,
  'CREATE TABLE lc_' || repeat('x', 61) || ' (id int);'),
 ('identifier of 63 bytes', 'identifier-too-long', false,
  'CREATE TABLE lc_' || repeat('x', 60) || ' (id int);'),
 ('quoted identifier of 70 bytes', 'identifier-too-long', true,
  'CREATE TABLE "' || repeat('Y', 70) || '" (id int);'),
 ('now() in an index predicate', 'index-not-immutable', true,
  'CREATE INDEX CONCURRENTLY lc_recent ON lc_big (id) WHERE created_at > now() - interval ''1 day'';'),
 ('lower() in an index expression', 'index-not-immutable', false,
  'CREATE INDEX CONCURRENTLY lc_lower ON lc_big (lower(email));'),
 ('exclusion constraint', 'exclusion-constraint', true,
  'ALTER TABLE lc_big ADD CONSTRAINT lc_ex EXCLUDE USING btree (id WITH =);'),
 ('NOT VALID then VALIDATE in one script', 'validate-same-transaction', true,
  'ALTER TABLE lc_big ADD CONSTRAINT lc_c CHECK (id > 0) NOT VALID; ALTER TABLE lc_big VALIDATE CONSTRAINT lc_c;'),
 ('VALIDATE of an earlier NOT VALID', 'validate-same-transaction', false,
  'ALTER TABLE lc_big VALIDATE CONSTRAINT lc_existing_nv;'),
 ('ADD COLUMN with UNIQUE', 'unique-without-index', true,
  'ALTER TABLE lc_big ADD COLUMN code text UNIQUE;'),
 ('ADD COLUMN without UNIQUE', 'unique-without-index', false,
  'ALTER TABLE lc_big ADD COLUMN code text;'),
 ('ADD COLUMN with REFERENCES', 'constraint-not-valid-missing', true,
  'ALTER TABLE lc_big ADD COLUMN parent_ref int REFERENCES lc_parent (id);'),
 ('ALTER DOMAIN ADD CONSTRAINT', 'constraint-not-valid-missing', true,
  'ALTER DOMAIN lc_positive ADD CONSTRAINT lc_pos2 CHECK (VALUE > 1);'),
 ('ALTER DOMAIN ADD CONSTRAINT NOT VALID', 'constraint-not-valid-missing', false,
  'ALTER DOMAIN lc_positive ADD CONSTRAINT lc_pos2 CHECK (VALUE > 1) NOT VALID;'),
 ('volatile default from a function the script creates', 'add-column-volatile-default', true,
  'CREATE FUNCTION lc_pick() RETURNS int LANGUAGE sql AS ''SELECT 4''; ALTER TABLE lc_big ADD COLUMN r int DEFAULT lc_pick();'),
 ('immutable default from a function the script creates', 'add-column-volatile-default', false,
  'CREATE FUNCTION lc_pick() RETURNS int LANGUAGE sql IMMUTABLE AS ''SELECT 4''; ALTER TABLE lc_big ADD COLUMN r int DEFAULT lc_pick();'),
 ('SHARE lock of CREATE INDEX without lock_timeout', 'no-lock-timeout', true,
  'CREATE INDEX lc_plain ON lc_big (email);'),
 ('SHARE lock with lock_timeout', 'no-lock-timeout', false,
  'SET lock_timeout = ''2s''; CREATE INDEX lc_plain ON lc_big (email);'),
 ('SHARE ROW EXCLUSIVE of a foreign key without lock_timeout', 'no-lock-timeout', true,
  'ALTER TABLE lc_child ADD CONSTRAINT lc_fk2 FOREIGN KEY (parent_id) REFERENCES lc_parent (id) NOT VALID;'),
 ('CREATE DOMAIN with a CHECK', 'domain-check', true,
  'CREATE DOMAIN lc_email AS text CHECK (VALUE LIKE ''%@%'');'),
 ('CREATE DOMAIN without a CHECK', 'domain-check', false, 'CREATE DOMAIN lc_name AS text NOT NULL;'),
 ('REINDEX SYSTEM', 'reindex-not-concurrent', false, 'REINDEX SYSTEM;'),
 ('REINDEX TABLE', 'reindex-not-concurrent', true, 'REINDEX TABLE lc_big;');

-- The Citus rules fire on Citus tables only (test/t/010_citus.pl has the cases that fire).
INSERT INTO lint_case (name, rule, fires, script) VALUES
 ('foreign key to a plain table, without Citus', 'citus-foreign-key-to-local', false,
  'ALTER TABLE lc_child ADD CONSTRAINT lc_fk3 FOREIGN KEY (parent_id) REFERENCES lc_parent (id) NOT VALID;'),
 ('type change of a column, without Citus', 'citus-distribution-column', false,
  'ALTER TABLE lc_big ALTER COLUMN email TYPE varchar(300);');

INSERT INTO lint_case (name, rule, fires, script, message_has) VALUES
 ('TRUNCATE CASCADE names the children', 'destructive', true, 'TRUNCATE lc_parent CASCADE;',
  'also empties every table referencing it: lc_child');

INSERT INTO lint_case (name, rule, fires, script, time_zone) VALUES
 ('timestamp to timestamptz under UTC', 'alter-column-type-rewrite', false,
  'ALTER TABLE lc_big ALTER COLUMN created_at TYPE timestamptz;', 'UTC'),
 ('timestamp to timestamptz elsewhere', 'alter-column-type-rewrite', true,
  'ALTER TABLE lc_big ALTER COLUMN created_at TYPE timestamptz;', 'Europe/Paris');

-- Style rules: off unless a policy asks for them.
INSERT INTO lint_case (name, rule, fires, script, severity, lint_rules) VALUES
 ('dynamic-sql is a warning by default', 'dynamic-sql', true,
  'DO $x$ BEGIN EXECUTE ''SELECT 1''; END $x$;', 'warning', ''),
 ('dynamic-sql is an error under online-safe', 'dynamic-sql', true,
  'DO $x$ BEGIN EXECUTE ''SELECT 1''; END $x$;', 'error', 'online-safe'),
 ('dynamic-sql is an error under additive-only', 'dynamic-sql', true,
  'DO $x$ BEGIN EXECUTE ''SELECT 1''; END $x$;', 'error', 'additive-only'),
 ('integer column, no policy', 'prefer-bigint', false, 'CREATE TABLE lc_t1 (id int);', NULL, ''),
 ('integer column, style', 'prefer-bigint', true, 'CREATE TABLE lc_t1 (id int);', 'warning', 'style'),
 ('bigint column, style', 'prefer-bigint', false, 'CREATE TABLE lc_t1 (id bigint);', NULL, 'style'),
 ('varchar(20), style', 'prefer-text', true, 'ALTER TABLE lc_big ADD COLUMN nick varchar(20);', 'warning', 'style'),
 ('text, style', 'prefer-text', false, 'ALTER TABLE lc_big ADD COLUMN nick text;', NULL, 'style'),
 ('timestamp, style', 'prefer-timestamptz', true, 'CREATE TABLE lc_t2 (at timestamp);', 'warning', 'style'),
 ('timestamptz, style', 'prefer-timestamptz', false, 'CREATE TABLE lc_t2 (at timestamptz);', NULL, 'style'),
 ('serial, style', 'prefer-identity', true, 'CREATE TABLE lc_t3 (id serial);', 'warning', 'style'),
 ('identity, style', 'prefer-identity', false, 'CREATE TABLE lc_t3 (id bigint GENERATED ALWAYS AS IDENTITY);', NULL, 'style'),
 ('char(3), style', 'ban-char', true, 'CREATE TABLE lc_t4 (code char(3));', 'warning', 'style'),
 ('json, style', 'prefer-jsonb', true, 'CREATE TABLE lc_t5 (doc json);', 'warning', 'style'),
 ('jsonb, style', 'prefer-jsonb', false, 'CREATE TABLE lc_t5 (doc jsonb);', NULL, 'style'),
 -- Policies: severities per rule, presets, later items winning.
 ('DROP COLUMN, no policy', 'destructive', true, 'ALTER TABLE lc_big DROP COLUMN email;', 'warning', ''),
 ('DROP COLUMN, additive-only', 'destructive', true, 'ALTER TABLE lc_big DROP COLUMN email;', 'error', 'additive-only'),
 ('DROP COLUMN, destructive=off', 'destructive', false, 'ALTER TABLE lc_big DROP COLUMN email;', NULL, 'destructive=off'),
 ('CREATE INDEX, online-safe', 'index-not-concurrent', true, 'CREATE INDEX lc_plain ON lc_big (email);', 'error', 'online-safe'),
 ('CREATE INDEX, online-safe then info', 'index-not-concurrent', true, 'CREATE INDEX lc_plain ON lc_big (email);', 'info', 'online-safe, index-not-concurrent=info');

-- CI lints on empty databases: the tables of earlier migrations do not exist there.
INSERT INTO lint_case (name, rule, fires, script, assume_large, message_has) VALUES
 ('index on a table that does not exist here', 'index-not-concurrent', false,
  'CREATE INDEX lc_ghost_i ON lc_ghost (id);', false, NULL),
 ('index on a table assumed large', 'index-not-concurrent', true,
  'CREATE INDEX lc_ghost_i ON lc_ghost (id);', true, 'assuming the table is large'),
 ('index on a table the script creates, assumed large', 'index-not-concurrent', false,
  'CREATE TABLE lc_new (id int); CREATE INDEX lc_new_i ON lc_new (id);', true, NULL);

CREATE FUNCTION pg_temp.outcome(c lint_case) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    found record;
BEGIN
    PERFORM set_config('migrations_schema.lint_rules', c.lint_rules, true),
            set_config('migrations_schema.lint_assume_large', c.assume_large::text, true),
            set_config('TimeZone', c.time_zone, true);
    SELECT l.severity, l.message INTO found FROM public.migrate_lint(c.script) l
    WHERE l.rule = c.rule ORDER BY l.statement LIMIT 1;
    IF (found.severity IS NOT NULL) <> c.fires THEN
        RETURN CASE WHEN c.fires THEN 'did not fire' ELSE 'fired: ' || found.message END;
    ELSIF c.severity IS NOT NULL AND found.severity IS DISTINCT FROM c.severity THEN
        RETURN 'severity ' || found.severity;
    ELSIF c.message_has IS NOT NULL AND strpos(found.message, c.message_has) = 0 THEN
        RETURN 'message: ' || found.message;
    END IF;
    RETURN 'ok';
END $$;

-- Every case that does not hold (none, when the linter is right).
SELECT name, rule, pg_temp.outcome(c) AS outcome FROM lint_case c
WHERE pg_temp.outcome(c) <> 'ok' ORDER BY name;
-- The coverage: cases per rule, and how many hold.
SELECT rule, count(*) AS cases, count(*) FILTER (WHERE pg_temp.outcome(c) = 'ok') AS holding
FROM lint_case c GROUP BY rule ORDER BY rule;
SELECT count(*) FILTER (WHERE pg_temp.outcome(c) = 'ok') || ' of ' || count(*) || ' cases hold'
    AS coverage FROM lint_case c;

-- A policy that cannot be read is refused when it is set, naming the item.
SET migrations_schema.lint_rules = 'online-safe, destructive=fatal';
SET migrations_schema.lint_rules = 'no-such-preset';
-- Policies are the database owner's: a role cannot loosen them for itself.
CREATE ROLE ms_linted LOGIN;
SET ROLE ms_linted;
SET migrations_schema.lint_rules = 'destructive=off';
SET migrations_schema.lint = 'off';
RESET ROLE;
DROP ROLE ms_linted;

-- apply and run honour the policy: with lint = error and additive-only, a DROP COLUMN is
-- refused before anything runs; validate reports it.
SET migrations_schema.lint = 'error';
SET migrations_schema.lint_rules = 'additive-only';
SELECT migrate_register('1', 'drops', 'ALTER TABLE lc_big DROP COLUMN parent_id;', NULL, 'lc');
SELECT version FROM migrate_apply(project => 'lc');
CALL migrate_run(project => 'lc');
SELECT version, state FROM migrate_status('lc');
SELECT count(*) AS parent_id_kept FROM pg_attribute
WHERE attrelid = 'lc_big'::regclass AND attname = 'parent_id' AND NOT attisdropped;
SELECT severity, version, problem FROM migrate_validate('lc') WHERE problem LIKE '%destructive%';
RESET migrations_schema.lint_rules;
SELECT version FROM migrate_apply(project => 'lc');
RESET migrations_schema.lint;

-- Teams that mandate rollbacks: with require_down, a pending migration without a down script
-- is a validation error and fails its round trip.
SELECT migrate_register('2', 'no down', 'CREATE TABLE lc_nodown ();', NULL, 'lc');
SET migrations_schema.require_down = on;
SELECT severity, version, problem FROM migrate_validate('lc') WHERE problem = 'down_script_required';
SELECT version, reversible FROM migrate_test('lc');
RESET migrations_schema.require_down;
SELECT count(*) AS required FROM migrate_validate('lc') WHERE problem = 'down_script_required';
SELECT version, reversible FROM migrate_test('lc');
RESET client_min_messages;
