# A race harness: 2, 4 and 8 deployers start at once on the same project, each registering
# first (`pg_migrate run DIR`, or migrate_register then CALL migrate_run()), with random
# delays at every fault point of the runner (migrations_schema.fault_injection = 'jitter:MS'),
# over folders of ordinary, CREATE INDEX CONCURRENTLY, mixed (a column, then an index built
# CONCURRENTLY), batch DO blocks that COMMIT, and failing migrations. After each round:
# every migration applied exactly once, no failure recorded for one another deployer
# applied, every deployer ended with success or nothing to do (or, in the failing folder,
# with the failing migration's error) within a bounded time, and the schema equals what one
# runner alone builds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('race');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 32\nmax_connections = 60\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_status(text) TO deployer;
    GRANT CREATE ON DATABASE postgres TO deployer;
    CREATE TABLE run_log (project text, version text, part int);
    GRANT INSERT ON run_log TO deployer;
});
sub sql { return $node->safe_psql('postgres', $_[0]); }

my $bin = $ENV{PG_MIGRATE_BIN};
my $cli = $bin && -x $bin;

# The migrations of each kind for schema S and project P, as (version, name, sql).
sub folder {
    my ($kind, $s, $p) = @_;
    my $log = sub { "INSERT INTO run_log VALUES ('$p', '$_[0]', " . ($_[1] // 0) . ")" };
    my @m = ([ '001', 'schema', "CREATE SCHEMA $s; CREATE TABLE $s.t AS SELECT g AS id FROM generate_series(1, 2000) g; " . $log->('001') . ';' ]);
    if ($kind eq 'ordinary') {
        push @m, [ '002', 'more', "CREATE TABLE $s.u (id int PRIMARY KEY); ALTER TABLE $s.t ADD COLUMN v int; " . $log->('002') . ';' ],
                 [ '003', 'view', "CREATE VIEW $s.w AS SELECT id FROM $s.u; " . $log->('003') . ';' ];
    } elsif ($kind eq 'concurrently') {
        push @m, [ '002', 'index', "CREATE INDEX CONCURRENTLY t_id_idx ON $s.t (id);" ],
                 [ '003', 'after', $log->('003') . ';' ];
    } elsif ($kind eq 'mixed') {
        push @m, [ '002', 'column_then_index', "ALTER TABLE $s.t ADD COLUMN c int; " . $log->('002') . ";\nCREATE INDEX CONCURRENTLY t_c_idx ON $s.t (c);" ],
                 [ '003', 'after', $log->('003') . ';' ];
    } elsif ($kind eq 'batch') {
        push @m, [ '002', 'batches', "ALTER TABLE $s.t ADD COLUMN b int;\nDO \$\$ BEGIN FOR i IN 1..4 LOOP UPDATE $s.t SET b = i WHERE id % 4 = i - 1; " . $log->('002', 'i') . "; COMMIT; END LOOP; END \$\$;" ],
                 [ '003', 'after', $log->('003') . ';' ];
    } elsif ($kind eq 'failing') {
        push @m, [ '002', 'fine', "CREATE TABLE $s.u (id int); " . $log->('002') . ';' ],
                 [ '003', 'fails', "CREATE TABLE $s.x (id int); SELECT 1 / 0;" ];
    }
    return @m;
}

# What the schema is, without its name: tables, columns, indexes, views.
sub shape {
    my ($s) = @_;
    return sql(qq{SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
        SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS x
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = to_regnamespace('$s')
        UNION ALL SELECT 'index ' || replace(pg_get_indexdef(i.indexrelid), '$s.', '') || ' ' || i.indisvalid
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = to_regnamespace('$s')
        UNION ALL SELECT 'view ' || viewname || ' ' || replace(definition, '$s.', '') FROM pg_views WHERE schemaname = '$s') q});
}

my @kinds = qw(ordinary concurrently mixed batch failing);
my %single;
for my $kind (@kinds) {
    my $p = "single_$kind";
    sql("SET ROLE deployer; " . join(' ', map {
        "SELECT migrate_register('$_->[0]', '$_->[1]', \$q\$$_->[2]\$q\$, NULL, '$p');" } folder($kind, "s_$p", $p)));
    $node->psql('postgres', "SET ROLE deployer; CALL migrate_run(project => '$p')");
    $single{$kind} = shape("s_$p");
}

sql(q{ALTER ROLE deployer SET migrations_schema.fault_injection = 'jitter:15'}) if 1;

my $rounds = $ENV{MS_RACE_ROUNDS} // 30;
my $slowest = 0;
for my $round (1 .. $rounds) {
    my $kind = $kinds[$round % @kinds];
    my $deployers = (2, 4, 8)[$round % 3];
    my $p = "r$round";
    my $s = "s_$p";
    my @m = folder($kind, $s, $p);
    my $dir = tempdir(CLEANUP => 1);
    for my $m (@m) {
        # The same text and name as the psql deployers register, or each would update the
        # other's registration.
        open my $f, '>', "$dir/$m->[0]_$m->[1].sql" or die;
        print $f $m->[2];
        close $f;
    }
    my $register = join("\n", map { "SELECT migrate_register('$_->[0]', '$_->[1]', \$q\$$_->[2]\$q\$, NULL, '$p');" } @m);
    my @h;
    my $started = time;
    for my $d (1 .. $deployers) {
        my ($out, $err) = ('', '');
        my @cmd = ($cli && $d % 2 == 0)
            ? ($bin, 'run', $dir, '--project', $p)
            : ('psql', '-X', '-d', $node->connstr('postgres'), '-U', 'deployer', '-v', 'ON_ERROR_STOP=1',
               '-c', $register, '-c', "CALL migrate_run(project => '$p')");
        local $ENV{PGHOST} = $node->host;
        local $ENV{PGPORT} = $node->port;
        local $ENV{PGDATABASE} = 'postgres';
        local $ENV{PGUSER} = 'deployer';
        usleep(int(rand(150_000)));
        push @h, [ IPC::Run::start(\@cmd, '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(180)), \$out, \$err, $cmd[0] ];
    }
    my @ends;
    for my $h (@h) {
        my $ok = eval { $h->[0]->finish };
        push @ends, [ $ok ? 0 : 1, ${ $h->[2] } . ${ $h->[1] } ];
    }
    my $took = time - $started;
    $slowest = $took if $took > $slowest;
    my $failing = $kind eq 'failing';
    my $expected = $failing ? '001=applied 002=applied 003=failed' : '001=applied 002=applied 003=applied';
    is(sql(qq{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('$p')}),
        $expected, "round $round ($kind, $deployers deployers): final states");
    is(sql(qq{SELECT count(*) FROM migrations_schema.history WHERE project = '$p' AND action = 'apply'}),
        $failing ? '2' : '3', "round $round: each migration applied exactly once");
    is(sql(qq{SELECT count(*) FROM (SELECT version, part FROM run_log WHERE project = '$p'
              GROUP BY version, part HAVING count(*) > 1) d}), '0', "round $round: no statement ran twice");
    is(sql(qq{SELECT count(*) FROM migrations_schema.failure f JOIN migrations_schema.applied a USING (project, version)
              WHERE f.project = '$p'}), '0', "round $round: no failure recorded for an applied migration");
    is(sql(qq{SELECT count(*) FROM migrations_schema.history WHERE project = '$p' AND action = 'failure'
              AND version <> '003'}), '0', "round $round: no failure recorded but the failing migration's");
    my @bad = grep {
        $failing ? $_->[1] !~ /migration 003|division by zero/ && $_->[0]
                 : $_->[0] } @ends;
    is(scalar(@bad), 0, "round $round: every deployer ended with success or nothing to do"
        . ($failing ? ' or the failing migration' : '')) or diag join("\n---\n", map { $_->[1] } @bad);
    ok(!grep({ $_->[1] =~ /XX000|portal snapshots|invalid transaction termination|already exists/ } @ends),
        "round $round: no internal error, nothing applied twice") or diag join("\n---\n", map { $_->[1] } @ends);
    is(shape($s), $single{$kind}, "round $round: the schema equals a single runner's");
    is(sql(q{SELECT count(*) FROM migrations_schema.runner_lease WHERE pid IS NOT NULL}), '0',
        "round $round: the lease is free");
}
sql(q{ALTER ROLE deployer RESET migrations_schema.fault_injection});
note(sprintf('slowest round: %.1f s', $slowest));
ok($slowest < 170, 'every round ended within the bound');
done_testing();
