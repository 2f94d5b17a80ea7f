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
