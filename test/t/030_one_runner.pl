# One runner per project, whatever the other sessions do. The runner's lease lives in the
# protected tracking state (migrations_schema.runner_lease), not in an advisory lock: a
# registration by another session during a run neither waits for it nor makes it run
# anything twice; a migration calling pg_advisory_unlock_all() releases nothing; a role
# holding the old advisory key stalls nobody; a waiting runner names the session it waits
# for and gives up after migrations_schema.lock_wait_timeout; a terminated runner's lease is
# taken over. Also: the INVALID-index clean-up never drops a valid index of the same name,
# and the full comparison behind the no-op check still refuses a modified applied migration.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Temp qw(tempdir);

my $node = PostgreSQL::Test::Cluster->new('one_runner');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_status(text) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_apply(text, boolean, text, boolean) TO deployer;
    GRANT CREATE ON SCHEMA public TO deployer;
    CREATE TABLE run_log (project text, version text);
    GRANT INSERT ON run_log TO deployer;
});

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub states {
    my ($project) = @_;
    return sql(qq{SELECT string_agg(version || '=' || state, ' ' ORDER BY version)
                  FROM migrate_status('$project')});
}

sub lease_holders {
    return sql(q{SELECT count(*) FROM migrations_schema.runner_lease WHERE pid IS NOT NULL});
}

# psql in the background as the deploy role; returns (handle, \stdout, \stderr).
sub start_psql {
    my (@commands) = @_;
    my ($out, $err) = ('', '');
    my @cmd = ('psql', '-X', '-d', $node->connstr('postgres'), '-v', 'ON_ERROR_STOP=1');
    push @cmd, '-c', $_ for @commands;
    my $h = IPC::Run::start(\@cmd, '<', \undef, '>', \$out, '2>', \$err);
    return ($h, \$out, \$err);
}

sub wait_for_pause {
    my ($point) = @_;
    return $node->poll_query_until('postgres', qq{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE query = 'migrations_schema fault pause at $point'});
}

# --- 1. A registration during a run, then a second run ------------------------------------
# 002 adds a column, then builds an index CONCURRENTLY. While the first runner is between the
# two (committed, about to start the worker), a second session registers and runs. Before,
# the registration waited for the runner's lock holding a snapshot, the index build waited
# for that snapshot until its lock_timeout, and the second runner ran 002 again ("column c
# already exists").
sql(q{
    CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 20000) g;
    ALTER TABLE t OWNER TO deployer;
});
my $one = q{SELECT migrate_register('001', 'a', 'CREATE TABLE a (id int);')};
my $two = q{SELECT migrate_register('002', 'c', 'ALTER TABLE t ADD COLUMN c int; CREATE INDEX CONCURRENTLY t_c_idx ON t (c);')};
sql("SET ROLE deployer; $one; $two");
my ($ha, $outa, $erra) = start_psql(
    q{SET migrations_schema.fault_injection = 'pause:worker_start:1:3000'},
    q{SET migrations_schema.lock_timeout = '2s'},
    'SET ROLE deployer', 'CALL migrate_run()');
ok(wait_for_pause('worker_start'), 'the first runner is between the two parts of 002');
my ($hb, $outb, $errb) = start_psql('SET ROLE deployer', $one, $two, 'CALL migrate_run()');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE query = 'CALL migrate_run()' AND wait_event = 'Extension'
          AND pid <> (SELECT pid FROM migrations_schema.runner_lease WHERE project = 'default')}),
    'the second session registered without waiting and its runner waits without a snapshot');
ok($ha->finish, 'the first runner applies 002') or diag $$erra;
ok($hb->finish, 'the second runner succeeds') or diag $$errb;
like($$errb, qr/waiting for project "default", held by pid \d+ \(migrate_run by role deployer/,
    'the second runner named the session it waited for');
like($$errb, qr/nothing to apply in project "default"/, 'and then had nothing to apply');
is(states('default'), '001=applied 002=applied', 'both migrations applied');
is(sql('SELECT count(*) FROM migrations_schema.failure'), '0', 'no failure recorded');
is(sql(q{SELECT indisvalid FROM pg_index WHERE indexrelid = 't_c_idx'::regclass}), 't',
    'the index is valid');
is(lease_holders(), '0', 'the lease is free');

# The same with two `pg_migrate run DIR` processes (each registers the folder first).
SKIP: {
    my $bin = $ENV{PG_MIGRATE_BIN};
    skip 'PG_MIGRATE_BIN is not set', 5 unless $bin && -x $bin;
    my $dir = tempdir(CLEANUP => 1);
    open my $f, '>', "$dir/001_b.sql" or die; print $f "CREATE TABLE b (id int);\n"; close $f;
    open $f, '>', "$dir/002_d.sql" or die;
    print $f "ALTER TABLE t ADD COLUMN d int;\nCREATE INDEX CONCURRENTLY t_d_idx ON t (d);\n";
    close $f;
    sql(q{ALTER ROLE deployer SET migrations_schema.fault_injection = 'pause:worker_start:1:3000'});
    my ($o1, $e1, $o2, $e2) = ('', '', '', '');
    my ($c1, $c2);
    {
        local $ENV{PGHOST} = $node->host;
        local $ENV{PGPORT} = $node->port;
        local $ENV{PGDATABASE} = 'postgres';
        local $ENV{PGUSER} = 'deployer';
        $c1 = IPC::Run::start([ $bin, 'run', $dir, '--project', 'cli' ], '<', \undef, '>', \$o1, '2>', \$e1);
        select(undef, undef, undef, 0.3);
        $c2 = IPC::Run::start([ $bin, 'run', $dir, '--project', 'cli' ], '<', \undef, '>', \$o2, '2>', \$e2);
    }
    ok($c1->finish, 'the first pg_migrate run succeeds') or diag "$o1 $e1";
    ok($c2->finish, 'the second pg_migrate run succeeds') or diag "$o2 $e2";
    sql(q{ALTER ROLE deployer RESET migrations_schema.fault_injection});
    is(states('cli'), '001=applied 002=applied', 'both applied');
    is(sql(q{SELECT count(*) FROM migrations_schema.failure WHERE project = 'cli'}), '0',
        'no failure recorded');
    is(sql(q{SELECT count(*) FROM migrations_schema.history
             WHERE project = 'cli' AND action = 'apply'}), '2', 'each applied once');
}

# --- 2. A migration cannot release the runner's exclusivity --------------------------------
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'unlock',
    $$SELECT pg_advisory_unlock_all(); SELECT pg_sleep(2); INSERT INTO run_log VALUES ('unlock', '1');$$,
    NULL, 'unlock')});
my ($h1, $o1, $e1) = start_psql('SET ROLE deployer', q{CALL migrate_run(project => 'unlock')});
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep%'}),
    'the migration has called pg_advisory_unlock_all()');
my ($h2, $o2, $e2) = start_psql('SET ROLE deployer', q{CALL migrate_run(project => 'unlock')});
ok($h1->finish, 'the first runner succeeds') or diag $$e1;
ok($h2->finish, 'the second runner succeeds') or diag $$e2;
like($$e2, qr/nothing to apply in project "unlock"/, 'the second found nothing to apply');
is(sql(q{SELECT count(*) FROM run_log WHERE project = 'unlock'}), '1', 'the migration ran once');
is(sql(q{SELECT count(*) FROM migrations_schema.failure WHERE project = 'unlock'}), '0',
    'no failure recorded for it');

# --- 3. Nobody else can hold or take the project --------------------------------------------
# The advisory key the runner used to take is anyone's; holding it now stalls nothing.
my $holder = $node->background_psql('postgres');
$holder->query_safe(q{SELECT pg_advisory_lock(x'6D696772'::int, hashtext('free'))});
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'free', 'CREATE TABLE free_t ();', NULL, 'free')});
my ($ret, $out, $err) = $node->psql('postgres',
    q{SET migrations_schema.lock_wait_timeout = '2s'; SET ROLE deployer; CALL migrate_run(project => 'free')});
is($ret, 0, 'a session holding the advisory key stalls no runner') or diag $err;
$holder->quit;
($ret, $out, $err) = $node->psql('postgres',
    q{SET ROLE deployer; SELECT * FROM migrations_schema.runner_lease FOR UPDATE});
like($err, qr/permission denied/, 'the deploy role cannot lock the lease row');

# --- 4. A waiting runner names the holder and gives up after lock_wait_timeout -------------
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'slow',
    $$SELECT pg_sleep(3); INSERT INTO run_log VALUES ('slow', '1');$$, NULL, 'slow')});
($h1, $o1, $e1) = start_psql(q{SET application_name = 'first deployer'}, 'SET ROLE deployer',
    q{CALL migrate_run(project => 'slow')});
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM migrations_schema.runner_lease WHERE project = 'slow' AND pid IS NOT NULL}),
    'the first runner holds the lease');
my $pid = sql(q{SELECT pid FROM migrations_schema.runner_lease WHERE project = 'slow'});
($ret, $out, $err) = $node->psql('postgres', q{
    SET migrations_schema.lock_wait_timeout = '500ms'; SET ROLE deployer;
    \set VERBOSITY verbose
    CALL migrate_run(project => 'slow')});
like($err, qr/55P03: migrate_run\(\) gave up waiting for project "slow" after \d+ ms/,
    'a second runner gives up after lock_wait_timeout with lock_not_available');
like($err, qr/held by pid $pid \(migrate_run by role deployer, application_name "first deployer", since /,
    'naming the session, its application and since when');
($ret, $out, $err) = $node->psql('postgres',
    q{SET ROLE deployer; \set VERBOSITY verbose
      SELECT * FROM migrate_apply(project => 'slow')});
like($err, qr/55P03: migrate_apply\(\) cannot run while project "slow" is being migrated.*held by pid $pid/s,
    'migrate_apply in a transaction is refused at once, naming the runner');
ok($h1->finish, 'the first runner finishes') or diag $$e1;
is(sql(q{SELECT count(*) FROM run_log WHERE project = 'slow'}), '1', 'it ran once');
is(lease_holders(), '0', 'the lease is free');

# --- 5. A terminated runner's lease is taken over; so is an idle session's ----------------
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'term', 'CREATE TABLE term_t ();', NULL, 'term')});
($h1, $o1, $e1) = start_psql(q{SET migrations_schema.fault_injection = 'pause:commit:3'},
    'SET ROLE deployer', q{CALL migrate_run(project => 'term')});
ok(wait_for_pause('commit'), 'the runner holds the lease and waits at a commit');
$pid = sql(q{SELECT pid FROM migrations_schema.runner_lease WHERE project = 'term'});
sql("SELECT pg_terminate_backend($pid)");
$h1->finish;
is(sql(q{SELECT pid FROM migrations_schema.runner_lease WHERE project = 'term'}), $pid,
    'the terminated runner left its lease behind');
($ret, $out, $err) = $node->psql('postgres',
    q{SET migrations_schema.lock_wait_timeout = '5s'; SET ROLE deployer; CALL migrate_run(project => 'term')});
is($ret, 0, 'the next runner succeeds') or diag $err;
like($err, qr/took over project "term" from pid $pid/, 'saying whose lease it took over');
is(states('term'), '1=applied', 'and applies the migration');
# A lease naming a live session that is not running anything (a release lost to a second
# cancel) is taken over too.
my $idle = $node->background_psql('postgres');
my $idle_pid = $idle->query_safe('SELECT pg_backend_pid()');
sql(qq{UPDATE migrations_schema.runner_lease SET pid = $idle_pid,
        backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = $idle_pid)
       WHERE project = 'term'});
sql(q{SET ROLE deployer; SELECT migrate_register('2', 'idle', 'CREATE TABLE idle_t ();', NULL, 'term')});
($ret, $out, $err) = $node->psql('postgres',
    q{SET migrations_schema.lock_wait_timeout = '5s'; SET ROLE deployer; CALL migrate_run(project => 'term')});
is($ret, 0, 'a lease held by an idle session is taken over') or diag $err;
$idle->quit;

# --- 6. The INVALID-index clean-up leaves a valid index of that name alone -----------------
sql(q{CREATE TABLE vi (id int); ALTER TABLE vi OWNER TO deployer; CREATE INDEX vi_idx ON vi (id);
      CREATE TABLE iv (id int); ALTER TABLE iv OWNER TO deployer;});
my $valid_oid = sql(q{SELECT 'vi_idx'::regclass::oid});
sql(q{SET ROLE deployer;
      SELECT migrate_register('1', 'valid', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS vi_idx ON vi (id);', NULL, 'vi');
      SELECT migrate_register('2', 'invalid', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS iv_idx ON iv (id);', NULL, 'vi')});
# An INVALID index of the name the second migration builds, as a failed build leaves it.
$node->psql('postgres', q{INSERT INTO iv VALUES (1), (1); CREATE UNIQUE INDEX CONCURRENTLY iv_idx ON iv (id)});
is(sql(q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'iv_idx'::regclass}), 'f',
    'an INVALID iv_idx is left by a failed build');
my $invalid_oid = sql(q{SELECT 'iv_idx'::regclass::oid});
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; CALL migrate_run(project => 'vi')});
is($ret, 0, 'the run succeeds') or diag $err;
is(sql(q{SELECT 'vi_idx'::regclass::oid}), $valid_oid, 'the valid index of that name is the same index');
unlike($err, qr/dropped INVALID index public\.vi_idx/, 'and no drop of it is reported');
isnt(sql(q{SELECT 'iv_idx'::regclass::oid}), $invalid_oid, 'the INVALID one was dropped and built again');
is(sql(q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'iv_idx'::regclass}), 't', 'valid now');
like($err, qr/dropped INVALID index public\.iv_idx left by an earlier attempt/, 'saying so');
# A build that fails because a valid index has the name: the clean-up after the failure
# leaves that index alone too.
sql(q{SET ROLE deployer;
      SELECT migrate_register('3', 'taken', 'CREATE INDEX CONCURRENTLY vi_idx ON vi (id);', NULL, 'vi')});
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; CALL migrate_run(project => 'vi')});
like($err, qr/relation "vi_idx" already exists/, 'a build under a taken name fails');
is(sql(q{SELECT to_regclass('vi_idx')::oid}), $valid_oid, 'and the valid index of that name is still the same index');
unlike($err, qr/dropped INVALID index/, 'no drop is reported');

# --- 7. The full comparison behind the no-op check refuses a modified applied migration ---
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'slow path', 'CREATE TABLE sp_t ();', NULL, 'sp');
      CALL migrate_run(project => 'sp')});
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'slow path', 'CREATE TABLE sp_t (id int);', NULL, 'sp')});
# A database restored with triggers disabled has no state row: the full comparison answers.
sql(q{DELETE FROM migrations_schema.project_state WHERE project = 'sp'});
($ret, $out, $err) = $node->psql('postgres',
    q{SET ROLE deployer; \set VERBOSITY verbose
      CALL migrate_run(project => 'sp')});
like($err, qr/55000: applied migration 1 .*was modified after it was applied/,
    'migrate_run refuses the modified applied migration') or diag $err;
is(sql(q{SELECT count(*) FROM migrations_schema.project_state WHERE project = 'sp'}), '0',
    'the comparison was the slow path (no state row)');
($ret, $out, $err) = $node->psql('postgres',
    q{SET ROLE deployer; SELECT * FROM migrate_apply(project => 'sp')});
isnt($ret, 0, 'so does migrate_apply');

# --- A crash while a runner holds the lease: after recovery the next runner goes on -------
# The lease is taken and given back without waiting for the disk; whatever of it the crash
# kept names a session that is gone.
sql(q{SET ROLE deployer; SELECT migrate_register('1', 'crash', 'CREATE TABLE crash_t ();', NULL, 'crash')});
($h1, $o1, $e1) = start_psql(q{SET migrations_schema.fault_injection = 'pause:commit:3'},
    'SET ROLE deployer', q{CALL migrate_run(project => 'crash')});
ok(wait_for_pause('commit'), 'a runner holds the lease and waits at a commit');
$node->stop('immediate');
$h1->finish;
$node->start;
($ret, $out, $err) = $node->psql('postgres',
    q{SET migrations_schema.lock_wait_timeout = '5s'; SET ROLE deployer; CALL migrate_run(project => 'crash')});
is($ret, 0, 'after a crash the next runner succeeds') or diag $err;
is(states('crash'), '1=applied', 'and applies the migration');
is(lease_holders(), '0', 'and gives the lease back');
# Only those two commits went without waiting for the disk: the session's setting is its own.
sql(q{SET ROLE deployer; SELECT migrate_register('2', 'crash 2', 'CREATE TABLE crash_2 ();', NULL, 'crash')});
is($node->safe_psql('postgres', q{SET ROLE deployer; SET client_min_messages = warning;
    CALL migrate_run(project => 'crash'); SHOW synchronous_commit}), 'on',
   'after a run the session still waits for the disk on commit');

done_testing();
