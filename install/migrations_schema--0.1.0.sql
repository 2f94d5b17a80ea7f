-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION migrations_schema" to load this file. \quit

-- The tracking tables live in a schema of their own, created here without IF NOT EXISTS:
-- an existing schema of that name is someone else's and must not be taken over.
CREATE SCHEMA migrations_schema;
REVOKE ALL ON SCHEMA migrations_schema FROM PUBLIC;

CREATE TABLE migrations_schema.migration (
    project           text NOT NULL CHECK (project <> ''),
    version           text NOT NULL,
    canonical_version text NOT NULL,
    -- byte order of sort_key is the natural version order (2 < 10, 1.9 < 1.10)
    sort_key          text COLLATE "C" NOT NULL,
    name              text NOT NULL CHECK (name <> ''),
    up_sql            text NOT NULL,
    down_sql          text,
    checksum          text NOT NULL,
    registered_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    registered_by     text NOT NULL,
    PRIMARY KEY (project, version),
    UNIQUE (project, canonical_version)
);
COMMENT ON TABLE migrations_schema.migration IS
    'Registered migrations: one row per project and version, with its up and down scripts.';

CREATE TABLE migrations_schema.applied (
    project     text NOT NULL,
    version     text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    applied_by  text NOT NULL,
    duration_ms double precision NOT NULL,
    statements  integer NOT NULL,
    PRIMARY KEY (project, version)
);
COMMENT ON TABLE migrations_schema.applied IS
    'Applied migrations, with the checksum of the up script as it ran.';

-- pg_dump keeps the migration state along with the schema it describes.
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.migration', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.applied', '');

-- The functions are not STRICT: a NULL argument is answered with a clear error.
CREATE FUNCTION migrate_register(
    version text, name text, up_sql text, down_sql text DEFAULT NULL,
    project text DEFAULT 'default')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_register'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate_register(text, text, text, text, text) IS
    'Registers a migration; returns registered, updated or unchanged.';

CREATE FUNCTION migrate_load_dir(path text, project text DEFAULT 'default')
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_load_dir'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate_load_dir(text, text) IS
    'Registers every migration of a server-side folder; returns how many were new or changed.';

CREATE FUNCTION migrate_apply(
    target text DEFAULT NULL, dry_run boolean DEFAULT false, project text DEFAULT 'default')
RETURNS TABLE (version text, name text, action text, duration_ms double precision,
               statements integer)
AS 'MODULE_PATHNAME', 'migrate_apply'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate_apply(text, boolean, text) IS
    'Applies pending migrations up to target in the calling transaction, all or nothing.';

CREATE FUNCTION migrate_rollback(
    target text DEFAULT NULL, steps integer DEFAULT 1, everything boolean DEFAULT false,
    dry_run boolean DEFAULT false, project text DEFAULT 'default')
RETURNS TABLE (version text, name text, action text, duration_ms double precision,
               statements integer)
AS 'MODULE_PATHNAME', 'migrate_rollback'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate_rollback(text, integer, boolean, boolean, text) IS
    'Runs down scripts newest first until target is the newest applied migration.';

CREATE FUNCTION migrate_status(project text DEFAULT NULL)
RETURNS TABLE (project text, version text, name text, state text,
               applied_at timestamptz, applied_by text, duration_ms double precision,
               reversible boolean, checksum text)
AS 'MODULE_PATHNAME', 'migrate_status'
LANGUAGE C STABLE;
COMMENT ON FUNCTION migrate_status(text) IS
    'One row per known migration: pending, applied, modified or missing.';

-- The owner decides who may migrate this database.
REVOKE ALL ON FUNCTION migrate_register(text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_load_dir(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_apply(text, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_rollback(text, integer, boolean, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION migrate_status(text) FROM PUBLIC;
