# pg_migrate for a day's work, through the real binary: new (in each layout), lint, test,
# apply, status and the other commands; TypeORM folders (refused, then converted); the live
# progress line and the password prompt on a pseudo-terminal; waiting for a server; a
# fleet's status and --stop-on-drift.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $bin = $ENV{PG_MIGRATE_BIN};
plan skip_all => 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)'
  unless defined $bin && $bin ne '';

my $node = PostgreSQL::Test::Cluster->new('daily');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrations_schema');
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$ENV{PGDATABASE} = 'postgres';
delete $ENV{$_} for qw(PGSERVICE PGAPPNAME PGCONNECT_TIMEOUT PGPASSWORD);

my $tmp = tempdir(CLEANUP => 1);

sub pg_migrate {
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, @_ ], '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
    return ($? >> 8, $out, $err);
}

# Under a pseudo-terminal (script(1)): what the terminal shows, and the exit status.
sub at_terminal {
    my ($input, @args) = @_;
    my $command = join ' ', map { "'" . s/'/'\\''/gr . "'" } $bin, @args;
    my ($out, $err) = ('', '');
    IPC::Run::run([ 'script', '-qefc', $command, '/dev/null' ], '<', \$input, '>', \$out,
        '2>', \$err, IPC::Run::timeout(120));
    return ($? >> 8, $out . $err);
}

# Under a pseudo-terminal, answering once the prompt is on the screen (typed-ahead input is
# discarded when a program turns echo off, as psql does too).
sub at_terminal_answering {
    my ($prompt, $answer, @args) = @_;
    my $command = join ' ', map { "'" . s/'/'\\''/gr . "'" } $bin, @args;
    my ($in, $screen) = ('', '');
    my $h = IPC::Run::start([ 'script', '-qefc', $command, '/dev/null' ], '<', \$in,
        '>', \$screen, '2>&1', IPC::Run::timeout(60));
    $h->pump until $screen =~ $prompt;
    $in .= $answer;
    $h->finish;
    return ($? >> 8, $screen);
}

sub sql { return $node->safe_psql($_[1] // 'postgres', $_[0]); }
sub write_file { PostgreSQL::Test::Utils::append_to_file($_[0], $_[1]); }
sub states {
    return sql("SELECT string_agg(version || '=' || state, ',' ORDER BY version)
                FROM migrate_status('$_[0]')");
}

# --- new, in the folder's own layout -----------------------------------------------------------
my $app = "$tmp/app";
mkdir $app;
my ($rc, $out, $err) = pg_migrate('new', 'create_users', $app);
is($rc, 1, 'new in an empty folder needs a layout');
like($err, qr/its layout is unknown.*--layout: numbered/s, 'and names the layouts');

($rc, $out, $err) = pg_migrate('new', '--layout', 'numbered', 'Create Users', $app);
is($rc, 0, 'new --layout numbered exits 0') or diag $err;
is($out, "$app/1_create_users.sql\n$app/rollback/1_create_users.sql\n", 'and prints the two paths');
like(slurp_file("$app/1_create_users.sql"), qr/^-- up of migration 1 \(Create Users\)\n.*lock_timeout/s,
    'with a header that mentions lock_timeout');
write_file("$app/1_create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
write_file("$app/rollback/1_create_users.sql", "DROP TABLE users;\n");
($rc, $out, $err) = pg_migrate('create', 'add_email_index', $app);
is($out, "$app/2_add_email_index.sql\n$app/rollback/2_add_email_index.sql\n",
    '"create" is new too, and the next number follows');

my %layouts = (
    golang => [ ['001_a.up.sql', '001_a.down.sql'], "002_b.up.sql" ],
    flyway => [ ['V1__a.sql', 'U1__a.sql'], "V2__b.sql" ],
    stamps => [ ['20240101120000_a.up.sql'], qr/^\d{14}_b\.up\.sql$/ ],
    diesel => [ ['2019-02-26-002946_a/up.sql', '2019-02-26-002946_a/down.sql'],
                qr{^\d{4}-\d\d-\d\d-\d{6}_b/up\.sql$} ],
);
for my $layout (sort keys %layouts) {
    my ($files, $expected) = @{ $layouts{$layout} };
    my $dir = "$tmp/$layout";
    mkdir $dir;
    for my $f (@$files) {
        mkdir "$dir/$1" if $f =~ m{^(.*)/};
        write_file("$dir/$f", "SELECT 1;\n");
    }
    ($rc, $out, $err) = pg_migrate('new', 'b', $dir);
    is($rc, 0, "new in a $layout folder exits 0") or diag $err;
    my ($up) = split /\n/, $out;
    $up =~ s{^\Q$dir\E/}{};
    if (ref $expected) { like($up, $expected, "$layout: the next migration in its layout ($up)") }
    else { is($up, $expected, "$layout: the next migration in its layout") }
}
mkdir "$tmp/mixed";
write_file("$tmp/mixed/$_", "SELECT 1;\n") for '1_a.sql', '2_b.up.sql';
($rc, $out, $err) = pg_migrate('new', 'c', "$tmp/mixed");
is($rc, 1, 'new refuses to guess in a folder that mixes layouts');

# --- a day's work: lint, test, apply, status ---------------------------------------------------
sql('CREATE TABLE legacy AS SELECT g AS id FROM generate_series(1, 1000) g; ANALYZE legacy');
write_file("$app/2_add_email_index.sql", "ALTER TABLE legacy ADD COLUMN flag boolean NOT NULL;\n");
($rc, $out, $err) = pg_migrate('lint', $app);
is($rc, 1, 'lint DIR exits 1 on an error finding');
like($out, qr/add-column-not-null-no-default/, 'naming the rule');
like($err, qr/lint found 1 error/, 'and counting');
is(states('default'), '', 'lint DIR registers nothing');
($rc, $out, $err) = pg_migrate('lint', "$app/1_create_users.sql");
is($rc, 0, 'lint FILE of a clean script exits 0') or diag $err;
($rc, $out, $err) = pg_migrate('lint', '--json', "$app/2_add_email_index.sql");
is($rc, 1, 'lint FILE of a bad one exits 1');
is(decode_json($out)->{result}[0]{rule}, 'add-column-not-null-no-default', 'its JSON has the finding');

open my $fix, '>', "$app/2_add_email_index.sql" or die;
print $fix "CREATE INDEX CONCURRENTLY users_email ON users (email);\n";
close $fix;
write_file("$app/rollback/2_add_email_index.sql", "DROP INDEX CONCURRENTLY users_email;\n");
($rc, $out, $err) = pg_migrate('test', $app);
is($rc, 0, 'test DIR: every round trip exact') or diag $out . $err;
($rc, $out, $err) = pg_migrate('run', $app);
is($rc, 0, 'run DIR applies') or diag $err;
($rc, $out, $err) = pg_migrate('status');
like($out, qr/^2 migrations: 2 applied, 0 pending, 0 failed, 0 modified, 0 missing; newest applied 2$/m,
    'status ends with a one-line summary');
($rc, $out, $err) = pg_migrate('status', '--json');
ok(ref decode_json($out) eq 'ARRAY', 'and --json stays an array of rows');

# --- every other SQL function has its command ----------------------------------------------
($rc, $out, $err) = pg_migrate('history');
like($out, qr/\|\s*apply\s*\|/, 'history');
($rc, $out, $err) = pg_migrate('drift');
is($rc, 0, 'drift exits 0 without drift');
sql('CREATE TABLE made_by_hand (id int)');
($rc, $out, $err) = pg_migrate('drift');
is($rc, 1, 'drift exits 1 when the schema changed outside migrations');
like($out, qr/made_by_hand/, 'and shows what changed');
($rc, $out, $err) = pg_migrate('status');
like($out, qr/^open drift: 3 changes outside migrations, kept until a migration or migrate_accept_drift resolves it/m,
    'status names the open drift under its summary');
($rc, $out, $err) = pg_migrate('status', '--json');
ok(ref decode_json($out) eq 'ARRAY', 'and --json stays an array of rows with drift open');
($rc, $out, $err) = pg_migrate('verify');
is($rc, 0, 'verify');
sql(q{SELECT migrate_register('1', 'checked', 'CREATE TABLE checked_t (id int);', NULL, 'verified',
                           'SELECT ''checked_t''::regclass')});
sql(q{SELECT count(*) FROM migrate_apply(project => 'verified')});
($rc, $out, $err) = pg_migrate('verify', '--project', 'verified');
is($rc, 0, 'verify exits 0 while every verify script passes') or diag $err;
sql('ALTER TABLE checked_t RENAME TO checked_renamed');
($rc, $out, $err) = pg_migrate('verify', '--project', 'verified');
is($rc, 1, 'verify exits 1 when a verify script fails');
like($out, qr/\|\s*failed\s*\|/, 'and shows the failed row');
sql('ALTER TABLE checked_renamed RENAME TO checked_t');
($rc, $out, $err) = pg_migrate('hash');
like($out, qr/^\s*[0-9a-f]{64}$/m, 'hash prints the schema hash');
($rc, $out, $err) = pg_migrate('fingerprint', '--json');
ok(decode_json($out)->[0]{fingerprint} =~ /made_by_hand/, 'fingerprint');
($rc, $out, $err) = pg_migrate('repair');
is($rc, 0, 'repair');
($rc, $out, $err) = pg_migrate('status');
like($out, qr/^open drift: \d+ changes /m, 'the drift stays open after an apply and a repair') or diag $err;
sql(q{SELECT count(*) FROM migrate_accept_drift(array(SELECT object_type || ' ' || object FROM migrate_drift() WHERE source = 'schema'))});
($rc, $out, $err) = pg_migrate('status');
unlike($out, qr/open drift/, 'and is no longer named once accepted');
my $base = "$tmp/base";
mkdir $base;
write_file("$base/$_->[0]", $_->[1]) for ['1_a.sql', 'CREATE TABLE base_a ();'],
    ['2_b.sql', 'CREATE TABLE base_b ();'], ['3_c.sql', 'CREATE TABLE base_c ();'];
($rc, $out, $err) = pg_migrate('baseline', '2', $base, '--project', 'base');
is($rc, 0, 'baseline VERSION DIR') or diag $err;
is(states('base'), '1=baseline,2=baseline,3=pending', 'marks what the database already has');
($rc, $out, $err) = pg_migrate('unregister', '3', '--project', 'base');
is($rc, 0, 'unregister VERSION');
is(states('base'), '1=baseline,2=baseline', 'forgets a pending migration');
($rc, $out, $err) = pg_migrate('unregister', '1', '--project', 'base');
is($rc, 1, 'unregister of an applied one exits 1');
sql(q{CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
      INSERT INTO schema_migrations VALUES (1, false)});
my $gm = "$tmp/golang_import";
mkdir $gm;
write_file("$gm/$_", 'SELECT 1;') for '1_a.up.sql', '2_b.up.sql';
($rc, $out, $err) = pg_migrate('import', 'golang-migrate', $gm, '--project', 'imported');
is($rc, 0, 'import SOURCE DIR') or diag $err;
is(states('imported'), '1=applied,2=pending', 'takes over the other tool\'s record');
($rc, $out, $err) = pg_migrate('--version');
like($out, qr/^pg_migrate \d+\.\d+\.\d+$/, '--version');
($rc, $out, $err) = pg_migrate('--help');
like($out, qr/pg_migrate new NAME \[DIR\].*pg_migrate convert typeorm SRC DEST.*pg_migrate wait/s,
    '--help lists every command');

# --- TypeORM folders ---------------------------------------------------------------------------
my $typeorm = "$tmp/typeorm";
mkdir $typeorm;
write_file("$typeorm/1700000000000-CreatePosts.ts", <<'TS');
import { MigrationInterface, QueryRunner } from "typeorm";

export class CreatePosts1700000000000 implements MigrationInterface {
    name = 'CreatePosts1700000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "posts" ("id" SERIAL NOT NULL, "title" character varying NOT NULL, CONSTRAINT "PK_posts" PRIMARY KEY ("id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "posts"`);
    }
}
TS
write_file("$typeorm/1700000000001-SeedPosts.js", <<'JS');
module.exports = class SeedPosts1700000000001 {
  async up(queryRunner) {
    await queryRunner.query('INSERT INTO posts (title) ' + "VALUES ($1)", ["it's here"]);
  }
  async down(queryRunner) {
    await queryRunner.query("DELETE FROM posts WHERE title = $1", ["it's here"]);
  }
};
JS
write_file("$typeorm/1700000000002-Builder.ts", <<'TS');
export class Builder1700000000002 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({ name: "tags", columns: [] }));
    }
    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.dropTable("tags");
    }
}
TS
($rc, $out, $err) = pg_migrate('push', $typeorm, '--project', 'typeorm');
is($rc, 1, 'pushing a folder of TypeORM classes is an error, not 0 migrations');
like($err, qr/holds no migration file.*1700000000000-CreatePosts\.ts.*pg_migrate convert typeorm/s,
    'naming the files and the way out');
my $converted = "$tmp/converted";
($rc, $out, $err) = pg_migrate('convert', 'typeorm', $typeorm, $converted);
is($rc, 1, 'convert exits 1 when a class cannot be converted');
like($err, qr/1700000000002-Builder\.ts:3: cannot convert: query builder call queryRunner\.createTable\(\)/,
    'naming the construct with file:line');
is(join(',', sort map { s{.*/}{}r } glob("$converted/*")),
    '1700000000000_create_posts.down.sql,1700000000000_create_posts.up.sql,'
  . '1700000000001_seed_posts.down.sql,1700000000001_seed_posts.up.sql',
    'and writes the others with TypeORM\'s versions and names');
like(slurp_file("$converted/1700000000001_seed_posts.up.sql"),
    qr/^INSERT INTO posts \(title\) VALUES \('it''s here'\);$/m, 'parameters become literals');
($rc, $out, $err) = pg_migrate('run', $converted, '--project', 'typeorm');
is($rc, 0, 'the converted folder runs') or diag $err;
is(sql(q{SELECT title FROM posts}), "it's here", 'and did what the classes did');
($rc, $out, $err) = pg_migrate('test', $converted, '--project', 'typeorm_rt');
($rc, $out, $err) = pg_migrate('convert', 'sequelize', $typeorm, $converted);
is($rc, 2, 'convert knows typeorm only');

# --- on a terminal: one live line, and the password prompt -------------------------------------
my $slow = "$tmp/slow";
mkdir $slow;
write_file("$slow/1_a.sql", 'CREATE TABLE slow_a ();');
write_file("$slow/2_b.sql", 'SELECT pg_sleep(4);');
write_file("$slow/3_c.sql", 'CREATE TABLE slow_c ();');
my $screen;
($rc, $screen) = at_terminal('', 'run', $slow, '--project', 'slow');
is($rc, 0, 'run on a terminal exits 0') or diag $screen;
unlike($screen, qr/NOTICE:  applied migration/, 'shows no NOTICE per migration');
like($screen, qr/\[1\/3\].*\[2\/3\] 2 b/s, 'but a live line: n of N, the version and name');
like($screen, qr/statement 1 of 1/, 'naming the statement a long migration runs');
like($screen, qr/applied 3 of 3 migrations/, 'and a summary');
sql(q{SELECT migrate_register('4', 'd', 'SELECT 1', NULL, 'slow')});
($rc, $screen) = at_terminal('', 'run', '--project', 'slow', '-v');
like($screen, qr/NOTICE:  applied migration 4 \(d\)/, '-v keeps the NOTICE stream');

sql(q{CREATE ROLE pwuser LOGIN PASSWORD 'Tr1cky pass';
      GRANT EXECUTE ON FUNCTION migrate_status(text) TO pwuser});
$node->append_conf('pg_hba.conf', '');
my $hba = $node->data_dir . '/pg_hba.conf';
my $rules = slurp_file($hba);
open my $h, '>', $hba or die;
print $h "local all pwuser scram-sha-256\n$rules";
close $h;
$node->reload;
($rc, $screen) = at_terminal_answering(qr/Password: /, "Tr1cky pass\n", 'status', '--dsn',
    'dbname=postgres user=pwuser');
is($rc, 0, 'a server that wants a password gets it asked for on a terminal') or diag $screen;
like($screen, qr/Password: /, 'with a prompt');
unlike($screen, qr/Tr1cky/, 'that does not echo it');
($rc, $screen) = at_terminal("Tr1cky pass\n", 'status', '--dsn', 'dbname=postgres user=pwuser', '-w');
is($rc, 2, '-w never asks');
like($screen, qr/no password supplied/, 'and says why');
($rc, $screen) = at_terminal_answering(qr/Password: /, "\x03", 'status', '--dsn', 'dbname=postgres user=pwuser');
is($rc, 130, 'Ctrl-C at the password prompt exits 130');
like($screen, qr/interrupted at the password prompt; nothing was sent/, 'saying so');
($rc, $out, $err) = pg_migrate('status', '--dsn', 'dbname=postgres user=pwuser');
is($rc, 2, 'without a terminal nothing is asked');
unlike($err, qr/Password:/, 'no prompt');

# --- waiting for the server --------------------------------------------------------------------
$node->stop;
my $t0 = time;
($rc, $out, $err) = pg_migrate('wait', '--timeout', '2');
is($rc, 2, 'wait gives up after --timeout');
ok(time - $t0 < 6, 'in time');
like($err, qr/no answer from the default server within 2 s/, 'saying so');
my ($w_out, $w_err) = ('', '');
my $waiting = IPC::Run::start([ $bin, 'status', '--wait=30', '--project', 'slow' ],
    '<', \undef, '>', \$w_out, '2>', \$w_err, IPC::Run::timeout(60));
sleep 1.5;
$node->start;
$waiting->finish;
is($? >> 8, 0, '--wait waits for the server to come up, then runs the command');
like($w_out, qr/4 migrations: 4 applied/, 'which then ran');
($rc, $out, $err) = pg_migrate('status', '--wait', '5', '--project', 'slow');
is($rc, 0, '--wait 5 (with a space) is --wait=5') or diag($err);
like($out, qr/4 migrations: 4 applied/, 'and the command runs');
for my $command ([ 'generate', 'x', '--desired', 'dbname=postgres' ], [ 'new', 'x' ],
    [ 'convert', 'typeorm', '/nonexistent', '/nonexistent' ], [ 'wait' ]) {
    ($rc, $out, $err) = pg_migrate(@$command, '--json');
    is($rc, 2, "--json with $command->[0]: refused, not ignored");
    like($err, qr/--json does not apply to $command->[0]/, '  saying so');
}

# --- fleets: status at a glance, --stop-on-drift -------------------------------------------
my $fleet = "$tmp/fleet.dsn";
for my $db (qw(staging production)) {
    sql("CREATE DATABASE $db");
    sql('CREATE EXTENSION migrations_schema', $db);
    write_file($fleet, "dbname=$db\n");
}
my $promo = "$tmp/promo";
mkdir $promo;
write_file("$promo/$_->[0]", $_->[1]) for ['1_a.sql', 'CREATE TABLE promo_a ();'],
    ['2_b.sql', 'CREATE TABLE promo_b ();'];
($rc, $out, $err) = pg_migrate('run', $promo, '--dsn', 'dbname=staging');
($rc, $out, $err) = pg_migrate('push', $promo, '--dsn', 'dbname=production');
($rc, $out, $err) = pg_migrate('status', '--dsn-file', $fleet);
like($out, qr/^ dbname=staging\s+\| ok\s+\| 2\s+\|\s+2 \|\s+0 \|/m,
    'fleet status: staging at 2, two applied');
like($out, qr/^ dbname=production\s+\| ok\s+\|\s+\|\s+0 \|\s+2 \|/m,
    'production with two pending');
sql('CREATE TABLE hotfix_by_hand (id int)', 'production');
($rc, $out, $err) = pg_migrate('run', $promo, '--dsn-file', $fleet, '--stop-on-drift');
is($rc, 1, '--stop-on-drift fails the fleet when a database drifted');
like($out, qr/dbname=production\s+\| drifted/, 'that database is reported drifted');
is(sql(q{SELECT count(*) FROM migrate_status() WHERE state = 'applied'}, 'production'), '0',
    'and nothing ran there');

# --- a file that is not UTF-8: named with its line, before anything is sent ------------------
mkdir "$tmp/latin1";
open my $l1, '>:raw', "$tmp/latin1/001_caf.sql" or die;
print $l1 "CREATE TABLE caf (id int);\nCOMMENT ON TABLE caf IS 'caf\xe9';\n";
close $l1;
($rc, $out, $err) = pg_migrate('status', '--project', 'latin1', "$tmp/latin1");
is($rc, 1, 'a migration file that is not UTF-8: exit 1');
like($err, qr/file "001_caf\.sql" is not valid UTF-8\nDETAIL:  At line 2, byte \d+\./, 'naming the file and the line');
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate_status('latin1')}), '0', 'and nothing was registered');

# --- run DIR over an applied migration whose file changed: nothing is pushed ----------------
mkdir "$tmp/edited";
PostgreSQL::Test::Utils::append_to_file("$tmp/edited/001_a.sql", "CREATE TABLE edited_a (id int);\n");
($rc, $out, $err) = pg_migrate('run', '--project', 'edited', "$tmp/edited");
is($rc, 0, 'a folder runs') or diag($err);
PostgreSQL::Test::Utils::append_to_file("$tmp/edited/001_a.sql", "-- changed afterwards\n");
PostgreSQL::Test::Utils::append_to_file("$tmp/edited/002_b.sql", "CREATE TABLE edited_b (id int);\n");
($rc, $out, $err) = pg_migrate('run', '--project', 'edited', "$tmp/edited");
is($rc, 1, 'run over an applied migration whose file changed: exit 1');
like($err, qr/the folder changes applied migrations: 001 \(a\); nothing was registered and nothing ran/, 'naming it');
is($node->safe_psql('postgres', q{SELECT string_agg(version || '=' || state, ',' ORDER BY version) FROM migrate_status('edited')}),
    '001=applied', 'the push was not kept: the registry holds the applied script, and 002 is not registered');

$node->stop;
done_testing();
