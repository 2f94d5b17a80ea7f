# Interrupts at every fault point of every entry point, as the deploy role. The fault points
# are read from the source (every fault_point("...") in src/pg), and each entry point is
# paused at each of them in turn (migrations_schema.fault_injection = 'pause:POINT:N') and
# then cancelled (pg_cancel_backend) or terminated (pg_terminate_backend); points an entry
# point never reaches are counted and skipped. Then statement_timeout from 1 ms to 200 ms.
# After each: never an internal error (XX000, a snapshot, portal or SPI message), never a
# live lease left, the failure recorded or the call refused, and the next call succeeds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $node = PostgreSQL::Test::Cluster->new('interrupts');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_apply(text, boolean, text, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_status(text) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_schema_fingerprint(text[]) TO deployer;
    GRANT CREATE ON SCHEMA public TO deployer;
    CREATE TABLE run_log (project text, version text);
    GRANT SELECT, INSERT, DELETE ON run_log TO deployer;
});

sub sql { return $node->safe_psql('postgres', $_[0]); }

my %points;
for my $file (split /\n/, `find src/pg -name '*.cpp'`) {
    my $text = slurp_file($file);
    $points{$1} = 1 while $text =~ /fault_point\("([a-z_]+)"\)/g;
}
my @points = sort keys %points;
ok(@points >= 8, 'fault points read from the source: ' . join(' ', @points));

sub register {
    my ($p, $concurrent) = @_;
    my $index = $concurrent
        ? "CREATE INDEX CONCURRENTLY IF NOT EXISTS ${p}_idx ON ${p}_t (id)"
        : "CREATE INDEX IF NOT EXISTS ${p}_idx ON ${p}_t (id)";
    sql(qq{SET ROLE deployer;
        SELECT migrate_register('1', 'table',
            \$m\$CREATE TABLE ${p}_t AS SELECT g AS id FROM generate_series(1, 1000) g; INSERT INTO run_log VALUES ('$p', '1');\$m\$,
            'DROP TABLE ${p}_t;', '$p');
        SELECT migrate_register('2', 'index', '$index;', 'DROP INDEX ${p}_idx;', '$p');
        SELECT migrate_register('3', 'log', \$m\$INSERT INTO run_log VALUES ('$p', '3');\$m\$,
            \$m\$DELETE FROM run_log WHERE project = '$p' AND version = '3';\$m\$, '$p');});
}

my %entry = (
    run => { sql => "CALL migrate_run(project => '%s')", concurrent => 1 },
    run_rollback => { sql => "CALL migrate_run_rollback(everything => true, project => '%s')",
                      concurrent => 1, applied => 1 },
    apply => { sql => "SELECT count(*) FROM migrate_apply(project => '%s')" },
    rollback => { sql => "SELECT count(*) FROM migrate_rollback(everything => true, project => '%s')",
                  applied => 1 },
    register => { sql => "SELECT migrate_register('4', 'more', 'SELECT 1', NULL, '%s')" },
    fingerprint => { sql => "SELECT length(migrate_schema_fingerprint()::text) > 0 AS p_%s" },
);

my $bad = qr/XX000|portal snapshots|SPI_|invalid transaction termination|could not open relation|terminated by signal|TRAP/;

sub live_leases {
    return sql(q{SELECT count(*) FROM migrations_schema.runner_lease l
        JOIN pg_stat_activity a ON a.pid = l.pid AND a.backend_start = l.backend_start});
}

sub run_log_ok {
    my ($p) = @_;
    # Each logged version at most once: nothing ran twice.
    return sql(qq{SELECT count(*) = 0 FROM (SELECT version FROM run_log WHERE project = '$p'
                  GROUP BY version HAVING count(*) > 1) d});
}

# Which points each entry point reaches, and how often: one traced call each.
my %reach;
# MS_WALK=timeouts runs the statement_timeout sweep alone (for a quick check of a change).
my $walk = ($ENV{MS_WALK} // '') ne 'timeouts';
for my $name ($walk ? sort keys %entry : ()) {
    my $p = "trace_$name";
    register($p, $entry{$name}{concurrent});
    sql(sprintf("SET ROLE deployer; CALL migrate_run(project => '%s')", $p)) if $entry{$name}{applied};
    my ($ret, $out, $err) = $node->psql('postgres', "SET migrations_schema.fault_injection = 'trace';
        SET ROLE deployer; " . sprintf($entry{$name}{sql}, $p));
    $reach{$name}{$1}++ while $err =~ /NOTICE:  fault point ([a-z_]+)/g;
}

my ($n, $reached) = (0, 0);
for my $name ($walk ? sort keys %entry : ()) {
    my $e = $entry{$name};
    for my $point (sort keys %{ $reach{$name} }) {
        my $times = $reach{$name}{$point};
        my @cases = ([ 1, 'cancel' ]);
        # A later time too: the counts of a traced call are those of a fresh project, and a
        # point reached fewer times in this call is noted, not walked.
        push @cases, [ int(($times + 1) / 2), 'cancel' ] if $times > 2;
        push @cases, [ 1, 'terminate' ] if $name =~ /^(run|apply)$/;
        for my $c (@cases) {
            my ($nth, $how) = @$c;
            {
                my $p = 'w' . ++$n;
                register($p, $e->{concurrent});
                sql(sprintf("SET ROLE deployer; CALL migrate_run(project => '%s')", $p)) if $e->{applied};
                my $call = sprintf($e->{sql}, $p);
                my $log_at = -s $node->logfile;
                my ($out, $err) = ('', '');
                my $h = IPC::Run::start(['psql', '-X', '-d', $node->connstr('postgres'),
                        '-v', 'ON_ERROR_STOP=1', '-c',
                        "SET migrations_schema.fault_injection = 'pause:$point:$nth'",
                        '-c', 'SET ROLE deployer', '-c', "\\set VERBOSITY verbose", '-c', $call],
                    '<', \undef, '>', \$out, '2>', \$err);
                # A session of its own per case: a background psql's timer is not reset per query.
                my $poller = $node->background_psql('postgres');
                my $pid = '';
                my $deadline = time + 30;
                while (time < $deadline) {
                    $pid = $poller->query_safe(qq{SELECT pid FROM pg_stat_activity
                        WHERE query = 'migrations_schema fault pause at $point' LIMIT 1});
                    last if $pid ne '' || !$h->pumpable;
                    usleep(20_000);
                }
                my $case = "$name at $point:$nth, $how";
                if ($pid eq '') {
                    $poller->quit;
                    $h->finish;
                    ok($nth > 1, "$case: the call reached the point") or diag $err;
                    next;
                }
                $reached++;
                $poller->query_safe($how eq 'cancel' ? "SELECT pg_cancel_backend($pid)" : "SELECT pg_terminate_backend($pid)");
                $poller->quit;
                $h->finish;
                unlike($err, $bad, "$case: no internal error") or diag $err;
                my $log = slurp_file($node->logfile, $log_at);
                unlike($log, qr/portal snapshots|invalid transaction termination|terminated by signal|TRAP|leak/,
                    "$case: nothing of it in the server log");
                like($err, qr/canceling statement due to user request|terminating connection|server closed the connection/,
                    "$case: the call ended with the interrupt");
                is(live_leases(), '0', "$case: no live lease left");
                if ($how eq 'cancel' && $name =~ /^run/ && $point !~ /^(lease|lock)$/) {
                    my $states = sql(qq{SELECT string_agg(state, ',' ORDER BY version) FROM migrate_status('$p')});
                    ok($states !~ /running/, "$case: nothing shown running ($states)");
                }
                # The next call succeeds.
                my ($ret, $o2, $e2) = $node->psql('postgres', "SET ROLE deployer; $call");
                is($ret, 0, "$case: the next call succeeds") or diag $e2;
                is(run_log_ok($p), 't', "$case: nothing ran twice");
            }
        }
    }
}
ok(!$walk || $reached > 40, "$reached interrupts at fault points");
ok(!$walk || keys %{ $reach{run} } >= 8, 'migrate_run reaches ' . join(' ', sort keys %{ $reach{run} }));

# statement_timeout from 1 ms to 200 ms, each on a project with work pending.
for my $ms (1, 2, 3, 5, 10, 20, 50, 100, 200) {
    for my $name ('run', 'run_rollback', 'apply') {
        my $e = $entry{$name};
        my $p = "st${ms}_$name";
        register($p, $e->{concurrent});
        sql(sprintf("SET ROLE deployer; CALL migrate_run(project => '%s')", $p)) if $e->{applied};
        my $call = sprintf($e->{sql}, $p);
        my ($ret, $out, $err) = $node->psql('postgres',
            "SET statement_timeout = '${ms}ms'; SET ROLE deployer;\n\\set VERBOSITY verbose\n$call");
        unlike($err, $bad, "statement_timeout $ms ms, $name: no internal error") or diag $err;
        is(live_leases(), '0', "statement_timeout $ms ms, $name: no live lease left");
        ($ret, $out, $err) = $node->psql('postgres', "SET ROLE deployer; $call");
        is($ret, 0, "statement_timeout $ms ms, $name: the next call succeeds") or diag $err;
        is(run_log_ok($p), 't', "statement_timeout $ms ms, $name: nothing ran twice");
    }
}

done_testing();
