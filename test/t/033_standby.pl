# On a hot standby (a real streaming replica), every entry point of the extension either
# works, because it only reads, or refuses clearly with 25006 and the hint to run it on the
# primary, because it writes. The entry points are read from the catalog (every function and
# procedure of the extension), their arguments made up from the parameter names, and the
# oracle is the primary: a call refused on the standby must change the tracking state on the
# primary (run there in a transaction that is rolled back), and a call failing on the standby
# for another reason must fail the same way on the primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$primary->start;
$primary->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    SELECT migrate_register('1', 'one', 'CREATE TABLE one (id int);', 'DROP TABLE one;');
    SELECT migrate_register('2', 'two', 'CREATE INDEX one_idx ON one (id);', 'DROP INDEX one_idx;');
    CALL migrate_run(target => '1');
    SELECT migrate_register('1', 'clean', 'CREATE TABLE clean (id int);', 'DROP TABLE clean;', 'clean');
    CALL migrate_run(project => 'clean');
    -- An applied migration edited since: migrate_repair has something to write.
    SELECT migrate_register('1', 'one', 'CREATE TABLE one (id int); -- edited', 'DROP TABLE one;');
});
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

# Values for parameters without a default, by name.
my %value = (
    version => q{'2'}, name => q{'x'}, up_sql => q{'SELECT 1'}, sql => q{'SELECT 1'},
    path => q{'/nonexistent'}, keep => q{ARRAY['1']}, source => q{'flyway'},
    desired => q{migrate_schema_description()}, objects => q{ARRAY['table public.x']},
);
my @calls;
for my $row (split /\n/, $primary->safe_psql('postgres', q{
        SELECT p.proname, p.prokind, p.pronargs - p.pronargdefaults,
               array_to_string(p.proargnames[1:p.pronargs - p.pronargdefaults], ',')
        FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'migrations_schema'
        WHERE d.deptype = 'e' AND p.pronamespace = 'public'::regnamespace
        ORDER BY 1})) {
    my ($proname, $kind, $required, $names) = split /\|/, $row;
    my @args = map { my $v = $value{$_}; die "no value for $proname($_)" unless defined $v; "$_ => $v" }
        grep { length } split /,/, $names // '';
    my $call = "$proname(" . join(', ', @args) . ")";
    push @calls, [ $proname, $kind eq 'p' ? "CALL $call" : "SELECT count(*) FROM (SELECT $call) c" ];
}
ok(@calls >= 20, 'every entry point of the extension is called (' . scalar(@calls) . ')');

my $digest = q{SELECT md5(string_agg(t, '|')) FROM (
    SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM migrations_schema.migration x) UNION ALL
    SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM migrations_schema.applied x) UNION ALL
    SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM migrations_schema.failure x) UNION ALL
    SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM migrations_schema.history x) UNION ALL
    SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM migrations_schema.schema_snapshot x) UNION ALL
    SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM migrations_schema.drift_log x)) s(t)};

my (%refused, %worked);
for my $c (@calls) {
    my ($name, $sql) = @$c;
    my ($ret, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$sql");
    unlike($err, qr/XX000|portal snapshots|SPI_|invalid transaction termination|server closed/,
        "$name: no internal error on the standby");
    if ($ret == 0) {
        $worked{$name} = 1;
        next;
    }
    if ($err =~ /25006: \Q$name\E\(\) cannot run on a hot standby/) {
        like($err, qr/HINT:  Run it on the primary/, "$name: refused with the hint to use the primary");
        $refused{$name} = 1;
        next if $sql =~ /^CALL/;    # a procedure commits: it writes by its nature
        # migrate_test rehearses migrations in a subtransaction it rolls back: it runs DDL,
        # which a standby cannot, and keeps nothing.
        next if $name eq 'migrate_test';
        my ($r2, $o2, $e2) = $primary->psql('postgres', qq{
            \\set ON_ERROR_STOP 1
            BEGIN;
            CREATE TEMP TABLE before_call AS $digest;
            $sql;
            SELECT ($digest) IS DISTINCT FROM (SELECT md5 FROM before_call);
            ROLLBACK;});
        # On the primary it writes, or it fails there too (it could not have worked here).
        ok($o2 =~ /(^|\n)t$/ || $r2 != 0, "$name: refused on the standby, and on the primary it writes or fails")
            or diag "$o2 $e2";
        next;
    }
    # Any other error must not come from being on a standby: the primary says the same.
    my ($state) = $err =~ /ERROR:  ([0-9A-Z]{5}):/;
    my ($r2, $o2, $e2) = $primary->psql('postgres',
        "\\set VERBOSITY verbose\nBEGIN;\n$sql;\nROLLBACK;");
    my ($state2) = $e2 =~ /ERROR:  ([0-9A-Z]{5}):/;
    is($state // 'none', $state2 // 'none', "$name: fails the same way on the primary ($err)");
}
ok($refused{$_}, "$_ is refused on the standby")
    for qw(migrate_run migrate_run_rollback migrate_register migrate_apply migrate_rollback migrate_baseline migrate_repair migrate_accept_drift);
ok($worked{$_}, "$_ works on the standby")
    for qw(migrate_status migrate_history migrate_validate migrate_lint migrate_schema_fingerprint migrate_drift);
is($standby->safe_psql('postgres', q{SELECT string_agg(version, ',') FROM migrate_rollback_plan(project => 'clean')}),
    '1', 'migrate_rollback_plan works on the standby');
is($standby->safe_psql('postgres', q{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('default')}),
    '1=modified 2=pending', 'the standby shows the primary state');

SKIP: {
    my $bin = $ENV{PG_MIGRATE_BIN};
    skip 'PG_MIGRATE_BIN is not set', 2 unless $bin && -x $bin;
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, 'status', '--dsn', $standby->connstr('postgres') ], '<', \undef, '>', \$out, '2>', \$err);
    is($? >> 8, 0, 'pg_migrate status works on the standby') or diag $err;
    IPC::Run::run([ $bin, 'run', '--dsn', $standby->connstr('postgres') ], '<', \undef, '>', \$out, '2>', \$err);
    like($err, qr/cannot run on a hot standby/, 'pg_migrate run is refused there, clearly');
}

done_testing();
