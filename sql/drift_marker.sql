-- The catalog marker: the expected state keeps a digest of the catalog's rows from when it
-- last equalled the schema, and a drift check whose live digest is the same skips the
-- whole-schema fingerprint. What changes the schema
-- must always change the digest; what does not should leave it alone.
CALL regress.reset();
SET client_min_messages = warning;
CREATE ROLE regress_marker_reader;

-- Whether a drift check had to fingerprint the live schema: the fault point fires in the
-- fingerprint, so an error means the digests differed.
CREATE FUNCTION pg_temp.fingerprint_needed() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('migrations_schema.fault_injection', 'fingerprint', true);
    PERFORM count(*) FROM migrate_drift();
    PERFORM set_config('migrations_schema.fault_injection', '', true);
    RETURN false;
EXCEPTION WHEN OTHERS THEN
    IF SQLERRM = 'fault injected at fingerprint' THEN
        RETURN true;
    END IF;
    RAISE;
END $$;
-- Drift stays until it is accepted: what is open is taken in, then a migration runs.
CREATE PROCEDURE pg_temp.snapshot_now(v text) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM migrate_accept_drift(array_agg(object_type || ' ' || object))
    FROM migrate_drift() WHERE source = 'schema' HAVING count(*) > 0;
    PERFORM migrate_register(v, 'step ' || v, 'SELECT 1;');
    PERFORM count(*) FROM migrate_apply();
END $$;

SELECT migrate_register('1', 'marked',
    'CREATE TABLE app.marked (id int PRIMARY KEY, note text);
     CREATE INDEX marked_note_idx ON app.marked (note);', 'DROP TABLE app.marked;');
SELECT count(*) FROM migrate_apply();
SELECT catalog_marker IS NOT NULL AS has_marker FROM migrations_schema.expected_state;
SELECT pg_temp.fingerprint_needed() AS right_after_the_run;

-- Work that changes no schema object leaves the digest alone.
INSERT INTO app.marked SELECT g, 'n' || g FROM generate_series(1, 100) g;
ANALYZE app.marked;
VACUUM app.marked;
CREATE TEMP TABLE scratch (x int);
CREATE INDEX ON scratch (x);
DROP TABLE scratch;
BEGIN;
CREATE TABLE app.never (id int);
ROLLBACK;
SELECT pg_temp.fingerprint_needed() AS after_data_stats_and_temporary_objects;

-- Each change of a schema object changes it, and the drift check then finds the change.
COMMENT ON COLUMN app.marked.note IS 'free text';
SELECT pg_temp.fingerprint_needed() AS after_comment;
SELECT change, object_type, object FROM migrate_drift() WHERE source = 'schema';
CALL pg_temp.snapshot_now('2');
SELECT pg_temp.fingerprint_needed() AS after_taking_it_in;

GRANT SELECT ON app.marked TO regress_marker_reader;
CALL pg_temp.snapshot_now('3');
-- A role rename changes no table, but the grant's text names the role.
ALTER ROLE regress_marker_reader RENAME TO regress_marker_renamed;
SELECT pg_temp.fingerprint_needed() AS after_role_rename;
SELECT change, object_type, object FROM migrate_drift() WHERE source = 'schema';
CALL pg_temp.snapshot_now('4');

-- A dropped object leaves fewer rows.
DROP INDEX app.marked_note_idx;
SELECT pg_temp.fingerprint_needed() AS after_drop;
SELECT change, object_type, object FROM migrate_drift() WHERE source = 'schema';
CALL pg_temp.snapshot_now('5');

-- A catalog edited by hand, which no event trigger sees.
UPDATE pg_catalog.pg_class SET relrowsecurity = true WHERE oid = 'app.marked'::regclass;
SELECT pg_temp.fingerprint_needed() AS after_catalog_edit;
SELECT change, object_type, object, detail FROM migrate_drift() WHERE source = 'schema';
ALTER TABLE app.marked DISABLE ROW LEVEL SECURITY;
CALL pg_temp.snapshot_now('6');

-- Outside the managed schemas: the digest changes and the comparison finds nothing.
SET migrations_schema.managed_schemas = 'app';
CALL pg_temp.snapshot_now('7');
CREATE TABLE public.unmanaged (id int);
SELECT pg_temp.fingerprint_needed() AS after_unmanaged_change;
SELECT count(*) AS drift_in_managed FROM migrate_drift() WHERE source = 'schema';
DROP TABLE public.unmanaged;
RESET migrations_schema.managed_schemas;

-- A run by a deploy role keeps the digest too, and leaves identity and settings alone.
CREATE ROLE regress_marker_deploy;
GRANT USAGE, CREATE ON SCHEMA app TO regress_marker_deploy;
-- A grant by hand is drift until it is accepted.
SELECT * FROM migrate_accept_drift(ARRAY['schema app']);
GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text),
    migrate_apply(text, boolean, text, boolean) TO regress_marker_deploy;
SET ROLE regress_marker_deploy;
SELECT migrate_register('8', 'by deploy', 'CREATE TABLE app.deployed (id int);');
SELECT count(*) FROM migrate_apply();
SELECT current_user, current_setting('search_path') AS search_path;
RESET ROLE;
SELECT pg_temp.fingerprint_needed() AS after_deploy_run;

-- Migrations that change no catalog row take no fingerprint at all; one that does takes
-- its snapshot, and a failure there leaves nothing half-applied.
SET migrations_schema.fault_injection = 'fingerprint';
SELECT migrate_register('9', 'data only', 'INSERT INTO app.marked VALUES (1000, ''x'');');
SELECT count(*) AS applied_without_fingerprint FROM migrate_apply();
SELECT migrate_register('10', 'more', 'CREATE TABLE app.more (id int);', 'DROP TABLE app.more;');
SELECT regress.try($$SELECT count(*) FROM migrate_apply()$$);
RESET migrations_schema.fault_injection;
SELECT to_regclass('app.more') IS NULL AS nothing_half_applied, current_user,
       current_setting('search_path') AS search_path;
SELECT version, action FROM migrations_schema.schema_snapshot;
SELECT count(*) FROM migrate_apply();
SELECT version, action FROM migrations_schema.schema_snapshot;
SELECT pg_temp.fingerprint_needed() AS after_the_last_run;

-- Under REPEATABLE READ the run sees the schema as its transaction began: a change another
-- session committed since is not in its fingerprint, and its digest must not take it in.
CREATE EXTENSION dblink SCHEMA regress;
SELECT migrate_register('11', 'in a snapshot', 'CREATE TABLE app.seen (id int);', 'DROP TABLE app.seen;');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS rows_before FROM app.marked;
SELECT regress.dblink_exec(format('host=%s port=%s dbname=%s user=%s',
    split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
    current_database(), current_user), $$COMMENT ON TABLE app.marked IS 'meanwhile'$$);
SELECT count(*) FROM migrate_apply();
COMMIT;
SELECT pg_temp.fingerprint_needed() AS after_a_concurrent_change;
SELECT change, object_type, object, detail FROM migrate_drift() WHERE source = 'schema';
DROP EXTENSION dblink;
COMMENT ON TABLE app.marked IS NULL;

-- An expected state without a digest (open drift, or a change it could not vouch for) is
-- compared whole.
UPDATE migrations_schema.expected_state SET catalog_marker = NULL;
SELECT pg_temp.fingerprint_needed() AS without_marker;
SELECT count(*) AS drift FROM migrate_drift() WHERE source = 'schema';

-- Open drift known at a digest: a run that leaves a hotfix open records the drift that is
-- left with the digest after the run, and the checks that follow read it instead of
-- fingerprinting, until the catalog changes again.
SELECT count(*) AS open_before FROM migrate_drift() WHERE source = 'schema';
CALL pg_temp.snapshot_now('20');
CREATE INDEX marked_hotfix_idx ON app.marked (id, note);
SELECT migrate_register('21', 'unrelated', 'CREATE TABLE app.unrelated (id int);',
    'DROP TABLE app.unrelated;');
SELECT count(*) FROM migrate_apply();
SELECT catalog_marker IS NULL AS not_clean, drift_marker IS NOT NULL AS drift_known,
       open_drift
FROM migrations_schema.expected_state;
SELECT pg_temp.fingerprint_needed() AS with_the_drift_known;
SELECT change, object_type, object FROM migrate_drift() WHERE source = 'schema';
COMMENT ON TABLE app.unrelated IS 'by hand';
SELECT pg_temp.fingerprint_needed() AS after_another_change;
SELECT change, object_type, object FROM migrate_drift() WHERE source = 'schema' ORDER BY object;
-- Accepting one of two open changes leaves the other known at the digest.
SELECT change, object_type, object FROM migrate_accept_drift(ARRAY['index app.marked_hotfix_idx']);
SELECT pg_temp.fingerprint_needed() AS after_accepting_one;
SELECT change, object_type, object FROM migrate_drift() WHERE source = 'schema';
-- A migration that makes the same change resolves the rest: the store is clean.
SELECT migrate_register('22', 'comment', $$COMMENT ON TABLE app.unrelated IS 'by hand';$$,
    'COMMENT ON TABLE app.unrelated IS NULL;');
SELECT count(*) FROM migrate_apply();
SELECT catalog_marker IS NOT NULL AS clean, open_drift FROM migrations_schema.expected_state;
SELECT pg_temp.fingerprint_needed() AS after_resolving_it;

SELECT version, state FROM migrate_status() ORDER BY version::int;
RESET client_min_messages;
DROP TABLE app.deployed, app.more, app.seen, app.unrelated;
DROP INDEX app.marked_hotfix_idx;
DROP OWNED BY regress_marker_deploy;
DROP ROLE regress_marker_deploy;
REVOKE ALL ON app.marked FROM regress_marker_renamed;
DROP ROLE regress_marker_renamed;
