-- migrate_status: states, projects, and the columns applications read.
CALL regress.reset();
SET search_path = app, public;
SELECT * FROM migrate_status();
SELECT migrate_register('1', 'one', 'SELECT 1;', 'SELECT 1;');
SELECT migrate_register('2', 'two', 'SELECT 2;');
SELECT migrate_register('1', 'other', 'SELECT 1;', project => 'other');
SELECT version FROM migrate_apply(target => '1');

-- Every project, ordered by project and version; or one project.
SELECT * FROM regress.status();
SELECT * FROM regress.status('other');
SELECT * FROM regress.status('nobody');

-- The column types an application reads.
SELECT pg_typeof(applied_at) AS applied_at, pg_typeof(duration_ms) AS duration_ms,
       pg_typeof(reversible) AS reversible, length(checksum) AS checksum_length
FROM migrate_status('default') WHERE version = '1';
SELECT applied_at <= now() AS applied_in_the_past, applied_by = current_user AS by_me
FROM migrate_status('default') WHERE version = '1';

-- A migration applied but no longer registered (a registry restored from an older backup)
-- shows as missing.
DELETE FROM migrations_schema.migration WHERE project = 'default' AND version = '1';
SELECT * FROM regress.status('default');
-- It does not block new migrations, and cannot be rolled back without a down script.
SELECT version FROM migrate_apply();
SELECT * FROM migrate_rollback(everything => true);
