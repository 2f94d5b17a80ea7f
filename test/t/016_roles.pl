# Each kind of role the documentation names, holding exactly the grants of docs/grants.sql,
# does its daily work through pg_migrate as itself: the deployer pushes (and prunes), rehearses,
# runs, rolls back, repairs, baselines and imports; the reviewer lints, tests and rehearses; the
# generator writes a migration from a desired database; the reader reads. What the grants leave
# to superusers is refused to all of them.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $bin = $ENV{PG_MIGRATE_BIN};
plan skip_all => 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)'
  unless defined $bin && $bin ne '';

my $grants = slurp_file('docs/grants.sql');

# The documentation shows the same grants, statement for statement.
my @docs = grep { -f } ('README.md', glob('docs/*.md'));
my $doc_text = join "\n", map { slurp_file($_) } @docs;
my $squash = sub { my $t = shift; $t =~ s/--[^\n]*//g; $t =~ s/\s+/ /g; return $t };
for my $statement (grep { /\S/ } split /;/, $squash->($grants)) {
    ok(index($squash->($doc_text), $statement) >= 0,
        'the documentation lists: ' . substr($statement =~ s/^\s+//r, 0, 60) . '...');
}

my $node = PostgreSQL::Test::Cluster->new('roles');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
for my $db ('postgres', 'desired') {
    $node->safe_psql('postgres', 'CREATE DATABASE desired') if $db eq 'desired';
    $node->safe_psql($db, 'CREATE EXTENSION migrations_schema');
}
$node->safe_psql('postgres', 'CREATE ROLE deployer LOGIN; CREATE ROLE reviewer LOGIN;
    CREATE ROLE generator LOGIN; CREATE ROLE reader LOGIN;');
for my $db ('postgres', 'desired') {
    $node->safe_psql($db, $grants);
    # What the migrations themselves need is the deployer's and the reviewer's own business.
    $node->safe_psql($db, 'GRANT CREATE ON SCHEMA public TO deployer, reviewer');
}
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$ENV{PGDATABASE} = 'postgres';
delete $ENV{$_} for qw(PGSERVICE PGAPPNAME PGCONNECT_TIMEOUT PGPASSWORD PGOPTIONS);

my $tmp = tempdir(CLEANUP => 1);

sub as {
    my ($role, @args) = @_;
    my ($out, $err) = ('', '');
    local $ENV{PGUSER} = $role;
    IPC::Run::run([ $bin, @args ], '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
    return ($? >> 8, $out, $err);
}
sub ok_as {
    my ($role, $what, @args) = @_;
    my ($rc, $out, $err) = as($role, @args);
    is($rc, 0, "$role: $what") or diag "$out\n$err";
    unlike($err, qr/permission denied/, "$role: $what, without a permission error");
    return ($out, $err);
}
# drift exits 1 when it finds DDL run outside migrations (this test's own set-up is some).
sub drift_as {
    my ($role) = @_;
    my ($rc, $out, $err) = as($role, 'drift');
    ok($rc == 0 || $rc == 1, "$role: drift") or diag "$out\n$err";
    unlike($err, qr/permission denied/, "$role: drift, without a permission error");
}
sub sql { return $node->safe_psql($_[1] // 'postgres', $_[0]); }
sub write_file { PostgreSQL::Test::Utils::append_to_file($_[0], $_[1]); }
sub states {
    return sql("SELECT string_agg(version || '=' || state, ',' ORDER BY version)
                FROM migrate_status('$_[0]')");
}

my $app = "$tmp/app";
mkdir $app;
mkdir "$app/rollback";
write_file("$app/1_create_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, label text);\n");
write_file("$app/rollback/1_create_items.sql", "DROP TABLE items;\n");
write_file("$app/2_index_label.sql", "CREATE INDEX CONCURRENTLY items_label ON items (label);\n");
write_file("$app/rollback/2_index_label.sql", "DROP INDEX CONCURRENTLY items_label;\n");
write_file("$app/3_dropped_later.sql", "SELECT 1;\n");

# --- the deployer ----------------------------------------------------------------------------------
ok_as('deployer', 'push', 'push', $app);
unlink "$app/3_dropped_later.sql";
my ($out) = ok_as('deployer', 'push --prune', 'push', '--prune', $app);
like($out, qr/3 .*unregistered/, 'the pending migration the folder lost is pruned');
ok_as('deployer', 'apply --dry-run', 'apply', '--dry-run', $app);
ok_as('deployer', 'run', 'run', $app);
is(states('default'), '1=applied,2=applied', 'the deployer applied both');
ok_as('deployer', 'status', 'status');
ok_as('deployer', 'validate', 'validate', $app);
ok_as('deployer', 'history', 'history');
ok_as('deployer', 'verify', 'verify');
drift_as('deployer');
ok_as('deployer', 'rollback --dry-run', 'rollback', '--dry-run');
ok_as('deployer', 'rollback', 'rollback', '--yes');
is(states('default'), '1=applied,2=pending', 'the deployer rolled back the newest');
ok_as('deployer', 'run again', 'run', $app);
ok_as('deployer', 'undo --dry-run', 'undo', '2', '--dry-run');
# An applied script edited (a comment), then accepted.
write_file("$app/1_create_items.sql", "-- reviewed\n");
ok_as('deployer', 'push of an edited script', 'push', $app);
is(states('default'), '1=modified,2=applied', 'the edit shows');
ok_as('deployer', 'repair', 'repair');
is(states('default'), '1=applied,2=applied', 'and is accepted');
# Adopting a database built before the tool: baseline, and import from a team's own table.
my $legacy = "$tmp/legacy";
mkdir $legacy;
write_file("$legacy/1_a.sql", "CREATE TABLE legacy_a ();\n");
write_file("$legacy/2_b.sql", "CREATE TABLE legacy_b ();\n");
write_file("$legacy/3_c.sql", "CREATE TABLE legacy_c ();\n");
ok_as('deployer', 'push of a legacy folder', 'push', $legacy, '--project', 'legacy');
ok_as('deployer', 'baseline', 'baseline', '2', '--project', 'legacy');
is(states('legacy'), '1=baseline,2=baseline,3=pending', 'the baseline marked 1 and 2');
sql(q{CREATE TABLE migrations_log (name text, run_at timestamptz);
      INSERT INTO migrations_log VALUES ('1_a.sql', '2024-01-01'), ('2_b.sql', '2024-01-02');
      GRANT SELECT ON migrations_log TO deployer;});
ok_as('deployer', 'push of the same folder for an import', 'push', $legacy, '--project', 'own');
ok_as('deployer', 'import from a team\'s own table', 'import', 'migrations_log(name, run_at)',
    '--project', 'own');
is(states('own'), '1=applied,2=applied,3=pending', 'the import marked what the table records');

# --- the reviewer ------------------------------------------------------------------------------------
my $change = "$tmp/change";
mkdir $change;
mkdir "$change/rollback";
write_file("$change/1_create_notes.sql", "CREATE TABLE notes (id bigint, body text);\n");
write_file("$change/rollback/1_create_notes.sql", "DROP TABLE notes;\n");
ok_as('reviewer', 'lint', 'lint', $change, '--project', 'review');
ok_as('reviewer', 'test', 'test', $change, '--project', 'review');
ok_as('reviewer', 'validate', 'validate', $change, '--project', 'review');
ok_as('reviewer', 'status', 'status', $change, '--project', 'review');
ok_as('reviewer', 'apply --dry-run', 'apply', '--dry-run', $change, '--project', 'review');
ok_as('reviewer', 'rollback --dry-run', 'rollback', '--dry-run', '--project', 'review');
is(states('review'), '', 'the reviewer left nothing registered');
is(states('default'), '1=applied,2=applied', 'nor rolled anything back');

# --- the generator ---------------------------------------------------------------------------------
sql('CREATE TABLE items (id bigint PRIMARY KEY, label text, price numeric)', 'desired');
my $generated = "$tmp/generated";
mkdir $generated;
mkdir "$generated/rollback";
write_file("$generated/1_start.sql", "SELECT 1;\n");
write_file("$generated/rollback/1_start.sql", "SELECT 1;\n");
ok_as('generator', 'generate --desired DSN', 'generate', 'add_price', '--desired',
    'host=' . $node->host . ' port=' . $node->port . ' dbname=desired user=generator',
    $generated);
like(slurp_file("$generated/2_add_price.sql"), qr/ADD COLUMN price numeric/,
    'the generator wrote the migration');

# --- the reader ----------------------------------------------------------------------------------------
ok_as('reader', $_, $_) for qw(status history validate fingerprint hash);
drift_as('reader');
is(sql(q{SET ROLE reader; SELECT count(*) > 0 FROM migration_history}), 't',
    'reader: the migration_history view');
my ($rc, $rout, $err) = as('reader', 'run', $app);
is($rc, 1, 'reader: run is refused');
like($err, qr/permission denied for (function|procedure) migrate_/, 'for want of a grant');

# --- superusers only -------------------------------------------------------------------------------------
for my $role (qw(deployer reviewer generator reader)) {
    my ($stdout, $stderr);
    $node->psql('postgres', "SELECT migrate_load_dir('$app')", stdout => \$stdout,
        stderr => \$stderr, extra_params => [ '-U', $role ]);
    like($stderr, qr/permission denied for function migrate_load_dir/,
        "$role: migrate_load_dir (it reads the server's files) is not granted");
}
($rc, $rout, $err) = as('generator', 'generate', 'from_file', '--desired', "$generated/1_start.sql",
    $generated);
is($rc, 1, 'generator: a desired schema from a file needs a scratch database with the extension');
like($err, qr/lacks CREATEROLE and CREATEDB.*\n.*a superuser/,
    'which it says before creating anything, naming what it needs');

done_testing();
