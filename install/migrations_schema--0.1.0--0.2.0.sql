-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION migrations_schema UPDATE TO '0.2.0'" to load this file. \quit

-- History is append-only also under session_replication_role = replica.
ALTER TABLE migrations_schema.history ENABLE ALWAYS TRIGGER history_is_append_only;
ALTER TABLE migrations_schema.history ENABLE ALWAYS TRIGGER history_is_not_truncated;

-- The event triggers too: DDL under replica is still DDL outside migrations, and a
-- migration's DDL must still not reach the extension's objects.
ALTER EVENT TRIGGER migrations_schema_ddl_command_end ENABLE ALWAYS;
ALTER EVENT TRIGGER migrations_schema_sql_drop ENABLE ALWAYS;

-- The functions that only read run queries with snapshots of their own: VOLATILE says so.
ALTER FUNCTION @extschema@.migrate_status(text) VOLATILE;
ALTER FUNCTION @extschema@.migrate_validate(text) VOLATILE;
ALTER FUNCTION @extschema@.migrate_history(text) VOLATILE;
ALTER FUNCTION @extschema@.migrate_lint(text) VOLATILE;
ALTER FUNCTION @extschema@.migrate_lint_pending(text) VOLATILE;
ALTER FUNCTION @extschema@.migrate_schema_fingerprint(text[]) VOLATILE;
ALTER FUNCTION @extschema@.migrate_schema_hash(text[]) VOLATILE;
ALTER FUNCTION @extschema@.migrate_drift(text) VOLATILE;

COMMENT ON TABLE migrations_schema.applied IS
    'Applied migrations, with the checksum of their scripts as they ran.';

-- Checksums now cover every script of a migration (core::checksum_input): the normalised up
-- script, then for each down or verify script a NUL byte, its name, a NUL byte and the
-- script normalised alike. A migration with an up script only keeps its checksum. An
-- applied migration whose scripts were unchanged keeps matching them; one that was
-- modified stays modified.
WITH normalised AS (
    SELECT project, version, checksum, down_sql IS NOT NULL AS has_down,
           verify_sql IS NOT NULL AS has_verify,
           pg_catalog.replace(pg_catalog.replace(up_sql, E'\r\n', E'\n'), E'\r', E'\n') AS up,
           pg_catalog.replace(pg_catalog.replace(down_sql, E'\r\n', E'\n'), E'\r', E'\n') AS down,
           pg_catalog.replace(pg_catalog.replace(verify_sql, E'\r\n', E'\n'), E'\r', E'\n') AS verify
    FROM migrations_schema.migration
    WHERE down_sql IS NOT NULL OR verify_sql IS NOT NULL
), changed AS (
    SELECT project, version, checksum AS old_checksum,
           pg_catalog.encode(pg_catalog.sha256(
               pg_catalog.convert_to(up, pg_catalog.getdatabaseencoding())
               OPERATOR(pg_catalog.||) CASE WHEN has_down
                   THEN '\x00646f776e00'::pg_catalog.bytea OPERATOR(pg_catalog.||)
                        pg_catalog.convert_to(down, pg_catalog.getdatabaseencoding())
                   ELSE '\x'::pg_catalog.bytea END
               OPERATOR(pg_catalog.||) CASE WHEN has_verify
                   THEN '\x0076657269667900'::pg_catalog.bytea OPERATOR(pg_catalog.||)
                        pg_catalog.convert_to(verify, pg_catalog.getdatabaseencoding())
                   ELSE '\x'::pg_catalog.bytea END), 'hex') AS new_checksum
    FROM normalised
), applied AS (
    UPDATE migrations_schema.applied a SET checksum = c.new_checksum
    FROM changed c
    WHERE a.project OPERATOR(pg_catalog.=) c.project
      AND a.version OPERATOR(pg_catalog.=) c.version
      AND a.checksum OPERATOR(pg_catalog.=) c.old_checksum
)
UPDATE migrations_schema.migration m SET checksum = c.new_checksum
FROM changed c
WHERE m.project OPERATOR(pg_catalog.=) c.project AND m.version OPERATOR(pg_catalog.=) c.version;
