# CALL migrate_run(): per-migration commits, CREATE INDEX CONCURRENTLY through a background
# worker while the application writes, lock-timeout retries, and a consistent state after
# failures, cancels, terminations and crashes. Every case asserts the final state.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('run');
$node->init;
# The cluster must come back by itself after a backend is killed with SIGKILL.
$node->append_conf('postgresql.conf', "max_worker_processes = 16\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE TABLE run_log (project text, version text, at timestamptz DEFAULT clock_timestamp());
});

sub status {
    my ($project) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT string_agg(version || '=' || state, ' ' ORDER BY version::numeric)
        FROM migrate_status('$project')});
}

# A migration that logs its own run, so a second run would show.
sub register {
    my ($project, $version, $sql, $name) = @_;
    $name //= "step $version";
    $node->safe_psql('postgres', qq{
        SELECT migrate_register('$version', '$name',
            \$m\$$sql; INSERT INTO run_log (project, version) VALUES ('$project', '$version');\$m\$,
            NULL, '$project')});
}

sub runs_of {
    my ($project) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT count(*) || '/' || count(DISTINCT version) FROM run_log WHERE project = '$project'});
}

# --- 1. CREATE INDEX CONCURRENTLY on a million rows while another session inserts --------
$node->safe_psql('postgres', q{
    CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000000) g;
    CREATE TABLE insert_waits (waited interval);
    CREATE TABLE stop_inserting (x int);
    CREATE PROCEDURE keep_inserting() LANGUAGE plpgsql AS $$
    DECLARE t0 timestamptz;
    BEGIN
        LOOP
            t0 := clock_timestamp();
            INSERT INTO big VALUES (0, md5(random()::text));
            INSERT INTO insert_waits VALUES (clock_timestamp() - t0);
            COMMIT;
            EXIT WHEN EXISTS (SELECT 1 FROM stop_inserting);
        END LOOP;
    END $$;
    SELECT migrate_register('1', 'index big', 'CREATE INDEX CONCURRENTLY big_v_idx ON big (v);',
                            NULL, 'cic');
});
my ($ret, $out, $err) = $node->psql('postgres', q{SELECT * FROM migrate_apply(project => 'cic')});
isnt($ret, 0, 'migrate_apply refuses CREATE INDEX CONCURRENTLY');
like($err, qr/cannot run inside a transaction.*HINT:  Apply it with CALL migrate_run\(\)/s,
    'with the hint to use migrate_run');

my $inserter = $node->background_psql('postgres');
$inserter->query_until(qr/inserting/, "\\echo inserting\nCALL keep_inserting();\n");
$node->poll_query_until('postgres', 'SELECT count(*) > 10 FROM insert_waits');
($ret, $out, $err) = $node->psql('postgres', q{CALL migrate_run(project => 'cic')},
    timeout => 300);
is($ret, 0, 'migrate_run builds the index CONCURRENTLY') or diag $err;
$node->safe_psql('postgres', 'INSERT INTO stop_inserting VALUES (1)');
$inserter->query_safe('SELECT 1');
$inserter->quit;
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_v_idx'::regclass}),
    't', 'the index is valid');
is(status('cic'), '1=applied', 'the migration is recorded as applied');
my $max_wait_ms = $node->safe_psql('postgres',
    q{SELECT extract(epoch FROM max(waited)) * 1000 FROM insert_waits});
cmp_ok($max_wait_ms, '<', 5000, "inserts never waited for the lock_timeout (max $max_wait_ms ms)");
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM insert_waits'), '>', 100,
    'the application kept inserting during the build');

# --- 2. A failed CREATE INDEX CONCURRENTLY leaves no INVALID index behind ------------------
$node->safe_psql('postgres', q{
    CREATE TABLE dup (v int);
    INSERT INTO dup VALUES (1), (1);
    SELECT migrate_register('1', 'unique dup', 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS dup_v_key ON dup (v);',
                            NULL, 'invalid');
});
($ret, $out, $err) = $node->psql('postgres', q{CALL migrate_run(project => 'invalid')});
isnt($ret, 0, 'a unique build over duplicates fails');
like($err, qr/dropped INVALID index public\.dup_v_key left by this failed attempt/,
    'the runner drops the INVALID index and says so');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname = 'dup_v_key'}), '0',
    'no index is left behind');
is(status('invalid'), '1=failed', 'the migration is failed');
$node->safe_psql('postgres', 'DELETE FROM dup WHERE ctid = (SELECT max(ctid) FROM dup)');
$node->safe_psql('postgres', q{CALL migrate_run(project => 'invalid')});
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'dup_v_key'::regclass}),
    't', 'after the fix the retry builds a valid index');
is(status('invalid'), '1=applied', 'and records it');

# A caller terminated while its worker builds: the worker stops too, and the next run drops
# the INVALID index the interrupted build left and builds it again.
$node->safe_psql('postgres', q{
    CREATE TABLE busy (v int);
    SELECT migrate_register('1', 'index busy', 'CREATE INDEX CONCURRENTLY busy_v_idx ON busy (v);',
                            NULL, 'orphan');
});
my $writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe('INSERT INTO busy VALUES (1)');  # the build waits for this writer
my $caller = $node->background_psql('postgres', on_error_stop => 0);
my $caller_pid = $caller->query_safe('SELECT pg_backend_pid()');
$caller->query_safe(q{SET migrations_schema.lock_timeout = '60s'});
$caller->query_until(qr/building/, "\\echo building\nCALL migrate_run(project => 'orphan');\n");
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE backend_type = 'migrations_schema worker' AND wait_event_type = 'Lock'}),
    'the worker waits for the open writer');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($caller_pid)");
eval { $caller->quit };
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'migrations_schema worker'}),
    'terminating the caller stops its worker');
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'busy_v_idx'::regclass}),
    'f', 'the interrupted build left an INVALID index');
is(status('orphan'), '1=pending', 'and nothing was recorded as applied');
$writer->query_safe('COMMIT');
$writer->quit;
($ret, $out, $err) = $node->psql('postgres', q{CALL migrate_run(project => 'orphan')});
is($ret, 0, 'the next run succeeds');
like($err, qr/dropped INVALID index public\.busy_v_idx left by an earlier attempt/,
    'after dropping the leftover');
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'busy_v_idx'::regclass}),
    't', 'and the index is valid');

# --- 3. A session holding a conflicting lock: retries, the blocker named, then success ----
$node->safe_psql('postgres', q{CREATE TABLE locked (id int)});
register('locks', '1', 'ALTER TABLE locked ADD COLUMN note text');
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN');
$holder->query_safe('SET application_name = \'report job\'');
$holder->query_safe('SELECT count(*) FROM locked');
my $holder_pid = $holder->query_safe('SELECT pg_backend_pid()');
my $runner = $node->background_psql('postgres', on_error_stop => 0);
$runner->query_safe(q{SET migrations_schema.lock_timeout = '200ms'});
$runner->query_safe(q{SET migrations_schema.lock_retries = 20});
$runner->query_until(qr/running/, "\\echo running\nCALL migrate_run(project => 'locks');\n");
ok($node->poll_query_until('postgres', q{
        SELECT count(*) > 0 FROM pg_stat_activity
        WHERE query LIKE 'migrate_run: project "locks" migration 1 %'}),
    'the runner is working on the migration');
sleep(1);  # several 200 ms attempts against the held lock
$holder->query_safe('COMMIT');
($out, $ret) = $runner->query('SELECT 1');
like($runner->{stderr}, qr/gave up waiting for a lock after 200 ms on attempt 1 of 21/,
    'the runner reports the lock timeout and retries');
like($runner->{stderr}, qr/pid $holder_pid \(application_name "report job", AccessShareLock/,
    'naming the session that holds the lock');
is(status('locks'), '1=applied', 'and succeeds once the lock is released');

# Too few retries: it fails cleanly, the migration failed, nothing applied.
register('locks', '2', 'ALTER TABLE locked ADD COLUMN more text');
$holder->query_safe('BEGIN');
$holder->query_safe('SELECT count(*) FROM locked');
($ret, $out, $err) = $node->psql('postgres', q{
    SET migrations_schema.lock_timeout = '100ms';
    SET migrations_schema.lock_retries = 1;
    CALL migrate_run(project => 'locks');});
isnt($ret, 0, 'with too few retries the run fails');
like($err, qr/lock timeout/, 'with the lock timeout error');
is(status('locks'), '1=applied 2=failed', 'the migration is failed');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'locked'::regclass AND attname = 'more'}),
    '0', 'and nothing of it was applied');

# migrate_test, like a dry run, does not queue behind the session holding the lock.
register('locktest', '1', 'ALTER TABLE locked ADD COLUMN tested text');
my $tested = $node->safe_psql('postgres',
    q{SELECT reversible || ': ' || detail FROM migrate_test('locktest')});
like($tested, qr/^error: up failed: canceling statement due to lock timeout/,
    'migrate_test gives up on a held lock instead of waiting');
is(status('locktest'), '1=pending', 'and applied nothing');
$holder->query_safe('COMMIT');
$holder->quit;
$runner->quit;
$node->safe_psql('postgres', q{CALL migrate_run(project => 'locks')});
is(status('locks'), '1=applied 2=applied', 'the next run continues without repair');

# --- 4. A failure in the middle of a ten-migration run ------------------------------------
for my $v (1 .. 10) {
    register('ten', $v, $v == 7 ? 'SELECT 1 / 0' : "CREATE TABLE ten_$v (id int)");
}
($ret, $out, $err) = $node->psql('postgres', q{CALL migrate_run(project => 'ten')});
isnt($ret, 0, 'the run stops at the failing migration');
like($err, qr/division by zero.*migration 7 "step 7" of project "ten"/s, 'naming it');
is(status('ten'), '1=applied 2=applied 3=applied 4=applied 5=applied 6=applied 7=failed 8=pending 9=pending 10=pending',
    '1-6 applied and committed, 7 failed');
like($node->safe_psql('postgres', q{SELECT detail FROM migrate_history('ten') WHERE action = 'failure'}),
    qr/division by zero/, 'the failure and its error are in history');
register('ten', '7', 'CREATE TABLE ten_7 (id int)');
$node->safe_psql('postgres', q{CALL migrate_run(project => 'ten')});
is(status('ten'), join(' ', map { "$_=applied" } 1 .. 10), 're-running after the fix continues from 7');
is(runs_of('ten'), '10/10', 'every migration ran exactly once');

# --- 5. Cancel, terminate, kill -9 of the backend and of the postmaster ------------------
sub interrupted_run {
    my ($project, $how) = @_;
    for my $v (1 .. 4) {
        register($project, $v, $v == 3 ? "CREATE TABLE ${project}_3 (id int); SELECT pg_sleep(60)"
                                        : "CREATE TABLE ${project}_$v (id int)");
    }
    my $victim = $node->background_psql('postgres', on_error_stop => 0);
    my $pid = $victim->query_safe('SELECT pg_backend_pid()');
    $victim->query_until(qr/running/, "\\echo running\nCALL migrate_run(project => '$project');\n");
    ok($node->poll_query_until('postgres', qq{
            SELECT count(*) = 1 FROM pg_stat_activity
            WHERE pid = $pid AND query LIKE 'migrate_run: project "$project" migration 3 %'}),
        "$how: pg_stat_activity shows the runner on migration 3");
    is(status($project), '1=applied 2=applied 3=running 4=pending',
        "$how: migrate_status shows 3 as running");
    if ($how eq 'cancel') {
        $node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
        $victim->query('SELECT 1');
        $victim->quit;
    } elsif ($how eq 'terminate') {
        $node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
        eval { $victim->quit };
    } elsif ($how eq 'kill9') {
        my $offset = -s $node->logfile;
        kill 'KILL', $pid;
        eval { $victim->quit };
        # The postmaster resets every backend and comes back after crash recovery. Waited for
        # in its log: a query may still get through before the postmaster has noticed the
        # killed backend, and the reset would then end the next one.
        $node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
        $node->poll_query_until('postgres', 'SELECT true');
    } else {
        my $postmaster = $node->{_pid};
        $node->kill9;
        eval { $victim->quit };
        # Orphaned backends notice the postmaster's death and exit; only then may a new
        # postmaster take over the data directory.
        for (1 .. 600) {
            last unless kill(0, $postmaster) || kill(0, $pid);
            select(undef, undef, undef, 0.1);
        }
        $node->start;
    }
    my $state = status($project);
    like($state, qr/^1=applied 2=applied 3=(pending|failed) 4=pending$/,
        "$how: 1-2 applied, 3 not applied ($state)");
    is($node->safe_psql('postgres', "SELECT to_regclass('${project}_3') IS NULL"), 't',
        "$how: nothing of 3 was kept");
    register($project, '3', "CREATE TABLE ${project}_3 (id int)");
    $node->safe_psql('postgres', "CALL migrate_run(project => '$project')");
    is(status($project), '1=applied 2=applied 3=applied 4=applied', "$how: the next run completes");
    is(runs_of($project), '4/4', "$how: nothing ran twice");
}
interrupted_run('cancelled', 'cancel');
interrupted_run('terminated', 'terminate');
interrupted_run('killed', 'kill9');
interrupted_run('crashed', 'postmaster');

# --- 6. Two concurrent runs ---------------------------------------------------------------
register('pair', $_, "CREATE TABLE pair_$_ (id int); SELECT pg_sleep(0.05)") for 1 .. 20;
my @pair = map { $node->background_psql('postgres', on_error_stop => 0) } 1 .. 2;
$_->query_until(qr/go/, "\\echo go\nCALL migrate_run(project => 'pair');\n") for @pair;
for my $s (@pair) {
    $s->query('SELECT 1');
    $s->quit;
}
is(status('pair'), join(' ', map { "$_=applied" } 1 .. 20), 'two concurrent runs apply everything');
is(runs_of('pair'), '20/20', 'and nothing twice');

# --- 7. A batched backfill that commits between batches -----------------------------------
$node->safe_psql('postgres', q{
    CREATE TABLE accounts AS SELECT g AS id, NULL::int AS score FROM generate_series(1, 10000) g;
    SELECT migrate_register('1', 'backfill', $m$
        ALTER TABLE accounts ADD COLUMN tier int;
        DO $$
        BEGIN
            FOR batch IN 0..9 LOOP
                UPDATE accounts SET tier = id % 3 WHERE id % 10 = batch;
                COMMIT;
            END LOOP;
        END $$;
    $m$, NULL, 'backfill');
    CALL migrate_run(project => 'backfill');
});
is(status('backfill'), '1=applied', 'the backfill migration is applied');
is($node->safe_psql('postgres', 'SELECT count(*) FROM accounts WHERE tier IS NULL'), '0',
    'every row was backfilled');
cmp_ok($node->safe_psql('postgres', 'SELECT count(DISTINCT xmin::text) FROM accounts'), '>=', 10,
    'in separate committed batches');

$node->stop;
done_testing();
