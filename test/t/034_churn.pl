# Churn: another session creates and drops tables, indexes, views and schemas in a loop
# while runs, rollbacks, fingerprints, drift checks and lint go on. No call may fail with an
# internal error ("could not open relation with OID", "invalid transaction termination",
# XX000), and the churn outside the managed schema is never reported as drift of the
# project's schema.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('churn');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    ALTER DATABASE postgres SET migrations_schema.managed_schemas = 'app';
    CREATE SCHEMA app;
    CREATE TABLE stop_churning (x int);
    CREATE TABLE churned (n int);
    CREATE PROCEDURE churn() LANGUAGE plpgsql AS $$
    DECLARE i int := 0;
    BEGIN
        LOOP
            i := i + 1;
            EXECUTE format('CREATE SCHEMA churn_%s', i % 7);
            EXECUTE format('CREATE TABLE churn_%s.t (id int, v text)', i % 7);
            EXECUTE format('CREATE INDEX ON churn_%s.t (id)', i % 7);
            EXECUTE format('CREATE VIEW churn_%s.w AS SELECT id FROM churn_%s.t', i % 7, i % 7);
            EXECUTE format('CREATE TABLE public.loose_%s (id int)', i % 5);
            COMMIT;
            EXECUTE format('DROP TABLE public.loose_%s', i % 5);
            EXECUTE format('DROP SCHEMA churn_%s CASCADE', i % 7);
            INSERT INTO churned VALUES (i);
            COMMIT;
            EXIT WHEN EXISTS (SELECT FROM stop_churning);
        END LOOP;
    END $$;
});

# Its output goes to a file: a pipe nobody reads would fill with its NOTICEs and stop it in
# the middle of a transaction.
my $churn_log = $node->basedir . '/churn.log';
my $churner = IPC::Run::start(['psql', '-X', '-d', $node->connstr('postgres'), '-c', 'CALL churn()'],
    '<', \undef, '>', $churn_log, '2>&1');
$node->poll_query_until('postgres', 'SELECT count(*) > 5 FROM churned');

my $bad = qr/XX000|could not open relation|invalid transaction termination|portal snapshots|cache lookup failed/;
for my $round (1 .. 5) {
    my $p = "c$round";
    my @calls = (
        qq{SELECT migrate_register('1', 'table', 'CREATE TABLE app.t$round (id int, v text);', 'DROP TABLE app.t$round;', '$p')},
        qq{SELECT migrate_register('2', 'index', 'CREATE INDEX CONCURRENTLY t${round}_idx ON app.t$round (id);', 'DROP INDEX CONCURRENTLY app.t${round}_idx;', '$p')},
        qq{SELECT migrate_register('3', 'view', 'CREATE VIEW app.w$round AS SELECT id FROM app.t$round;', 'DROP VIEW app.w$round;', '$p')},
        qq{CALL migrate_run(project => '$p')},
        q{SELECT length(migrate_schema_fingerprint()::text) > 0},
        q{SELECT length(migrate_schema_fingerprint(ARRAY['app', 'public'])::text) > 0},
        qq{SELECT count(*) FROM migrate_drift('$p')},
        qq{SELECT count(*) FROM migrate_lint('ALTER TABLE app.t$round ADD COLUMN x int NOT NULL DEFAULT 1; CREATE INDEX ON app.t$round (v);')},
        qq{SELECT count(*) FROM migrate_validate('$p')},
        qq{CALL migrate_run_rollback(steps => 2, project => '$p')},
        q{SELECT length(migrate_schema_hash()) > 0},
        qq{CALL migrate_run(project => '$p')},
        qq{SELECT count(*) FROM migrate_rollback(project => '$p')},
        qq{SELECT count(*) FROM migrate_apply(project => '$p')},
    );
    for my $call (@calls) {
        my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$call");
        unlike($err, $bad, "round $round: $call: no internal error") or diag $err;
        is($ret, 0, "round $round: $call: succeeds") or diag $err;
    }
    is($node->safe_psql('postgres', qq{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('$p')}),
        '1=applied 2=applied 3=applied', "round $round: all applied");
    # The runner's own objects, recorded while other sessions change the catalog, are never
    # reported as drift of the project's schema.
    is($node->safe_psql('postgres', qq{SELECT coalesce(string_agg(source || ' ' || coalesce(change, '') || ' ' || coalesce(object_type, '') || ' ' || object, '; ' ORDER BY source, object_type, object), '') FROM migrate_drift('$p') WHERE object LIKE 'app.%'}),
        '', "round $round: no drift reported for the project's schema");
}
$node->safe_psql('postgres', 'INSERT INTO stop_churning VALUES (1)');
$churner->finish;
unlike(slurp_file($churn_log), qr/ERROR/, 'the churn itself never failed');
ok($node->safe_psql('postgres', 'SELECT max(n) FROM churned') > 10, 'the churn went on throughout');
done_testing();
