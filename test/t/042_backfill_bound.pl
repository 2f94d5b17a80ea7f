# A backfill batch holds its rows' locks until it commits, so a client writing one of them
# waits for the whole batch. No batch is let hold them longer than
# migrations_schema.lock_timeout: one that runs past it is cancelled and its rows are taken
# again in a batch half the size, and the size follows how long batches take. Here the
# type change's USING expression costs 10 ms a row, so a batch of all 300 rows would hold
# them for three seconds; a writer updates random rows throughout, and the server logs
# any lock wait longer than a deadlock_timeout set a little above the bound
# (log_lock_waits). Asserted: no such wait, the cancels are said in NOTICEs, the backfill is
# complete and every row has the right value.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $rows = 300;
my $node = PostgreSQL::Test::Cluster->new('bound');
$node->init;
$node->append_conf('postgresql.conf', q{
max_worker_processes = 16
log_lock_waits = on
log_statement = none
deadlock_timeout = '1500ms'
log_line_prefix = '%m [%p] app=%a '
migrations_schema.lock_timeout = '1s'
migrations_schema.lock_retries = 5
});
$node->start;
sub sql { return $node->safe_psql('postgres', $_[0]); }

sql('CREATE EXTENSION migrations_schema');
sql(qq{SELECT migrate_register('1', 'items', \$m\$
CREATE TABLE items (id bigint PRIMARY KEY, n integer NOT NULL);
INSERT INTO items SELECT g, g FROM generate_series(1, $rows) AS g;
CREATE FUNCTION slow_label(n integer) RETURNS text LANGUAGE plpgsql AS
  \$f\$ BEGIN PERFORM pg_catalog.pg_sleep(0.01); RETURN 'n' || n; END \$f\$;
\$m\$)});
sql('CALL migrate_run()');
sql('CREATE TABLE writes (at timestamptz DEFAULT clock_timestamp())');
sql(q{SELECT migrate_register('2', 'relabel', $m$-- migrate:expand-contract
-- migrate:down-expression n = substr(n, 2)::integer
ALTER TABLE items ALTER COLUMN n TYPE text USING slow_label(n);
$m$)});

my $dir = PostgreSQL::Test::Utils::tempdir;
open my $fh, '>', "$dir/writer.sql" or die;
print $fh "\\set id random(1, $rows)\nUPDATE items SET n = n WHERE id = :id;\nINSERT INTO writes DEFAULT VALUES;\n";
close $fh;
my ($wout, $werr) = ('', '');
my $writer;
{
    local $ENV{PGAPPNAME} = 'writer';
    $writer = IPC::Run::start(
        [ 'pgbench', '-n', '-c', '2', '-T', '120', '-f', "$dir/writer.sql", '-h', $node->host,
          '-p', $node->port, 'postgres' ],
        '>', \$wout, '2>', \$werr);
}
my ($ret, $out, $err) = $node->psql('postgres', 'CALL migrate_start()');
$writer->signal('TERM');  # not INT: a job started in the background ignores it
$writer->finish;

is($ret, 0, 'migrate_start succeeded while a writer updated the rows') or diag $err;
like($err, qr/a backfill batch of 300 rows of "public"\."items" ran past 1000 ms and was cancelled, so that its rows' writers would not wait longer; the same rows again in batches of 150/,
    'the batch that ran past the bound was cancelled, and the NOTICE says so');
is(sql(q{SELECT phase || ' ' || (rows_done >= rows_total) || ' ' || done FROM migrate_expansion()}),
   'expanded true true', 'the backfill went on in smaller batches to the end');
is(sql(q{SELECT count(*) FROM default_2.items WHERE n IS DISTINCT FROM 'n' || id}), '0',
   'every row has the value the expression gives');
ok(sql('SELECT count(*) FROM writes') > 0, 'the writer ran throughout');
unlike($werr, qr/ERROR/, 'and saw no error');
my @waits = grep { /app=writer.*still waiting/ } split /\n/, slurp_file($node->logfile);
is(scalar(@waits), 0, 'no write waited for a batch longer than the deadlock_timeout (1.5 s)')
  or diag join("\n", @waits[0 .. ($#waits < 9 ? $#waits : 9)]);

# The same with no bound (lock_timeout 0): one batch of every row, and the writer waits.
sql('CALL migrate_abort()');
sql('ALTER SYSTEM SET migrations_schema.lock_timeout = 0');
sql('SELECT pg_reload_conf()');
my $before = () = slurp_file($node->logfile) =~ /app=writer.*still waiting/g;
{
    local $ENV{PGAPPNAME} = 'writer';
    ($wout, $werr) = ('', '');
    $writer = IPC::Run::start(
        [ 'pgbench', '-n', '-c', '2', '-T', '120', '-f', "$dir/writer.sql", '-h', $node->host,
          '-p', $node->port, 'postgres' ],
        '>', \$wout, '2>', \$werr);
}
($ret, $out, $err) = $node->psql('postgres', 'CALL migrate_start()');
$writer->signal('TERM');  # not INT: a job started in the background ignores it
$writer->finish;
is($ret, 0, 'without a bound migrate_start succeeds too');
unlike($err, qr/was cancelled/, 'in batches it never cancels');
my $after = () = slurp_file($node->logfile) =~ /app=writer.*still waiting/g;
ok($after > $before, 'and the writer waited longer than the deadlock_timeout: the check above can see a wait');

# One row that alone runs past the bound: the size halves down to that row, whose batch is
# cancelled lock_retries + 1 times; the call then fails with 55P03, the rows before it
# committed, and a later call resumes from there.
sql('CALL migrate_abort()');
sql(q{ALTER SYSTEM SET migrations_schema.lock_timeout = '1s'});
sql('ALTER SYSTEM SET migrations_schema.lock_retries = 1');
sql('SELECT pg_reload_conf()');
sql(q{CREATE OR REPLACE FUNCTION slow_label(n integer) RETURNS text LANGUAGE plpgsql AS
  $f$ BEGIN PERFORM pg_catalog.pg_sleep(CASE WHEN n = 150 THEN 2 ELSE 0.01 END); RETURN 'n' || n; END $f$});
($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nCALL migrate_start()");
isnt($ret, 0, 'a row that alone takes longer than the bound fails the start');
like($err, qr/ERROR:  55P03: migrate_start\(\) could not backfill one row within 1000 ms/,
    'with SQLSTATE 55P03 and a message that says why');
like($err, qr/the same rows again in batches of 1\n.*a backfill batch of one row ran past 1000 ms and was cancelled, attempt 1 of 2; retrying in/s,
    'after halving the batch down to that one row, and trying it again once');
is(sql(q{SELECT phase || ' ' || rows_done FROM migrate_expansion()}), 'backfilling 149',
    'the rows before it are backfilled and committed');
sql(q{CREATE OR REPLACE FUNCTION slow_label(n integer) RETURNS text LANGUAGE plpgsql AS
  $f$ BEGIN RETURN 'n' || n; END $f$});
($ret, $out, $err) = $node->psql('postgres', 'CALL migrate_start()');
is($ret, 0, 'once the row is quick again, the next call resumes') or diag $err;
is(sql(q{SELECT phase || ' ' || (rows_done >= rows_total) FROM migrate_expansion()}),
   'expanded true', 'and finishes the backfill');
is(sql(q{SELECT count(*) FROM default_2.items WHERE n IS DISTINCT FROM 'n' || id}), '0',
   'with every row right');

done_testing();
