# pg_migrate rollback and undo through the production runner (DROP INDEX CONCURRENTLY in a
# down script), one version undone by name, the confirmation asked on a terminal before
# down scripts that drop data, and push --prune: through the real binary, as a deploy role
# holding only EXECUTE.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $bin = $ENV{PG_MIGRATE_BIN};
plan skip_all => 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)'
  unless defined $bin && $bin ne '';

my $node = PostgreSQL::Test::Cluster->new('cli_rollback');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION
        migrate_register(text, text, text, text, text, text), migrate_status(text),
        migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean),
        migrate_rollback_plan(text, integer, boolean, text, text, boolean),
        migrate_prune(text[], text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean),
        migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean) TO deployer;
    GRANT CREATE ON SCHEMA public TO deployer;
});
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$ENV{PGDATABASE} = 'postgres';
$ENV{PGUSER} = 'deployer';
delete $ENV{$_} for qw(PGSERVICE PGAPPNAME);

my $tmp = tempdir(CLEANUP => 1);

sub pg_migrate {
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, @_ ], '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(60));
    return ($? >> 8, $out, $err);
}

# On a terminal: stdin is a pty, the answer is typed into it.
sub pg_migrate_at_terminal {
    my ($answer, @args) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, @args ], '<pty<', \$answer, '>', \$out, '2>', \$err,
        IPC::Run::timeout(60));
    return ($? >> 8, $out, $err);
}

sub sql { return $node->safe_psql('postgres', $_[0]); }
sub states {
    return sql("SELECT string_agg(version || '=' || state, ',' ORDER BY version)
                FROM migrate_status('$_[0]')");
}

sub folder {
    my ($name, %files) = @_;
    my $dir = "$tmp/$name";
    mkdir $dir;
    mkdir "$dir/rollback";
    PostgreSQL::Test::Utils::append_to_file("$dir/$_", $files{$_}) for keys %files;
    return $dir;
}

my $app = folder('app',
    '001_table.sql' => 'CREATE TABLE app_t (id int, email text);',
    'rollback/001_table.sql' => 'DROP TABLE app_t;',
    '002_index.sql' => 'CREATE INDEX CONCURRENTLY app_email ON app_t (email);',
    'rollback/002_index.sql' => 'DROP INDEX CONCURRENTLY app_email;',
    '002.1_fix.sql' => 'ALTER TABLE app_t ADD COLUMN fixed boolean;',
    'rollback/002.1_fix.sql' => 'ALTER TABLE app_t DROP COLUMN fixed;',
    '003_more.sql' => 'CREATE VIEW app_v AS SELECT 1 AS one;',
    'rollback/003_more.sql' => 'DROP VIEW app_v;');

my ($rc, $out, $err) = pg_migrate('run', $app, '--project', 'app');
is($rc, 0, 'a folder with a point release (002.1) runs') or diag $err;
is(states('app'), '001=applied,002=applied,002.1=applied,003=applied', 'every migration applied');

# --- what "rollback 003" means --------------------------------------------------------------
($rc, $out, $err) = pg_migrate('rollback', '003', '--project', 'app');
is($rc, 2, '"rollback 003" without a folder named 003 is a usage error');
like($err, qr/To undo migration 003 alone: pg_migrate undo 003; to roll back the migrations after it/,
    'which names both readings');

# --- undo one version ------------------------------------------------------------------------
($rc, $out, $err) = pg_migrate('undo', '002', '--project', 'app', '--yes');
is($rc, 1, 'undo of a version below the newest applied is refused');
like($err, qr/not the newest applied one.*Applied after it: 003 \(more\), 002\.1 \(fix\)/s,
    'naming the later ones');
is(states('app'), '001=applied,002=applied,002.1=applied,003=applied', 'and changes nothing');

($rc, $out, $err) = pg_migrate('undo', '2', '--out-of-order', '--project', 'app');
is($rc, 0, 'undo --out-of-order undoes exactly that version (any spelling)') or diag $err;
like($err, qr/rolled back migration 002 \(index\)/, 'through the runner');
is(states('app'), '001=applied,002=pending,002.1=applied,003=applied', 'only 002 is pending');
is(sql(q{SELECT count(*) FROM pg_indexes WHERE indexname = 'app_email'}), '0',
    'its DROP INDEX CONCURRENTLY ran at top level');

($rc, $out, $err) = pg_migrate('undo', '--project', 'app');
is($rc, 2, 'undo without a version is a usage error');
($rc, $out, $err) = pg_migrate('undo', '3', '--steps', '2', '--project', 'app');
is($rc, 2, 'undo takes no --steps');

# --- confirmation before dropping data -------------------------------------------------------
($rc, $out, $err) = pg_migrate_at_terminal("n\n", 'rollback', '--steps', '2', '--project', 'app');
is($rc, 1, 'declining at the prompt exits 1');
like($err, qr/these down scripts drop data:\n  002\.1 \(fix\): statement 1, line 1: DROP COLUMN "fixed"/,
    'the prompt names what would be dropped');
like($err, qr/declined; nothing was rolled back/, 'and says nothing happened');
is(states('app'), '001=applied,002=pending,002.1=applied,003=applied', 'nothing was rolled back');

{
    my ($in, $o, $e) = ('', '', '');
    my $h = IPC::Run::start([ $bin, 'rollback', '--steps', '2', '--project', 'app' ], '<pty<', \$in,
        '>', \$o, '2>', \$e, IPC::Run::timeout(60));
    $h->pump until $e =~ /Roll back anyway\? \[y\/N\] /;
    $h->signal('INT');
    $h->finish;
    is($? >> 8, 130, 'Ctrl-C at the confirmation exits 130');
    like($e, qr/interrupted at the confirmation; nothing was rolled back/, 'saying so');
    is(states('app'), '001=applied,002=pending,002.1=applied,003=applied', 'and nothing was rolled back');
}

($rc, $out, $err) = pg_migrate_at_terminal("y\n", 'rollback', '--steps', '2', '--project', 'app');
is($rc, 0, 'yes at the prompt rolls back') or diag $err;
is(states('app'), '001=applied,002=pending,002.1=pending,003=pending', 'the two newest');

($rc, $out, $err) = pg_migrate_at_terminal('', 'rollback', '--project', 'app', '--yes');
is($rc, 0, '--yes asks nothing');
unlike($err, qr/drop data/, 'no prompt');
is(states('app'), '001=pending,002=pending,002.1=pending,003=pending', 'and rolls back');

($rc, $out, $err) = pg_migrate('run', $app, '--project', 'app');
($rc, $out, $err) = pg_migrate('rollback', '--project', 'app', '--everything');
is($rc, 0, 'without a terminal nothing is asked (pipelines)') or diag $err;
is(states('app'), '001=pending,002=pending,002.1=pending,003=pending', 'and everything is rolled back');

($rc, $out, $err) = pg_migrate('run', $app, '--project', 'app');
($rc, $out, $err) = pg_migrate_at_terminal('', 'rollback', '--project', 'app', '--dry-run', '--everything');
is($rc, 0, 'a dry run asks nothing');
like($out, qr/003\s+\| more\s+\| rollback/, 'and reports what the down scripts did');
is(states('app'), '001=applied,002=applied,002.1=applied,003=applied', 'which it rolled back');

my $fleet = "$tmp/fleet.dsn";
PostgreSQL::Test::Utils::append_to_file($fleet, "dbname=postgres\n");
($rc, $out, $err) = pg_migrate_at_terminal('', 'rollback', '--project', 'app', '--dsn-file', $fleet);
is($rc, 2, 'a fleet rollback on a terminal needs --yes');
is(states('app'), '001=applied,002=applied,002.1=applied,003=applied', 'and rolls nothing back');

# --- push --prune ------------------------------------------------------------------------------
my $pruned = folder('pruned',
    '001_table.sql' => 'CREATE TABLE pr_t (id int);',
    '002_gone.sql' => 'SELECT 2;',
    '003_gone_too.sql' => 'SELECT 3;');
($rc, $out, $err) = pg_migrate('run', $pruned, '--project', 'pruned', '--target', '001');
unlink "$pruned/002_gone.sql", "$pruned/003_gone_too.sql";
PostgreSQL::Test::Utils::append_to_file("$pruned/004_new.sql", 'SELECT 4;');
($rc, $out, $err) = pg_migrate('push', $pruned, '--project', 'pruned');
is(states('pruned'), '001=applied,002=pending,003=pending,004=pending',
    'without --prune a push keeps what the folder lost');
($rc, $out, $err) = pg_migrate('push', $pruned, '--project', 'pruned', '--prune', '--json');
is($rc, 0, 'push --prune exits 0') or diag $err;
is(join(',', map { "$_->{version}:$_->{result}" } @{ decode_json($out) }),
    '001:unchanged,004:unchanged,002:unregistered,003:unregistered',
    'and lists what it unregistered');
is(states('pruned'), '001=applied,004=pending', 'the registry follows the folder');
unlink "$pruned/001_table.sql";
($rc, $out, $err) = pg_migrate('push', $pruned, '--project', 'pruned', '--prune');
is(states('pruned'), '001=applied,004=pending', 'an applied migration is never pruned');
($rc, $out, $err) = pg_migrate('status', $pruned, '--prune');
is($rc, 2, '--prune does not apply to read-only commands');

$node->stop;
done_testing();
