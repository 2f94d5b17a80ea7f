-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION migrations_schema UPDATE TO '0.4.0'" to load this file. \quit

-- One runner per project: the lease migrate_run holds instead of an advisory lock.
-- The project's runner: one row per project, written only by the extension. migrate_run
-- takes the lease (its session's pid and start time), holds it across the commits of its run
-- and clears it at the end; a holder that is gone or no longer inside a statement is taken
-- over, so a lease cannot leak. Calls in the caller's transaction lock the row until their
-- transaction ends. A migration can neither release nor take it (no advisory lock is
-- involved). Transient: not dumped.
CREATE TABLE migrations_schema.runner_lease (
    project          text PRIMARY KEY,
    pid              integer,
    backend_start    timestamptz,
    role_name        text,
    application_name text,
    action           text,
    since            timestamptz
);
COMMENT ON TABLE migrations_schema.runner_lease IS
    'Per project, the session running its migrations (migrate_run), if any.';
