# pg_migrate, the client: pushing every folder layout, the commands and their exit codes,
# JSON output, and a fleet of databases of which some are broken.
use strict;
use warnings;
use File::Spec;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $bin = $ENV{PG_MIGRATE_BIN};
plan skip_all => 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)'
  unless defined $bin && $bin ne '';
plan skip_all => "PG_MIGRATE_BIN ($bin) is not an executable file" unless -f $bin && -x $bin;

my $node = PostgreSQL::Test::Cluster->new('cli');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrations_schema');

# The client finds the node the way any libpq program would.
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$ENV{PGDATABASE} = 'postgres';
delete $ENV{PGSERVICE};

sub pg_migrate {
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, @_ ], '<', \undef, '>', \$out, '2>', \$err);
    return ($? >> 8, $out, $err);
}

sub fixture { return File::Spec->rel2abs("test/fixtures/$_[0]"); }

sub sql { my ($db, $q) = @_; return $node->safe_psql($db, $q); }

sub states {
    my ($project) = @_;
    return sql('postgres',
        "SELECT string_agg(state, ',' ORDER BY version) FROM migrate_status('$project')");
}

# --- usage and connection errors: exit 2 ----------------------------------------------------
my ($rc, $out, $err) = pg_migrate('--help');
is($rc, 0, '--help exits 0');
like($out, qr/Usage:.*pg_migrate push DIR/s, '--help prints usage');

($rc, $out, $err) = pg_migrate('status', '--no-such-option');
is($rc, 2, 'unknown option exits 2');
like($err, qr/unknown option "--no-such-option".*--help/s, 'and says so');

($rc, $out, $err) = pg_migrate('apply', '--steps', '2');
is($rc, 2, 'an option the command does not take exits 2');

($rc, $out, $err) = pg_migrate('migrate');
is($rc, 2, 'unknown command exits 2');

($rc, $out, $err) = pg_migrate('status', '--dsn', 'dbname=no_such_db password=pa55word');
is($rc, 2, 'a DSN naming a missing database exits 2');
like($err, qr/could not connect to dbname=no_such_db password=\*\*\*: .*does not exist/,
    'the error echoes the DSN with its password masked');
unlike($err, qr/pa55word/, 'and never the password');

($rc, $out, $err) = pg_migrate('status', '--dsn', 'postgresql://me:s%zzcret@/x');
is($rc, 2, 'a malformed URI exits 2');
unlike($err, qr/s%zzcret/, 'its password is scrubbed from the libpq message as well');

($rc, $out, $err) = pg_migrate('push', fixture('no_such_folder'));
is($rc, 2, 'a missing folder is a usage error');

($rc, $out, $err) = pg_migrate('push', fixture('bad_two_ups'));
is($rc, 1, 'a folder the layout rules refuse exits 1');
like($err, qr/two up scripts for migration version 1/, 'with the core\'s message');
is(sql('postgres', 'SELECT count(*) FROM migrate_status()'), '0', 'and registers nothing');

# One transaction: when the second registration fails (02 is already registered, and 2 is
# the same version spelt differently), the first is rolled back with it.
sql('postgres', q{SELECT migrate_register('02', 'taken', 'SELECT 1', NULL, 'partial')});
($rc, $out, $err) = pg_migrate('push', fixture('cli_partial'), '--project', 'partial');
is($rc, 1, 'a push the server refuses exits 1');
like($err, qr/push rolled back, nothing was registered/, 'and says it rolled back');
is(sql('postgres', q{SELECT string_agg(version, ',') FROM migrate_status('partial')}), '02',
    'the migration registered before the error is gone');
($rc, $out, $err) = pg_migrate('status', fixture('cli_partial'), '--project', 'partial');
is($rc, 1, 'a command whose push fails exits 1');
is($out, '', 'and does not run');

# --- push: every layout means what migrate_load_dir makes of it ------------------------------
my %count = (plain => 3, golang => 2, flyway => 3, diesel => 2, verify_files => 2);
for my $layout (sort keys %count) {
    ($rc, $out, $err) = pg_migrate('push', fixture($layout), '--project', $layout);
    is($rc, 0, "push $layout exits 0");
    my @registered = $out =~ /\|\s*registered\s*$/mg;
    is(scalar @registered, $count{$layout}, "push $layout registers $count{$layout}");

    ($rc, $out, $err) = pg_migrate('push', "test/fixtures/$layout", '--project', $layout);
    is($rc, 0, "push $layout again (relative path) exits 0");
    unlike($out, qr/registered|updated/, 'and changes nothing');

    sql('postgres', "SELECT migrate_load_dir('" . fixture($layout) . "', 'server_$layout')");
    my $pushed = sql('postgres', qq{
        SELECT string_agg(version || ' ' || name || ' ' || reversible || ' ' || checksum, ','
                          ORDER BY version)
        FROM migrate_status('$layout')});
    my $loaded = sql('postgres', qq{
        SELECT string_agg(version || ' ' || name || ' ' || reversible || ' ' || checksum, ','
                          ORDER BY version)
        FROM migrate_status('server_$layout')});
    is($pushed, $loaded, "pushed $layout matches the server's migrate_load_dir");
}
is(sql('postgres', q{SELECT count(*) FROM migrations_schema.migration
                     WHERE project = 'verify_files' AND verify_sql IS NOT NULL}),
    '2', 'verify scripts are pushed too');

($rc, $out, $err) = pg_migrate('status', '--project', 'flyway');
is($rc, 0, 'status exits 0');
like($out, qr/^ flyway\s+\| 1\s+\| init\s+\| pending/m, 'status shows pushed migrations');
like($out, qr/^ flyway\s+\| 1\.1\s+\| add_name\s+\| pending/m, 'with Flyway versions');
like($out, qr/\(3 rows\)/, 'all three');

# --- dry run changes nothing ------------------------------------------------------------------
($rc, $out, $err) = pg_migrate('apply', '--project', 'plain', '--dry-run');
is($rc, 0, 'apply --dry-run exits 0');
like($out, qr/001.*create_users.*\n.*002.*\n.*010/, 'and lists what it would apply');
is(sql('postgres', q{SELECT count(*) FROM migrate_status('plain') WHERE state = 'pending'}),
    '3', 'after a dry run everything is still pending');
is(sql('postgres', q{SELECT to_regclass('users') IS NULL}), 't', 'and no table was created');

# --- apply, run, rollback ---------------------------------------------------------------------
($rc, $out, $err) = pg_migrate('apply', fixture('plain'), '--project', 'plain');
is($rc, 0, 'apply DIR exits 0');
like($err, qr/pushed 3 migrations: 0 registered, 0 updated, 3 unchanged/,
    'push progress goes to stderr');
is(states('plain'), 'applied,applied,applied', 'plain is applied');

($rc, $out, $err) = pg_migrate('run', '--project', 'diesel');
is($rc, 0, 'run (CALL migrate_run, outside any transaction block) exits 0');
like($err, qr/NOTICE:.*applied migration 20190226002946/, 'NOTICEs stream to stderr');
is(states('diesel'), 'applied,applied', 'diesel is applied');

($rc, $out, $err) = pg_migrate('apply', '--project', 'golang');
is($rc, 0, 'apply golang');
($rc, $out, $err) = pg_migrate('rollback', '--project', 'golang', '--everything');
is($rc, 0, 'rollback --everything exits 0');
like($err, qr/rolled back migration 2 \(add_label\).*\n.*rolled back migration 1 \(init\)/,
    'through the production runner, newest first');
is(states('golang'), 'pending,pending', 'golang is rolled back');

# --- migration failures: exit 1 ---------------------------------------------------------------
($rc, $out, $err) = pg_migrate('apply', fixture('failing'), '--project', 'failing');
is($rc, 1, 'a failing migration exits 1');
like($err, qr/division by zero.*migration 3 "broken" of project "failing".*line 4/s,
    'the error says which migration and line');
is(states('failing'), 'pending,pending,pending',
    'the push was committed, the apply changed nothing');
is(sql('postgres', q{SELECT to_regclass('fail_a') IS NULL}), 't', 'not even the first one');

($rc, $out, $err) = pg_migrate('run', '--project', 'failing');
is($rc, 1, 'run exits 1 when a migration fails');
is(states('failing'), 'applied,applied,failed', 'run committed the two before it');

($rc, $out, $err) = pg_migrate('validate', '--project', 'failing');
is($rc, 1, 'validate exits 1 when it reports an error');
like($out, qr/error\s+\| failing\s+\| 3\s+\| failed/, 'and prints the problem');
($rc, $out, $err) = pg_migrate('validate', '--project', 'plain');
is($rc, 0, 'validate of a healthy project exits 0');

($rc, $out, $err) = pg_migrate('apply', '--project', 'verify_files');
is($rc, 1, 'a failing verify script exits 1');
like($err, qr/verify script/, 'naming the verify script');

# --- JSON -------------------------------------------------------------------------------------
($rc, $out, $err) = pg_migrate('status', '--project', 'plain', '--json');
is($rc, 0, 'status --json exits 0');
my $rows = eval { decode_json($out) };
is(ref $rows, 'ARRAY', 'status --json is a JSON array') or diag($out);
my @cols = qw(project version name state applied_at applied_by duration_ms reversible checksum progress);
my $expected = sql('postgres',
    'SELECT ' . join(', ', @cols) . q{ FROM migrate_status('plain') ORDER BY version});
is(join("\n", map { my $r = $_; join('|', map { $r->{$_} // '' } @cols) } @$rows),
    $expected, 'and matches migrate_status() value for value');
is_deeply([ sort keys %{ $rows->[0] } ], [ sort @cols ], 'one key per column');

($rc, $out, $err) = pg_migrate('status', '--project', 'golang', '--json');
$rows = decode_json($out);
ok(!defined $rows->[0]{applied_at}, 'NULL is JSON null');
($rc, $out, $err) = pg_migrate('status', '--project', 'nothing', '--json');
is($out, "[]\n", 'no rows is an empty array');

# --- a database without the extension ---------------------------------------------------------
sql('postgres', 'CREATE DATABASE no_extension');
($rc, $out, $err) = pg_migrate('status', '--dsn', 'dbname=no_extension');
is($rc, 2, 'a database without the extension exits 2');
like($err, qr/no extension/, 'reported as "no extension"');

# --- a fleet of 20 databases, 2 of them broken ------------------------------------------------
sql('postgres', 'CREATE DATABASE fleet_template');
sql('fleet_template', 'CREATE EXTENSION migrations_schema');
for my $i (1 .. 20) {
    my $template = $i == 19 ? 'template1' : 'fleet_template';    # 19: no extension
    sql('postgres', sprintf('CREATE DATABASE fleet_%02d TEMPLATE %s', $i, $template));
}
my $tmp = PostgreSQL::Test::Utils::tempdir();
my $dsn_file = "$tmp/fleet.dsn";
my @lines = ("# the fleet", '');
for my $i (1 .. 20) {
    # 20 points to a database that does not exist, with a password that must not show.
    push @lines, $i == 20
      ? 'dbname=fleet_20_typo password=fleet-secret'
      : sprintf('dbname=fleet_%02d application_name=fleet', $i);
}
PostgreSQL::Test::Utils::append_to_file($dsn_file, join("\n", @lines) . "\n");

($rc, $out, $err) = pg_migrate('apply', fixture('plain'), '--project', 'fleet',
    '--dsn-file', $dsn_file, '--jobs', '4');
isnt($rc, 0, 'a fleet with broken databases exits non-zero');
my ($summary) = $out =~ /\n\n( database .*)\z/s;
ok(defined $summary, 'a summary table follows the results') or diag($out);
$summary //= '';
like($summary, qr/^ dbname=fleet_19 application_name=fleet\s+\| no extension\s/m,
    'the summary names the database without the extension');
like($summary, qr/^ dbname=fleet_20_typo password=\*\*\*\s+\| unreachable\s/m,
    'and the unreachable one, password masked');
my @ok = $summary =~ /^ dbname=fleet_\d+ application_name=fleet\s+\| ok\s+\|\s+3 \|/mg;
is(scalar @ok, 18, '18 databases are ok with 3 rows each');
like($summary, qr/^20 databases: 18 ok, 1 unreachable, 1 no extension$/m, 'totals');
unlike($out . $err, qr/fleet-secret/, 'the password appears nowhere');

my @migrated = grep {
    sql(sprintf('fleet_%02d', $_), q{
        SELECT count(*) FILTER (WHERE state = 'applied') = 3 AND count(*) = 3
               AND to_regclass('notifications') IS NOT NULL
        FROM migrate_status('fleet')}) eq 't'
} 1 .. 18;
is(scalar @migrated, 18, 'each of the 18 healthy databases is fully migrated');
is(sql('fleet_19', q{SELECT to_regclass('users') IS NULL}), 't',
    'the one without the extension was not touched');

($rc, $out, $err) = pg_migrate('status', '--project', 'fleet', '--dsn-file', $dsn_file,
    '--jobs', '4', '--json');
my $fleet = decode_json($out);
is(scalar @$fleet, 20, 'fleet --json has one object per database');
is(scalar(grep { $_->{outcome} eq 'ok' && @{ $_->{result} } == 3 } @$fleet), 18,
    'with the rows of each healthy database');

my $fail_fast_file = "$tmp/fail_fast.dsn";
PostgreSQL::Test::Utils::append_to_file($fail_fast_file, "dbname=fleet_19\ndbname=fleet_01\n");
($rc, $out, $err) = pg_migrate('status', '--dsn-file', $fail_fast_file, '--fail-fast');
is($rc, 1, '--fail-fast exits 1');
like($out, qr/^ dbname=fleet_01\s+\| skipped/m, 'and starts nothing after the first failure');

# --- test: round trips of a local folder, nothing applied -----------------------------------
my $rt = PostgreSQL::Test::Utils::tempdir();
PostgreSQL::Test::Utils::append_to_file("$rt/1_items.up.sql", 'CREATE TABLE rt_items (id int);');
PostgreSQL::Test::Utils::append_to_file("$rt/1_items.down.sql", 'DROP TABLE rt_items;');
PostgreSQL::Test::Utils::append_to_file("$rt/2_index.up.sql",
    'CREATE INDEX rt_items_id ON rt_items (id);');
PostgreSQL::Test::Utils::append_to_file("$rt/2_index.down.sql", 'SELECT 1;');
($rc, $out, $err) = pg_migrate('test', '--project', 'roundtrip', '--target', '1', $rt);
is($rc, 0, 'test exits 0 when every round trip is exact');
like($out, qr/^ 1\s+\| items\s+\| true/m, 'and prints the table');
($rc, $out, $err) = pg_migrate('test', '--project', 'roundtrip', '--json', $rt);
is($rc, 1, 'test exits 1 when a down script forgets something');
my $rt_report = decode_json($out);
is($rt_report->{outcome}, 'failed', 'its JSON is an object naming the outcome');
is(join(',', map { "$_->{version}:$_->{reversible}" } @{ $rt_report->{result} }),
    '1:true,2:false', 'with one JSON object per migration');
like($err, qr/test found 1 migration whose round trip is not exact/, 'and says why');
like($err, qr/the folder differs from the registry \(not registered: 1, 2\).*nothing was written/,
    'test compares the folder with the registry');
is(states('roundtrip'), '', 'test registered nothing and applied nothing');
{
    # A team that mandates rollbacks: a migration without a down script fails the test.
    local $ENV{PGOPTIONS} = '-c migrations_schema.require_down=on';
    PostgreSQL::Test::Utils::append_to_file("$rt/3_nodown.up.sql", 'CREATE TABLE rt_nodown (id int);');
    ($rc, $out, $err) = pg_migrate('test', '--project', 'roundtrip', '--target', '1', $rt);
    is($rc, 0, 'with require_down, migrations that have down scripts pass');
    ($rc, $out, $err) = pg_migrate('test', '--project', 'roundtrip', $rt);
    is($rc, 1, 'and one without a down script fails the test');
    like($out, qr/^ 3\s+\| nodown\s+\| no down script \(required\)/m, 'saying so');
    unlink "$rt/3_nodown.up.sql";
}
is(sql('postgres', q{SELECT to_regclass('rt_items') IS NULL}), 't', 'and left no table');

# --- Ctrl-C: the server is asked to cancel, the failure is recorded --------------------------
sql('postgres', q{SELECT migrate_register('1', 'slow', 'SELECT pg_sleep(300);', NULL, 'cancel')});
my ($c_out, $c_err) = ('', '');
my $h = IPC::Run::start([ $bin, 'run', '--project', 'cancel' ],
    '<', \undef, '>', \$c_out, '2>', \$c_err);
$node->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'})
  or die 'the slow migration never started';
$h->signal('INT');
$h->finish;
is($? >> 8, 130, 'Ctrl-C during a migration exits 130');
like($c_err, qr/asking the server to cancel/, 'the client says it asks for a cancel');
like($c_err, qr/canceling statement due to user request/, 'the server cancelled the statement');
is(sql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'}),
    '0', 'nothing is left running on the server');
is(states('cancel'), 'failed', 'the runner recorded the cancelled migration as failed');

$node->stop;
done_testing();
