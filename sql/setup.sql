-- The linter's findings would appear in every file's output; lint.sql turns them back on.
SELECT current_database() AS regress_database \gset
ALTER DATABASE :"regress_database" SET migrations_schema.lint = 'off';

-- Helpers shared by the regression tests; they live outside the extension and survive it
-- being dropped and created again by each test file.
CREATE SCHEMA regress;
-- The helpers refer to the extension, which each test file creates afresh.
SET check_function_bodies = off;

-- A fingerprint of everything a failed call must leave alone: the registry, the applied
-- state, and the user objects migrations create.
CREATE FUNCTION regress.snapshot() RETURNS text LANGUAGE sql AS $$
SELECT md5(
    coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', project, version, name, checksum,
                                       md5(coalesce(down_sql, '<none>')), registered_at),
                                ',' ORDER BY project, version)
              FROM migrations_schema.migration), '')
    || '#' ||
    coalesce((SELECT string_agg(format('%s|%s|%s|%s', project, version, checksum, applied_at),
                                ',' ORDER BY project, version)
              FROM migrations_schema.applied), '')
    || '#' ||
    coalesce((SELECT string_agg(format('%s.%s:%s:%s', n.nspname, c.relname, c.relkind,
                                       (SELECT string_agg(attname, ',' ORDER BY attnum)
                                        FROM pg_attribute
                                        WHERE attrelid = c.oid AND attnum > 0
                                          AND NOT attisdropped)),
                                ',' ORDER BY n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast',
                                      'migrations_schema', 'regress')
                AND n.nspname NOT LIKE 'pg\_%temp%'), '')
    || '#' ||
    coalesce((SELECT string_agg(format('%s.%s', n.nspname, t.typname), ','
                                ORDER BY n.nspname, t.typname)
              FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast',
                                      'migrations_schema', 'regress')
                AND n.nspname NOT LIKE 'pg\_%temp%'), ''))
$$;

-- Starts a test file from a clean extension and an empty application schema.
CREATE PROCEDURE regress.reset() LANGUAGE plpgsql
SET client_min_messages = warning AS $$
BEGIN
    DROP EXTENSION IF EXISTS migrations_schema CASCADE;
    DROP SCHEMA IF EXISTS app CASCADE;
    CREATE SCHEMA app;
    CREATE EXTENSION migrations_schema SCHEMA public;
END;
$$;

-- The stable columns of migrate_status().
CREATE FUNCTION regress.status(p text DEFAULT NULL)
RETURNS TABLE (project text, version text, name text, state text, applied boolean,
               reversible boolean)
LANGUAGE sql AS $$
    SELECT project, version, name, state, applied_at IS NOT NULL, reversible
    FROM migrate_status(p)
$$;

-- migrate_status() checksums are SHA-256 of the script with CRLF normalised to LF.
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA regress;

-- Runs a statement and returns its error as "SQLSTATE: message", for tests of bad input.
CREATE FUNCTION regress.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END;
$$;
