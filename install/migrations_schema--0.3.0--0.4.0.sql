-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION migrations_schema UPDATE TO '0.4.0'" to load this file. \quit

-- With migrations_schema.ddl_guard = error, the statements that commit as they go
-- (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY) are
-- refused before they start: refused when they end, they would leave an INVALID index behind.
CREATE FUNCTION migrations_schema.ddl_command_start() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_ddl_command_start'
LANGUAGE C;
CREATE EVENT TRIGGER migrations_schema_ddl_command_start ON ddl_command_start
    WHEN TAG IN ('CREATE INDEX', 'DROP INDEX', 'ALTER TABLE')
    EXECUTE FUNCTION migrations_schema.ddl_command_start();
ALTER EVENT TRIGGER migrations_schema_ddl_command_start ENABLE ALWAYS;
-- The expected state of the schema, object by object: drift stays until a migration produces
-- the same object or migrate_accept_drift() takes it in. The first apply, run, rollback or
-- baseline after this update fills it from the newest snapshot (so drift open now stays
-- open) and empties the whole-schema snapshots.
ALTER TABLE migrations_schema.history DROP CONSTRAINT history_action_check;
ALTER TABLE migrations_schema.history ADD CONSTRAINT history_action_check
    CHECK (action IN ('register', 'apply', 'rollback', 'baseline', 'import',
                      'repair', 'failure', 'lint-ignore', 'drift',
                      'unregister', 'rollback-failure',
                      'accept-drift'));
ALTER TABLE migrations_schema.schema_snapshot ALTER COLUMN schema_hash DROP NOT NULL;
ALTER TABLE migrations_schema.schema_snapshot ALTER COLUMN fingerprint DROP NOT NULL;

-- The schema as migrations made it, object by object: what drift is measured against. A run
-- records the objects its own statements touched (and what came along with them); anything
-- else that differs stays drift until a migration produces the same object or
-- migrate_accept_drift() takes it in.
CREATE TABLE migrations_schema.expected_object (
    kind          text NOT NULL,
    identity      text NOT NULL,
    -- the object recomputed as a whole when any part of it changes (a relation with its
    -- columns, constraints, indexes, ...; a type; a function; a schema; an extension)
    root_kind     text,
    root_identity text,
    -- its catalog address, as the event triggers report it (NULL: not known, after an upgrade)
    classid       oid,
    objid         oid,
    objsubid      integer,
    -- the schema it is in (NULL: not known), for migrations_schema.managed_schemas
    schema_name   text,
    object        jsonb NOT NULL,
    PRIMARY KEY (kind, identity)
);
CREATE INDEX expected_object_root ON migrations_schema.expected_object (root_kind, root_identity);
CREATE INDEX expected_object_address ON migrations_schema.expected_object (classid, objid);
COMMENT ON TABLE migrations_schema.expected_object IS
    'Each object''s fingerprint as migrations left it (migrate_schema_fingerprint(), per object).';

-- One row once the store is filled (the first apply, run, rollback or baseline).
CREATE TABLE migrations_schema.expected_state (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- migrations_schema.managed_schemas when it was filled (NULL: every user schema)
    schemas        jsonb,
    -- the catalog digest when the store last equalled the live schema (NULL: compare)
    catalog_marker text,
    clean_at       timestamptz,
    filled_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE migrations_schema.expected_state IS
    'Whether the expected state is filled, what it covers, and when it last equalled the schema.';

-- The objects the runner's statements touched, written by the event triggers in each
-- statement's transaction and taken into expected_object when the run records. Not dumped.
CREATE TABLE migrations_schema.expected_touched (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    classid       oid,
    objid         oid,
    objsubid      integer NOT NULL DEFAULT 0,
    -- a dropped object: its root as the drop named it
    root_kind     text,
    root_identity text
);

SELECT pg_catalog.pg_extension_config_dump('migrations_schema.expected_object', '');
SELECT pg_catalog.pg_extension_config_dump('migrations_schema.expected_state', '');

CREATE FUNCTION @extschema@.migrate_accept_drift(objects text[], project text DEFAULT 'default')
RETURNS TABLE (change text, object_type text, object text)
AS 'MODULE_PATHNAME', 'migrate_accept_drift'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.migrate_accept_drift(text[], text) IS
    'Takes the live form of the named drifted objects (''kind identity'') into the expected '
    'state; logged to history as accept-drift, with who and when.';
REVOKE ALL ON FUNCTION @extschema@.migrate_accept_drift(text[], text) FROM PUBLIC;
