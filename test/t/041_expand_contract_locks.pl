# Expand and contract against a table another session holds: every lock start, the backfill
# and completion wait for is waited for under migrations_schema.lock_timeout, retried
# migrations_schema.lock_retries times, then given up with SQLSTATE 55P03 and a message
# naming the step, leaving nothing half-made. Proved without timing: the server logs a lock
# wait longer than deadlock_timeout (log_lock_waits), set well above lock_timeout, while the
# caller's own lock_timeout is longer still, so a step that waited under the caller's setting
# instead of the migration's leaves a "still waiting" line.
#
# Also: while the expansion is open, migrate_run() and pg_migrate run and apply are refused
# (SQLSTATE 55000), naming the expansion; after completion an ordinary migration changes and
# drops what the versions' views showed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('expand_locks');
$node->init;
$node->append_conf('postgresql.conf', q{
max_worker_processes = 16
log_lock_waits = on
deadlock_timeout = '1s'
log_line_prefix = '%m [%p] app=%a '
migrations_schema.lock_timeout = '150ms'
migrations_schema.lock_retries = 1
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrations_schema');
$node->safe_psql('postgres', q{SELECT migrate_register('1', 'users', $m$
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, age integer);
INSERT INTO users SELECT g, 'u' || g || '@x', g % 90 FROM generate_series(1, 300) AS g;
$m$)});
$node->safe_psql('postgres', 'CALL migrate_run()');
# The type change's backfill fails at row 200 until that row is fixed: a start stopped in
# the middle of its backfill.
$node->safe_psql('postgres', q{SELECT migrate_register('2', 'reshape', $m$-- migrate:expand-contract
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE users ALTER COLUMN age TYPE text
    USING CASE WHEN email = 'u200@x' THEN (id / (id - 200))::text ELSE age::text || ' years' END;
$m$)});

# The migrating session: a lock_timeout of its own far above the migration's.
sub migrate {
    my ($sql) = @_;
    local $ENV{PGAPPNAME} = 'migrator';
    my ($ret, $out, $err) = $node->psql('postgres',
        "SET lock_timeout = '20s'; \\set VERBOSITY verbose\n$sql");
    return ($ret, $err);
}
sub sql { return $node->safe_psql('postgres', $_[0]); }
my $hash = "SELECT migrate_schema_hash(ARRAY['public'])";
my $blocker = $node->background_psql('postgres');
# Its timeout per query, not per session: it waits idle through calls that take minutes on
# a loaded machine.
$blocker->set_query_timer_restart();

# --- start: a reader holds the table; the expand transaction gives up, nothing is made ----
my $before = sql($hash);
$blocker->query_safe('BEGIN; SELECT count(*) FROM users');
my ($ret, $err) = migrate('CALL migrate_start()');
isnt($ret, 0, 'start gives up while another session holds the table');
like($err, qr/gave up waiting for a lock after 150 ms \(expand\), attempt 1 of 2/,
     'the first lock timeout is retried');
like($err, qr/55P03: migrate_start\(\) gave up waiting for a lock \(expand\) after 2 attempt\(s\) of 150 ms/,
     'then it gives up with SQLSTATE 55P03, naming the step');
is(sql($hash), $before, 'the schema is as it was');
is(sql(q{SELECT count(*) FROM migrate_expansion()}), '0', 'no expansion is recorded');
is(sql(q{SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'default\_%'}), '0',
   'no version schema was made');
is(sql(q{SELECT count(*) FROM migrate_history() WHERE action = 'start'}), '0',
   'history has no start');
$blocker->query_safe('COMMIT');

# --- the backfill stops at the bad row; resumed against a held table, its read gives up ----
($ret, $err) = migrate('CALL migrate_start(batch_size => 50)');
isnt($ret, 0, 'the backfill stops at the row it cannot convert');
# Batches are at most 50 rows, fewer when one takes longer than the lock bound (a loaded
# machine): whatever their sizes, every row before the failing batch committed, and that
# batch, holding row 200, started after row 150 at the latest. (Few rows: on a loaded
# assertion-enabled server the bound cuts the batches to a row or two, and 2,000 rows took
# four minutes.)
my $progress = sql(q{SELECT phase || ' ' || rows_done FROM migrate_expansion()});
like($progress, qr/^backfilling (\d+)$/, 'the expansion is backfilling');
my ($done) = $progress =~ /(\d+)$/;
ok(defined $done && $done >= 150 && $done <= 199,
   "after the batches that committed, all before row 200 ($progress)");
sql(q{UPDATE users SET email = 'fixed@x' WHERE id = 200});
$blocker->query_safe('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
($ret, $err) = migrate('CALL migrate_start(batch_size => 50)');
isnt($ret, 0, 'a resumed backfill gives up while another session holds the table');
like($err, qr/55P03: migrate_start\(\) gave up waiting for a lock \(backfill of "public"\."users"\) after 2 attempt/,
     'naming the backfill');
$blocker->query_safe('COMMIT');
is(sql(q{SELECT phase || ' ' || rows_done FROM migrate_expansion()}), $progress,
   'its progress is kept');

# --- open: the project's other runs are refused, naming the expansion ---------------------
sql(q{SELECT migrate_register('3', 'later', $m$ALTER TABLE users DROP COLUMN email;$m$)});
($ret, $err) = migrate('CALL migrate_run()');
isnt($ret, 0, 'migrate_run is refused while the expansion is open');
like($err, qr/55000: migrate_run\(\) cannot run while the expand and contract migration 2 of project "default" is in progress/,
     'with SQLSTATE 55000, naming the migration');
like($err, qr/HINT:.*migrate_complete\(\).*migrate_abort\(\)/, 'and saying what to do');
my $bin = $ENV{PG_MIGRATE_BIN};
SKIP: {
    skip 'PG_MIGRATE_BIN is not set', 4 unless $bin && -x $bin;
    local $ENV{PGHOST} = $node->host;
    local $ENV{PGPORT} = $node->port;
    local $ENV{PGDATABASE} = 'postgres';
    for my $command ('run', 'apply') {
        my ($out, $cerr) = ('', '');
        IPC::Run::run([ $bin, $command ], '<', \undef, '>', \$out, '2>', \$cerr);
        is($? >> 8, 1, "pg_migrate $command exits 1 while the expansion is open");
        like($cerr, qr/cannot run while the expand and contract migration 2 of project "default" is in progress/,
             "pg_migrate $command says why");
    }
}
is(sql(q{SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM migrate_status()}),
   '1:applied,2:expanding,3:pending', 'nothing ran');

($ret, $err) = migrate('CALL migrate_start(batch_size => 50)');
is($ret, 0, 'the resumed backfill finishes') or diag $err;

# --- complete: the backfill check waits for the table under the migration's timeout ------
$blocker->query_safe('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
($ret, $err) = migrate('CALL migrate_complete()');
isnt($ret, 0, 'completion gives up while another session holds the table');
like($err, qr/55P03: migrate_complete\(\) gave up waiting for a lock \(backfill check\) after 2 attempt/,
     'naming the backfill check');
$blocker->query_safe('COMMIT');
is(sql(q{SELECT phase FROM migrate_expansion()}), 'expanded', 'the expansion is still open');
is(sql(q{SELECT count(*) FROM pg_namespace WHERE nspname IN ('default_1', 'default_2')}), '2',
   'with both version schemas');

($ret, $err) = migrate('CALL migrate_complete()');
is($ret, 0, 'completion succeeds once the table is free') or diag $err;
is(sql(q{SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'default\_%'}), '0',
   'no version schema is left');
($ret, $err) = migrate('CALL migrate_run()');
is($ret, 0, 'a later ordinary migration drops a column the versions showed') or diag $err;
is(sql(q{SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM migrate_status()}),
   '1:applied,2:applied,3:applied', 'every migration is applied');

$blocker->quit;
my @waits = grep { /app=migrator.*still waiting/ } split /\n/, slurp_file($node->logfile);
is(scalar(@waits), 0, 'the migrating session never waited on a lock beyond the migration\'s lock_timeout')
  or diag join("\n", @waits);

done_testing();
