-- The drift log keeps a statement's text only when its parse tree shows it cannot hold a
-- secret. Every secret-bearing statement form (role passwords, subscription connections,
-- OPTIONS of wrappers, servers, user mappings, foreign tables and columns) is run bare, in a
-- multi-statement query string, in DO blocks (EXECUTE and static), in a function that
-- EXECUTEs it, through a function's and a procedure's argument. No fragment of any secret
-- may then be found in a tracking table or in the output of a function; the DDL itself is
-- logged (command and object), and a plain statement keeps its text.
CALL regress.reset();
SET client_min_messages = error;
CREATE ROLE regress_ds_target;
CREATE ROLE regress_ds_reader;
CREATE FOREIGN DATA WRAPPER regress_ds_fdw;  -- no validator: any options
CREATE SERVER regress_ds_server FOREIGN DATA WRAPPER regress_ds_fdw;
CREATE USER MAPPING FOR regress_ds_reader SERVER regress_ds_server OPTIONS (password 'none');
CREATE FOREIGN TABLE app.ds_ft (id int) SERVER regress_ds_server;
CREATE SUBSCRIPTION regress_ds_sub CONNECTION 'dbname=nowhere' PUBLICATION p
    WITH (connect = false);
CREATE FUNCTION app.ds_exec(statement text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    CREATE TABLE app.ds_by_function (id int);
    DROP TABLE app.ds_by_function;
END $$;
CREATE PROCEDURE app.ds_call(statement text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    CREATE TABLE app.ds_by_procedure (id int);
    DROP TABLE app.ds_by_procedure;
END $$;

-- {s}: the secret, different in every attack; all of them hold the fragment Zq7xK.
CREATE TEMP TABLE secret_form (form int PRIMARY KEY, statement text, cleanup text);
INSERT INTO secret_form VALUES
 (1, 'ALTER ROLE regress_ds_target PASSWORD ''{s}''', NULL),
 (2, 'ALTER USER regress_ds_target WITH ENCRYPTED PASSWORD ''{s}''', NULL),
 (3, 'CREATE ROLE regress_ds_new PASSWORD ''{s}''', 'DROP ROLE regress_ds_new'),
 (4, 'CREATE USER regress_ds_new PASSWORD ''{s}''', 'DROP ROLE regress_ds_new'),
 (5, 'CREATE SUBSCRIPTION regress_ds_new CONNECTION ''dbname=nowhere password={s}'' '
     'PUBLICATION p WITH (connect = false)',
     'ALTER SUBSCRIPTION regress_ds_new SET (slot_name = NONE); DROP SUBSCRIPTION regress_ds_new'),
 (6, 'ALTER SUBSCRIPTION regress_ds_sub CONNECTION ''dbname=nowhere password={s}''', NULL),
 (7, 'CREATE SERVER regress_ds_new FOREIGN DATA WRAPPER regress_ds_fdw OPTIONS (password ''{s}'')',
     'DROP SERVER regress_ds_new'),
 (8, 'ALTER SERVER regress_ds_server OPTIONS (ADD password ''{s}'')',
     'ALTER SERVER regress_ds_server OPTIONS (DROP password)'),
 (9, 'CREATE USER MAPPING FOR regress_ds_target SERVER regress_ds_server OPTIONS (password ''{s}'')',
     'DROP USER MAPPING FOR regress_ds_target SERVER regress_ds_server'),
 (10, 'ALTER USER MAPPING FOR regress_ds_reader SERVER regress_ds_server OPTIONS (SET password ''{s}'')',
     NULL),
 (11, 'CREATE FOREIGN DATA WRAPPER regress_ds_new OPTIONS (password ''{s}'')',
     'DROP FOREIGN DATA WRAPPER regress_ds_new'),
 (12, 'ALTER FOREIGN DATA WRAPPER regress_ds_fdw OPTIONS (ADD password ''{s}'')',
     'ALTER FOREIGN DATA WRAPPER regress_ds_fdw OPTIONS (DROP password)'),
 (13, 'CREATE FOREIGN TABLE app.ds_new (id int) SERVER regress_ds_server OPTIONS (password ''{s}'')',
     'DROP FOREIGN TABLE app.ds_new'),
 (14, 'ALTER FOREIGN TABLE app.ds_ft OPTIONS (ADD password ''{s}'')',
     'ALTER FOREIGN TABLE app.ds_ft OPTIONS (DROP password)'),
 (15, 'ALTER TABLE app.ds_ft ALTER COLUMN id OPTIONS (ADD password ''{s}'')',
     'ALTER TABLE app.ds_ft ALTER COLUMN id OPTIONS (DROP password)');

-- Each way of running a statement; {k} makes the names of the DDL around it unique.
CREATE TEMP TABLE wrapping (wrapping int PRIMARY KEY, runs text, cleanup text);
INSERT INTO wrapping VALUES
 (1, '{sql}', NULL),
 (2, '{sql}; CREATE TABLE app.ds_multi_{k} (id int)', 'DROP TABLE app.ds_multi_{k}'),
 (3, 'DO $do$ BEGIN EXECUTE {quoted}; CREATE TABLE app.ds_do_{k} (id int); END $do$',
     'DROP TABLE app.ds_do_{k}'),
 (4, 'DO $do$ BEGIN {sql}; CREATE TABLE app.ds_static_{k} (id int); END $do$',
     'DROP TABLE app.ds_static_{k}'),
 (5, 'CREATE FUNCTION app.ds_fn_{k}() RETURNS void LANGUAGE plpgsql AS $fn$ BEGIN EXECUTE '
     '{quoted}; CREATE TABLE app.ds_fn_{k} (id int); END $fn$; SELECT app.ds_fn_{k}()',
     'DROP TABLE app.ds_fn_{k}; DROP FUNCTION app.ds_fn_{k}()'),
 (6, 'SELECT app.ds_exec({quoted})', NULL),
 (7, 'CALL app.ds_call({quoted})', NULL);

CREATE TEMP TABLE attack AS
SELECT f.form, w.wrapping, f.form * 100 + w.wrapping AS k,
       'pw-' || f.form || '-' || w.wrapping || '-Zq7xK' AS secret, f.statement, f.cleanup,
       w.runs, w.cleanup AS unwrap
FROM secret_form f CROSS JOIN wrapping w;
CREATE TEMP TABLE attack_sql AS
SELECT k, replace(replace(replace(runs, '{quoted}', quote_literal(sql)), '{sql}', sql),
                  '{k}', k::text) AS runs,
       replace(unwrap, '{k}', k::text) AS unwrap, cleanup
FROM (SELECT *, replace(statement, '{s}', secret) AS sql FROM attack) a;
SELECT count(*) AS attacks FROM attack_sql;

-- Each attack as the client's own query string, then what it made is removed again.
\o /dev/null
\set ECHO none
SELECT q FROM attack_sql, LATERAL (VALUES (1, runs), (2, unwrap), (3, cleanup)) AS s (i, q)
WHERE q IS NOT NULL ORDER BY k, i \gexec
\set ECHO all
\o
RESET client_min_messages;

-- The DDL was logged, by command and object.
SELECT command_tag, object_type, count(*) AS logged, count(statement) AS with_text
FROM migrations_schema.drift_log GROUP BY 1, 2 ORDER BY 1, 2;

-- A plain statement keeps its own text; in a multi-statement string, its part only.
CREATE TABLE app.ds_plain (id int);
SELECT statement FROM migrations_schema.drift_log
WHERE object_identity = 'app.ds_plain';
SELECT statement FROM migrations_schema.drift_log
WHERE object_identity = 'app.ds_multi_' || (1 * 100 + 2)::text AND command_tag = 'CREATE TABLE';

-- No fragment of any secret, anywhere: every tracking table, every function's output.
CREATE FUNCTION pg_temp.places_holding(fragment text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    place text;
    found bigint;
BEGIN
    FOR place IN
        SELECT format('migrations_schema.%I', relname) FROM pg_class
        WHERE relnamespace = 'migrations_schema'::regnamespace AND relkind = 'r'
        UNION ALL
        SELECT unnest(ARRAY['migrate_drift()', 'migrate_history()', 'migrate_validate()',
                            'migrate_status()', 'migration_history'])
    LOOP
        EXECUTE format('SELECT count(*) FROM %s AS t WHERE t::text LIKE %L', place,
                       '%' || fragment || '%') INTO found;
        IF found > 0 THEN
            RETURN NEXT place;
        END IF;
    END LOOP;
END $$;
SELECT count(*) AS places_searched FROM (
    SELECT relname FROM pg_class
    WHERE relnamespace = 'migrations_schema'::regnamespace AND relkind = 'r') t;
SELECT * FROM pg_temp.places_holding('Zq7xK');
SELECT * FROM pg_temp.places_holding('pw-');

-- A reader that is not a superuser sees its own statements' text, and only the command and
-- object of everyone else's.
GRANT EXECUTE ON FUNCTION migrate_drift(text) TO regress_ds_reader;
GRANT CREATE, USAGE ON SCHEMA app TO regress_ds_reader;
SET ROLE regress_ds_reader;
CREATE TABLE app.ds_readers_own (id int);
SELECT role_name = current_user AS own, count(*) > 0 AS rows, count(detail) > 0 AS with_text
FROM migrate_drift() WHERE source = 'ddl' GROUP BY 1 ORDER BY 1;
SELECT detail FROM migrate_drift() WHERE object = 'app.ds_readers_own';
SELECT detail FROM migrate_drift() WHERE object = 'app.ds_plain';
RESET ROLE;
-- A superuser sees all of it.
SELECT detail FROM migrate_drift() WHERE object IN ('app.ds_plain', 'app.ds_readers_own')
ORDER BY object;

SET client_min_messages = warning;
DROP TABLE app.ds_readers_own, app.ds_plain;
REVOKE ALL ON SCHEMA app FROM regress_ds_reader;
ALTER SUBSCRIPTION regress_ds_sub SET (slot_name = NONE);
DROP SUBSCRIPTION regress_ds_sub;
DROP FOREIGN TABLE app.ds_ft;
DROP USER MAPPING FOR regress_ds_reader SERVER regress_ds_server;
DROP SERVER regress_ds_server;
DROP FOREIGN DATA WRAPPER regress_ds_fdw;
DROP FUNCTION app.ds_exec(text);
DROP PROCEDURE app.ds_call(text);
DROP EXTENSION migrations_schema CASCADE;
DROP ROLE regress_ds_reader;
DROP ROLE regress_ds_target;
RESET client_min_messages;
