# Workflows of teams with their own habits, through the real binary: a migration that uses
# an enum value an earlier one added (rehearsed as far as one transaction can, said plainly);
# what a rehearsal skips; a forward-only project; pg_migrate new in a converted TypeORM
# folder.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $bin = $ENV{PG_MIGRATE_BIN};
plan skip_all => 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)'
  unless defined $bin && $bin ne '';

my $node = PostgreSQL::Test::Cluster->new('teams');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrations_schema');
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$ENV{PGDATABASE} = 'postgres';
delete $ENV{$_} for qw(PGSERVICE PGAPPNAME PGCONNECT_TIMEOUT PGPASSWORD PGOPTIONS);

my $tmp = tempdir(CLEANUP => 1);

sub pg_migrate {
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, @_ ], '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
    return ($? >> 8, $out, $err);
}
sub sql { return $node->safe_psql('postgres', $_[0]); }
sub write_file { PostgreSQL::Test::Utils::append_to_file($_[0], $_[1]); }
sub states {
    return sql("SELECT string_agg(version || '=' || state, ',' ORDER BY version)
                FROM migrate_status('$_[0]')");
}

# --- an enum value added by one migration and used by the next ---------------------------------
sql(q{CREATE TYPE status AS ENUM ('active');
      CREATE TABLE accounts (id int, status status DEFAULT 'active');
      INSERT INTO accounts VALUES (1), (2);});
my $auth = "$tmp/auth";
mkdir $auth;
mkdir "$auth/rollback";
write_file("$auth/011_add_revoked.sql", "ALTER TYPE status ADD VALUE 'revoked';\n");
# No down script: a value cannot be taken out of an enum.
write_file("$auth/011.1_revoke_first.sql",
    "ALTER TABLE accounts ADD COLUMN revoked_at timestamptz;\n"
  . "UPDATE accounts SET status = 'revoked', revoked_at = now() WHERE id = 1;\n");
write_file("$auth/rollback/011.1_revoke_first.sql",
    "UPDATE accounts SET status = 'active' WHERE status = 'revoked';\n"
  . "ALTER TABLE accounts DROP COLUMN revoked_at;\n");
write_file("$auth/012_index_status.sql", "CREATE INDEX accounts_status ON accounts (status);\n");
write_file("$auth/rollback/012_index_status.sql", "DROP INDEX accounts_status;\n");

my ($rc, $out, $err) = pg_migrate('apply', '--dry-run', $auth, '--project', 'auth');
is($rc, 0, 'apply --dry-run does not fail where the run succeeds') or diag $err;
like($out, qr/011\.1.*not rehearsed from statement 2 \(line 2\) on: it uses a value added to an enum type by migration 011/,
    'the row of 011.1 says where its rehearsal stopped, and why');
like($out, qr/012 .*not rehearsed: it follows migration 011\.1/, 'and that 012 was not rehearsed');
like($err, qr/not rehearsed in 011\.1: .*migration 011.*\nnot rehearsed in 012: /s,
    'both are said again under the table');
is(states('auth'), '', 'nothing was registered or applied');

($rc, $out, $err) = pg_migrate('test', $auth, '--project', 'auth');
is($rc, 0, 'pg_migrate test does not fail where the run succeeds') or diag "$out\n$err";
like($out, qr/011\.1 .*not tested.*up not tested: unsafe use of new value "revoked"/,
    'the test row of 011.1 says what it could not do');
like($err, qr/not tested in 011\.1: up not tested: .*which the run commits first/,
    'and the reason is said under the table');
like($err, qr/not tested in 012: migration 011\.1 before it could not be tested in one transaction/,
    'as for the migration after it');

($rc, $out, $err) = pg_migrate('run', $auth, '--project', 'auth');
is($rc, 0, 'the run applies all three') or diag $err;
is(states('auth'), '011=applied,011.1=applied,012=applied', 'all applied');
is(sql(q{SELECT string_agg(status::text, ',' ORDER BY id) FROM accounts}), 'revoked,active',
    'and 011.1 used the value 011 added');

# --- what a rehearsal skips is said where one looks --------------------------------------------
my $batch = "$tmp/batch";
mkdir $batch;
mkdir "$batch/rollback";
write_file("$batch/1_backfill.sql",
    "ALTER TABLE accounts ADD COLUMN score int;\n"
  . "DO \$\$ BEGIN UPDATE accounts SET score = 0; COMMIT; END \$\$;\n"
  . "CREATE INDEX CONCURRENTLY accounts_score ON accounts (score);\n");
write_file("$batch/rollback/1_backfill.sql",
    "DROP INDEX CONCURRENTLY accounts_score;\nALTER TABLE accounts DROP COLUMN score;\n");
($rc, $out, $err) = pg_migrate('apply', '--dry-run', $batch, '--project', 'batch');
is($rc, 0, 'a dry run of a batch DO with COMMIT and a CONCURRENTLY build succeeds') or diag $err;
like($err, qr/not rehearsed in 1: rehearsal; without CONCURRENTLY: statement 3; not rehearsed, as it runs only outside a transaction block: statement 2 \(DO\)/,
    'and says under the table which statement it did not rehearse, and which it ran otherwise');
($rc, $out, $err) = pg_migrate('test', $batch, '--project', 'batch');
is($rc, 0, 'pg_migrate test of it succeeds') or diag "$out\n$err";
like($err, qr/not tested in 1: not run, as they only run at top level .*: up statement 2 \(line 2\)/,
    'and says under the table what it skipped');

# --- a forward-only project ----------------------------------------------------------------------
my $fwd = "$tmp/fwd";
mkdir $fwd;
write_file("$fwd/001_create_events.sql", "CREATE TABLE events (id bigint);\n");
write_file("$fwd/002_add_kind.sql", "ALTER TABLE events ADD COLUMN kind text;\n");
($rc, $out, $err) = pg_migrate('new', 'add_source', $fwd);
is($rc, 0, 'new in a folder without down scripts exits 0') or diag $err;
is($out, "$fwd/003_add_source.sql\n", 'and writes the up script only');
like($err, qr/no down script written: the folder's migrations have none \(forward-only/,
    'saying why');
ok(!-e "$fwd/rollback", 'no rollback folder appears');
unlink "$fwd/003_add_source.sql";
($rc, $out, $err) = pg_migrate('run', $fwd, '--project', 'fwd');
is($rc, 0, 'the forward-only folder runs') or diag $err;

($rc, $out, $err) = pg_migrate('validate', $fwd, '--project', 'fwd');
like($out, qr/no_down_script/, 'before the project says so, validate warns of missing down scripts');
($rc, $out, $err) = pg_migrate('rollback', '--yes', '--project', 'fwd');
like($err, qr/migration 002 \(add_kind\) has no down script/, 'and a rollback names the missing script');
unlike($err, qr/forward-only/, 'as an omission');

# Stored per database: every later session sees it.
sql(q{ALTER DATABASE postgres SET migrations_schema.forward_only = 'fwd, other'});
($rc, $out, $err) = pg_migrate('validate', $fwd, '--project', 'fwd');
is($rc, 0, 'validate of a forward-only project exits 0') or diag $err;
unlike($out, qr/no_down_script/, 'without a no_down_script warning');
write_file("$fwd/003_add_source.sql", "ALTER TABLE events ADD COLUMN source text;\n");
($rc, $out, $err) = pg_migrate('test', $fwd, '--project', 'fwd');
is($rc, 0, 'test exits 0') or diag "$out\n$err";
like($out, qr/003 .*\| forward-only/, 'a migration without a down script is forward-only there');
($rc, $out, $err) = pg_migrate('rollback', '--yes', '--project', 'fwd');
is($rc, 1, 'a rollback of a forward-only project exits 1');
like($err, qr/the project is forward-only: migration 002 .* has no down script to roll back with.*HINT:  Write a migration that undoes the change/s,
    'saying there is nothing to roll back with, and what to do instead');
($rc, $out, $err) = pg_migrate('rollback', '--dry-run', '--project', 'fwd');
like($err, qr/the project is forward-only/, 'a dry run says the same');
is(states('fwd'), '001=applied,002=applied', 'nothing was rolled back');
sql(q{ALTER DATABASE postgres RESET migrations_schema.forward_only});

# --- pg_migrate new in a converted TypeORM folder ------------------------------------------------
my $typeorm = "$tmp/typeorm";
mkdir $typeorm;
write_file("$typeorm/1700000000000_create_posts.up.sql", "CREATE TABLE posts (id int);\n");
write_file("$typeorm/1700000000000_create_posts.down.sql", "DROP TABLE posts;\n");
write_file("$typeorm/1733000000000_add_title.up.sql", "ALTER TABLE posts ADD COLUMN title text;\n");
write_file("$typeorm/1733000000000_add_title.down.sql", "ALTER TABLE posts DROP COLUMN title;\n");
my $before = int(time() * 1000);
($rc, $out, $err) = pg_migrate('new', 'add tags', $typeorm);
is($rc, 0, 'new in a converted TypeORM folder exits 0') or diag $err;
my ($up, $down) = split /\n/, $out;
like($up, qr{/(\d{13})_add_tags\.up\.sql$}, 'the version is 13 digits, like the folder\'s');
my ($version) = $up =~ m{/(\d{13})_};
cmp_ok($version, '>=', $before - 1000, 'epoch milliseconds of now');
cmp_ok($version, '<=', int(time() * 1000) + 1000, 'not later than now');
like($down, qr{/${version}_add_tags\.down\.sql$}, 'with its down script, as the folder has them');
# A class converted later (an epoch version from before now) sorts before it, as in TypeORM.
write_file("$typeorm/1740000000000_later.up.sql", "SELECT 1;\n");
($rc, $out, $err) = pg_migrate('push', $typeorm, '--project', 'typeorm');
is($rc, 0, 'the folder pushes') or diag $err;
is(sql(q{SELECT string_agg(version, ',' ORDER BY ordinality) FROM migrate_status('typeorm') WITH ORDINALITY}),
    "1700000000000,1733000000000,1740000000000,$version", 'in TypeORM\'s order');

done_testing();
