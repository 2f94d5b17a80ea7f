# A deploy role stays itself: an error raised at every internal step of CALL migrate_run()
# (migrations_schema.fault_injection) leaves the caller's identity and settings, a log
# without leak warnings, and tracking state that matches the schema; the next call finishes
# the work. Two runners started at once around CREATE INDEX CONCURRENTLY both finish: the
# second waits on the project lock and then has nothing to do.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('deploy');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_status(text) TO deployer;
    GRANT CREATE ON SCHEMA public TO deployer;
});

sub register_project {
    my ($p) = @_;
    $node->safe_psql('postgres', qq{
        SET ROLE deployer;
        SELECT migrate_register('1', 'table', 'CREATE TABLE ${p}_a (id int);', NULL, '$p');
        SELECT migrate_register('2', 'index',
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS ${p}_idx ON ${p}_a (id);', NULL, '$p');
        SELECT migrate_register('3', 'fails unless fixed',
            'CREATE TABLE ${p}_b (id int); SELECT 1 / (SELECT count(*) FROM pg_class WHERE relname = ''${p}_fixed'')::int;',
            NULL, '$p');
    });
}

my @points = (
    (map { "internal_query:$_" } 1, 2, 3, 5, 8, 13, 21, 34),
    (map { "commit:$_" } 1 .. 8),
    'lock', 'record_applied:1', 'record_applied:2', 'record_failure', 'snapshot',
    'fingerprint:1', 'fingerprint:2', 'worker_start', 'worker_done', 'worker_vanish');

my $n = 0;
for my $point (@points) {
    my $p = 'fp' . ++$n;
    register_project($p);
    my $log_at = -s $node->logfile;
    # A superuser arms the fault, then acts as the deploy role; what the call leaves behind
    # is read in the same session.
    my ($ret, $out, $err) = $node->psql('postgres', qq{
        SET migrations_schema.fault_injection = '$point';
        SET ROLE deployer;
        CALL migrate_run(project => '$p');
        SELECT current_user || ' ' || current_setting('search_path') || ' ' ||
               (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)::text;
    }, on_error_stop => 0);
    like($out, qr/^deployer "\$user", public false$/m, "$point: the caller is still itself");
    like($err, qr/ERROR/, "$point: the call failed");
    my $log = slurp_file($node->logfile, $log_at);
    unlike($log, qr/leak|did not account|TRAP|server process .* was terminated/i,
        "$point: no leak warning, no crash");
    # The tracking state matches the schema.
    my $state = $node->safe_psql('postgres', qq{
        SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('$p')});
    my %state = map { split /=/ } split / /, $state;
    my $a_exists = $node->safe_psql('postgres', "SELECT to_regclass('${p}_a') IS NOT NULL");
    is($a_exists eq 't', $state{1} eq 'applied', "$point: table a exists iff 1 is applied ($state)");
    ok($state{3} ne 'applied', "$point: 3 is not applied");
    is($node->safe_psql('postgres',
            "SELECT count(*) FROM migrations_schema.runner_lease WHERE pid IS NOT NULL"),
        '0', "$point: the project lease was released");
    # The failure is recorded, or the error says why not.
    ok(grep({ $_ eq 'failed' } values %state) || $err =~ /fault injected|could not be recorded/,
        "$point: failure recorded or explained");
    if ($point eq 'record_failure') {
        # Recording the failure failed: that is raised with the first error, not swallowed.
        like($err, qr/failed, and its failure could not be recorded: fault injected.*division by zero/s,
            'record_failure: the error says the failure could not be recorded, and why it failed');
        is($state{3}, 'pending', 'record_failure: 3 stays pending, nothing half-recorded');
    }
    if ($point eq 'worker_vanish') {
        # A worker that never ran its statement is a failure, not an applied migration.
        like($err, qr/ended without reporting that its statement committed/,
            'worker_vanish: the call says the worker did not report');
        is($state{2}, 'failed', 'worker_vanish: the migration is failed, not applied');
        is($node->safe_psql('postgres', "SELECT to_regclass('${p}_idx') IS NULL"), 't',
            'worker_vanish: and its index does not exist');
    }
    # Fixed, the next call finishes the work.
    $node->safe_psql('postgres', "CREATE TABLE ${p}_fixed ()");
    $node->safe_psql('postgres', "SET ROLE deployer; CALL migrate_run(project => '$p')");
    is($node->safe_psql('postgres', qq{
        SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('$p')}),
        '1=applied 2=applied 3=applied', "$point: the next call finishes");
}

# --- Two runners at once -----------------------------------------------------------------
$node->safe_psql('postgres', q{
    CREATE TABLE pods_log (version text);
    GRANT INSERT ON pods_log TO deployer;
    SET ROLE deployer;
    SELECT migrate_register('1', 'slow',
        'SELECT pg_sleep(2); CREATE TABLE pods_t AS SELECT g FROM generate_series(1, 10000) g;
         INSERT INTO pods_log VALUES (''1'');', NULL, 'pods');
    SELECT migrate_register('2', 'index',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS pods_idx ON pods_t (g);', NULL, 'pods');
    SELECT migrate_register('3', 'after', 'INSERT INTO pods_log VALUES (''3'');', NULL, 'pods');
});
my @psql = ('psql', '-X', '-d', $node->connstr('postgres'), '-v', 'ON_ERROR_STOP=1',
    '-c', 'SET ROLE deployer', '-c');
my ($out1, $err1, $out2, $err2) = ('', '', '', '');
my $first = IPC::Run::start([ @psql, "CALL migrate_run(project => 'pods')" ],
    '>', \$out1, '2>', \$err1);
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM migrations_schema.runner_lease WHERE pid IS NOT NULL}),
    'the first runner holds the project lease');
my $second = IPC::Run::start([ @psql, "CALL migrate_run(project => 'pods')" ],
    '>', \$out2, '2>', \$err2);
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE query LIKE '%migrate_run%' AND wait_event = 'Extension'
          AND pid <> (SELECT pid FROM migrations_schema.runner_lease WHERE pid IS NOT NULL)}),
    'the second runner waits for it, in a latch wait rather than a lock held in a query');
ok($first->finish, 'the first runner finishes') or diag $err1;
ok($second->finish, 'the second runner finishes without an error') or diag $err2;
like($err2, qr/waiting for project "pods", held by pid \d+ \(migrate_run by role deployer, application_name "[^"]*", since /,
    'the second said it waited, naming the session it waited for');
like($err2, qr/nothing to apply in project "pods"/, 'and then had nothing to apply');
is($node->safe_psql('postgres', q{
        SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('pods')}),
    '1=applied 2=applied 3=applied', 'every migration applied');
is($node->safe_psql('postgres', q{SELECT string_agg(version, ',' ORDER BY version) FROM pods_log}),
    '1,3', 'each ran once');
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrations_schema.failure}), '0',
    'no failure row');
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'pods_idx'::regclass}),
    't', 'the index is valid');

# --- Running is per database ----------------------------------------------------------------
# A runner in one database running a project and version does not show that migration as
# running in another database with the same project and version.
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', q{
    CREATE EXTENSION migrations_schema;
    SELECT migrate_register('1', 'slow', 'SELECT pg_sleep(60);', NULL, 'shared');
});
$node->safe_psql('postgres', q{
    SET ROLE deployer; SELECT migrate_register('1', 'slow', 'SELECT pg_sleep(60);', NULL, 'shared')});
my ($sh_out, $sh_err) = ('', '');
my $shared = IPC::Run::start([ @psql, "CALL migrate_run(project => 'shared')" ],
    '>', \$sh_out, '2>', \$sh_err);
ok($node->poll_query_until('postgres', q{SELECT state = 'running' FROM migrate_status('shared')}),
    'the migration shows as running where it runs');
is($node->safe_psql('other', q{SELECT state FROM migrate_status('shared')}), 'pending',
    'and as pending in another database');
$node->safe_psql('postgres', q{
    SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'migrate_run: %'});
$shared->finish;

# --- A run terminated mid-way -------------------------------------------------------------
# What it committed is the runner's work: the next run does not call it drift, and DDL made
# outside migrations meanwhile still is.
# What the sections above made by hand is drift that stays: taken in first, so that what
# follows is the only drift there is.
$node->safe_psql('postgres', q{
    SELECT migrate_accept_drift(array_agg(object_type || ' ' || object))
    FROM migrate_drift() WHERE source = 'schema' HAVING count(*) > 0});
sub terminated_run {
    my ($project) = @_;
    my ($out, $err) = ('', '');
    my $h = IPC::Run::start([ @psql, "CALL migrate_run(project => '$project')" ],
        '>', \$out, '2>', \$err);
    ok($node->poll_query_until('postgres', q{
            SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'migrate_run: %'
              AND wait_event = 'PgSleep'}), "$project: the run sleeps in its second migration");
    $node->safe_psql('postgres', q{
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'migrate_run: %'});
    $h->finish;
}
$node->safe_psql('postgres', q{
    SET ROLE deployer;
    SELECT migrate_register('1', 'table', 'CREATE TABLE term_a (id int);', NULL, 'term');
    SELECT migrate_register('2', 'slow', 'SELECT pg_sleep(60);', NULL, 'term');
});
terminated_run('term');
is($node->safe_psql('postgres', q{
        SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('term')}),
    '1=applied 2=pending', 'the terminated run committed its first migration only');
$node->safe_psql('postgres', q{
    SET ROLE deployer; SELECT migrate_register('2', 'slow', 'SELECT 1;', NULL, 'term')});
my ($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; CALL migrate_run(project => 'term')});
is($ret, 0, 'the next run finishes') or diag $err;
unlike($err, qr/changed outside migrations/, 'and does not call the first migration drift');

$node->safe_psql('postgres', q{
    SET ROLE deployer;
    SELECT migrate_register('3', 'table', 'CREATE TABLE term_c (id int);', NULL, 'term');
    SELECT migrate_register('4', 'slow', 'SELECT pg_sleep(60);', NULL, 'term');
});
terminated_run('term');
$node->safe_psql('postgres', 'CREATE TABLE term_outside (id int)');
$node->safe_psql('postgres', q{
    SET ROLE deployer; SELECT migrate_register('4', 'slow', 'SELECT 1;', NULL, 'term')});
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; CALL migrate_run(project => 'term')});
like($err, qr/changed outside migrations: 2 changes: added column public\.term_outside\.id; added table public\.term_outside\n/,
    'DDL outside migrations after a terminated run is still drift');
unlike($err, qr/term_c/, 'what the terminated run applied is not');

# --- A runner whose client is killed while its worker waits --------------------------------
# It notices, ends, and its worker stops: nothing keeps waiting on a client that is gone.
$node->safe_psql('postgres', q{
    CREATE TABLE gone (v int);
    ALTER TABLE gone OWNER TO deployer;
    SET ROLE deployer;
    SELECT migrate_register('1', 'index gone', 'CREATE INDEX CONCURRENTLY gone_v_idx ON gone (v);',
                            NULL, 'gone');
});
my $writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('INSERT INTO gone VALUES (1)');    # the build waits for this writer
my ($gone_out, $gone_err) = ('', '');
my $client = IPC::Run::start([ @psql, "SET migrations_schema.lock_timeout = '600s'",
                               '-c', "CALL migrate_run(project => 'gone')" ],
    '>', \$gone_out, '2>', \$gone_err);
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE backend_type = 'migrations_schema worker' AND wait_event_type = 'Lock'}),
    'the worker waits for the open writer');
$client->signal('KILL');
eval { $client->finish };
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 0 FROM pg_stat_activity
        WHERE query LIKE 'migrate_run: %' OR backend_type = 'migrations_schema worker'}),
    'the runner notices its client is gone, and its worker stops');
$writer->query_safe('COMMIT');
$writer->quit;
isnt($node->safe_psql('postgres', q{SELECT state FROM migrate_status('gone')}), 'applied',
    'and nothing is recorded as applied');

# --- A runner cancelled while its worker waits ----------------------------------------------
# The cancel stops the worker, the migration is recorded as failed, and nothing leaks.
$node->safe_psql('postgres', q{
    CREATE TABLE cancelled (v int);
    ALTER TABLE cancelled OWNER TO deployer;
    SET ROLE deployer;
    SELECT migrate_register('1', 'index cancelled',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS cancelled_v_idx ON cancelled (v);', NULL, 'cancelled');
});
my $log_at = -s $node->logfile;
$writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('INSERT INTO cancelled VALUES (1)');
my ($c_out, $c_err) = ('', '');
$client = IPC::Run::start([ @psql, "SET migrations_schema.lock_timeout = '600s'",
                            '-c', "CALL migrate_run(project => 'cancelled')" ],
    '>', \$c_out, '2>', \$c_err);
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE backend_type = 'migrations_schema worker' AND wait_event_type = 'Lock'}),
    'the worker waits for the open writer');
$node->safe_psql('postgres', q{
    SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'migrate_run: %'});
# The runner drops the INVALID index the cancelled build left, which waits for the writer.
$writer->query_safe('COMMIT');
$writer->quit;
$client->finish;
like($c_err, qr/canceling statement due to user request/, 'the cancel ends the call');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'migrations_schema worker'}),
    'the worker stopped');
is($node->safe_psql('postgres', q{SELECT state FROM migrate_status('cancelled')}), 'failed',
    'the cancelled migration is recorded as failed');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_index WHERE NOT indisvalid
                                  AND indexrelid::regclass::text = 'cancelled_v_idx'}),
    '0', 'no INVALID index is left behind');
unlike(slurp_file($node->logfile, $log_at), qr/leak|did not account/i,
    'no leak warning in the server log');

done_testing();
