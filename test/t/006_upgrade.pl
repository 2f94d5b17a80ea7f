# ALTER EXTENSION migrations_schema UPDATE over a database that 0.1.0 filled: every state,
# every history row and every checksum carries over, the updated objects equal a fresh
# install's, and the runner goes on where it stood.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE fresh');

my $default = $node->safe_psql('postgres',
    q{SELECT default_version FROM pg_available_extensions WHERE name = 'migrations_schema'});
isnt($default, '0.1.0', "the default version ($default) is newer than 0.1.0");

$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema VERSION '0.1.0';
    SELECT migrate_register('1', 'up only', 'CREATE TABLE u1 (id int);');
    SELECT migrate_register('2', 'with down and verify', E'CREATE TABLE u2 (id int);\r\n',
        'DROP TABLE u2;', 'default', 'SELECT id FROM u2;');
    SELECT migrate_register('3', 'modified later', 'CREATE TABLE u3 (id int);', 'DROP TABLE u3;');
    SELECT * FROM migrate_apply();
    SELECT migrate_register('3', 'modified later', 'CREATE TABLE u3 (id bigint);', 'DROP TABLE u3;');
    SELECT migrate_register('4', 'pending', 'CREATE TABLE u4 (id int);', 'DROP TABLE u4;');
    SELECT migrate_register('1', 'a', 'CREATE TABLE b1 (id int);', NULL, 'baselined');
    SELECT * FROM migrate_baseline('1', 'baselined');
    SELECT migrate_register('1', 'fails', 'SELECT 1/0;', NULL, 'failing');
});
$node->psql('postgres', q{CALL migrate_run(project => 'failing')});
# Grants the owner gave on functions whose parameters change later.
$node->safe_psql('postgres', q{
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION migrate_rollback(text, integer, boolean, boolean, text),
                              migrate_apply(text, boolean, text, boolean),
                              migrate_load_dir(text, text), migrate_status(text) TO deployer;
});

my $status_sql = q{SELECT string_agg(project || ':' || version || '=' || state || ':' ||
                                     coalesce(applied_by, ''), ' ' ORDER BY project, version)
                   FROM migrate_status()};
my $before = $node->safe_psql('postgres', $status_sql);
like($before, qr/default:3=modified/, 'before: 3 is modified');
my $history_before = $node->safe_psql('postgres',
    'SELECT count(*) || ' . "'/'" . ' || max(id) FROM migrations_schema.history');

$node->safe_psql('postgres', 'ALTER EXTENSION migrations_schema UPDATE');
is($node->safe_psql('postgres',
        q{SELECT extversion FROM pg_extension WHERE extname = 'migrations_schema'}),
    $default, 'updated to the default version');
is($node->safe_psql('postgres', $status_sql), $before, 'every state carries over');
is($node->safe_psql('postgres',
        'SELECT count(*) || ' . "'/'" . ' || max(id) FROM migrations_schema.history'),
    $history_before, 'every history row carries over');
# The checksum the update computed in SQL is the one the library computes.
is($node->safe_psql('postgres', q{
        SELECT migrate_register('2', 'with down and verify', E'CREATE TABLE u2 (id int);\r\n',
            'DROP TABLE u2;', 'default', 'SELECT id FROM u2;')}),
    'unchanged', 'the updated checksum of a migration with down and verify scripts is exact');
is($node->safe_psql('postgres', q{
        SELECT migrate_register('4', 'pending', 'CREATE TABLE u4 (id int);', 'DROP TABLE u4;')}),
    'unchanged', 'and of a pending one with a down script');

# The updated objects are the fresh install's.
$node->safe_psql('fresh', 'CREATE EXTENSION migrations_schema');
my $objects_sql = q{
    SELECT string_agg(d, E'\n' ORDER BY d) FROM (
        SELECT pg_describe_object(classid, objid, 0) || ' ' ||
               coalesce((SELECT provolatile::text || ' ' || prosrc || ' ' || coalesce(proconfig::text, '')
                                || ' ' || pg_get_function_arguments(oid) || ' '
                                || (SELECT count(*) FROM aclexplode(proacl) a
                                    WHERE a.grantee = 0)::text
                         FROM pg_proc WHERE oid = objid AND classid = 'pg_proc'::regclass), '') AS d
        FROM pg_depend
        WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
          AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migrations_schema')
        UNION ALL
        SELECT 'event trigger ' || evtname || ' ' || evtevent || ' ' || evtenabled::text
        FROM pg_event_trigger WHERE evtname LIKE 'migrations\_schema\_%'
        UNION ALL
        SELECT tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text
        FROM pg_trigger WHERE tgrelid::regclass::text LIKE 'migrations_schema.%' AND NOT tgisinternal
        UNION ALL
        SELECT attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod) ||
               ' ' || attnotnull
        FROM pg_attribute WHERE attrelid::regclass::text LIKE 'migrations_schema.%'
          AND attnum > 0 AND NOT attisdropped
        UNION ALL
        SELECT 'comment ' || c.oid::regclass || ' ' || obj_description(c.oid, 'pg_class')
        FROM pg_class c WHERE c.relnamespace = 'migrations_schema'::regnamespace
          AND c.relkind = 'r'
    ) objects};
is($node->safe_psql('postgres', $objects_sql), $node->safe_psql('fresh', $objects_sql),
    'the updated extension has the objects, volatility, triggers and columns of a fresh install');

# The grants given before the update hold on the recreated functions.
is($node->safe_psql('postgres', q{
        SELECT has_function_privilege('deployer',
                   'migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean)', 'EXECUTE')
               AND has_function_privilege('deployer', 'migrate_load_dir(text, text, boolean)', 'EXECUTE')
               AND has_function_privilege('deployer', 'migrate_status(text)', 'EXECUTE')
               AND has_function_privilege('deployer', 'migrate_apply(text, boolean, text, boolean)', 'EXECUTE')
               AND NOT has_function_privilege('deployer', 'migrate_unregister(text, text)', 'EXECUTE')}),
    't', 'EXECUTE grants survive the recreated functions, and new ones are not granted');
is($node->safe_psql('postgres', q{
        SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a
        WHERE p.proname = 'migrate_rollback' AND a.grantee = 0}),
    '0', 'and PUBLIC still has none');

# History stays append-only, also under session_replication_role = replica.
my ($ret, $out, $err) = $node->psql('postgres', q{
    SET session_replication_role = replica;
    DELETE FROM migrations_schema.history});
like($err, qr/migration history is append-only/, 'history refuses deletes under replica');

# A swapped verify script shows, and the runner goes on after the update.
is($node->safe_psql('postgres', q{
        SELECT migrate_register('2', 'with down and verify', E'CREATE TABLE u2 (id int);\r\n',
            'DROP TABLE u2;', 'default', 'SELECT 1;')}),
    'updated', 'a new verify script for an applied migration is an update');
like($node->safe_psql('postgres', $status_sql), qr/default:2=modified/,
    'and shows the migration as modified');
$node->safe_psql('postgres', q{
    SELECT migrate_register('2', 'with down and verify', E'CREATE TABLE u2 (id int);\r\n',
        'DROP TABLE u2;', 'default', 'SELECT id FROM u2;');
    SELECT migrate_register('3', 'modified later', 'CREATE TABLE u3 (id int);', 'DROP TABLE u3;');
});
$node->safe_psql('postgres', 'CALL migrate_run()');
like($node->safe_psql('postgres', $status_sql), qr/default:1=applied:\S+ default:2=applied:\S+ default:3=applied:\S+ default:4=applied/,
    'migrate_run applies what was pending before the update');

# What the update added works on the filled database: a version undone by the production
# runner, a failed migration unregistered (history accepts the new actions).
$node->safe_psql('postgres', q{CALL migrate_run_rollback(version => '4')});
like($node->safe_psql('postgres', $status_sql), qr/default:4=pending/,
    'migrate_run_rollback undoes a version applied before the update');
is($node->safe_psql('postgres', q{SELECT migrate_unregister('1', 'failing')}), 'unregistered',
    'migrate_unregister forgets a migration that failed before the update');
is($node->safe_psql('postgres', q{
        SELECT string_agg(action, ',' ORDER BY id) FROM migrate_history()
        WHERE action IN ('rollback', 'unregister')}),
    'rollback,unregister', 'and history records both');

# An update over a database that 0.3.0 filled with a snapshot, open drift (an index made by
# hand) and history: the drift stays open across the update and the first run after it,
# which fills the expected state from the snapshot and says so.
$node->safe_psql('postgres', 'CREATE DATABASE drifted');
$node->safe_psql('drifted', q{
    CREATE EXTENSION migrations_schema VERSION '0.3.0';
    SELECT migrate_register('1', 't', 'CREATE TABLE t (id int PRIMARY KEY, v int);', 'DROP TABLE t;');
    SELECT count(*) FROM migrate_apply();
    CREATE INDEX hotfix_idx ON t (v);
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_status(text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run_rollback(text, integer, boolean, text, text, boolean) TO deployer;
});
my $drift_sql = q{SELECT coalesce(string_agg(change || ' ' || object_type || ' ' || object, ', '
                                             ORDER BY object_type, object), '')
                  FROM migrate_drift() WHERE source = 'schema'};
is($node->safe_psql('drifted', $drift_sql), 'added index public.hotfix_idx',
    '0.3.0: the hand-made index is drift');
$node->safe_psql('drifted', 'ALTER EXTENSION migrations_schema UPDATE');
is($node->safe_psql('drifted', $drift_sql), 'added index public.hotfix_idx',
    'after the update, before any run: still drift (against the snapshot)');
is($node->safe_psql('drifted', 'SELECT count(*) FROM migrations_schema.expected_state'), '0',
    'the expected state is not filled by the update itself');
$node->safe_psql('drifted', q{
    SELECT migrate_register('2', 'w', 'ALTER TABLE t ADD COLUMN w int;', 'ALTER TABLE t DROP COLUMN w;')});
my ($rc, $run_out, $run_err) = $node->psql('drifted', 'CALL migrate_run()');
is($rc, 0, 'the first run after the update succeeds');
like($run_err, qr/filled the expected state of the schema, object by object, from the snapshot of the apply of project "default"/,
    'and says that it filled the expected state from the snapshot');
is($node->safe_psql('drifted', $drift_sql), 'added index public.hotfix_idx',
    'the drift open before the update stays open after the first run; its column is no drift');
is($node->safe_psql('drifted', q{
        SELECT count(*) FILTER (WHERE fingerprint IS NOT NULL) || '/' ||
               (SELECT count(*) FROM migrations_schema.expected_object WHERE identity = 'public.t.w')
        FROM migrations_schema.schema_snapshot}),
    '0/1', 'the whole-schema snapshot is emptied; the run recorded its column');
is($node->safe_psql('drifted', q{SELECT count(*) FROM migrate_history() WHERE action = 'drift'}),
    '1', 'history keeps the drift the run saw');
# The runner's grants survive migrate_run and migrate_status made anew; a migration applied
# in parts after the update records its parts and resumes.
is($node->safe_psql('drifted', q{
        SELECT has_function_privilege('deployer', 'migrate_run(text, text, boolean)', 'EXECUTE')
               AND has_function_privilege('deployer', 'migrate_status(text)', 'EXECUTE')
               AND has_function_privilege('deployer',
                       'migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean)', 'EXECUTE')}),
    't', 'EXECUTE on migrate_run, migrate_status and migrate_run_rollback survives the update');
$node->safe_psql('drifted', q{
    SELECT migrate_register('3', 'parts', 'CREATE TABLE p3 (id int);
CREATE INDEX CONCURRENTLY p3_idx ON p3 (id);
SELECT 1 / 0;', 'DROP TABLE p3;')});
$node->psql('drifted', 'CALL migrate_run()');
is($node->safe_psql('drifted', q{SELECT state || ': ' || progress FROM migrate_status() WHERE version = '3'}),
    'partial: 2 of 3 parts committed (statements 1 to 2 of 3)', 'a migration applied in parts after the update is partial');
$node->safe_psql('drifted', q{
    SELECT migrate_register('3', 'parts', 'CREATE TABLE p3 (id int);
CREATE INDEX CONCURRENTLY p3_idx ON p3 (id);
SELECT 1;', 'DROP TABLE p3;')});
($rc, $run_out, $run_err) = $node->psql('drifted', 'CALL migrate_run()');
is($rc, 0, 'and resumes once the failing part is corrected') or diag $run_err;
like($run_err, qr/resuming migration 3 \(parts\) at statement 3/, 'at the part that failed');
$node->safe_psql('drifted', q{SELECT migrate_accept_drift(ARRAY['index public.hotfix_idx'])});
is($node->safe_psql('drifted', $drift_sql), '', 'accepted, the drift is resolved');
is($node->safe_psql('drifted', q{SELECT count(*) FROM migrate_history() WHERE action = 'accept-drift'}),
    '1', 'and the acceptance is in history');

done_testing();
