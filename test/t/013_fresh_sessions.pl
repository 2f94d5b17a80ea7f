# The drift log and the guard in the sessions pg_regress cannot show: a backend's first DDL,
# run before the library was loaded (so the ProcessUtility hook did not see its statement),
# and DDL sent over the extended protocol (whose tree the server copies before running it).
# Each keeps its own statement text, as in any other session, while DDL inside a DO block
# keeps none; and with ddl_guard = error set for the database, a fresh session's CREATE INDEX
# CONCURRENTLY is refused before it starts, leaving no INVALID index.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('fresh');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    CREATE DATABASE fresh;
});
$node->safe_psql('fresh', q{
    CREATE EXTENSION migrations_schema;
    CREATE SCHEMA app;
    CREATE TABLE app.t (id int);
    CREATE ROLE fresh_target;
});

sub statement_of {
    my ($identity) = @_;
    return $node->safe_psql('fresh', qq{
        SELECT coalesce(statement, '<none>') FROM migrations_schema.drift_log
        WHERE object_identity = '$identity'});
}

# Every safe_psql is a new backend: this CREATE TABLE is its first statement.
is($node->safe_psql('fresh', q{SELECT count(*) FROM pg_catalog.pg_stat_activity
                               WHERE backend_type = 'client backend'}), '1',
   'one client at a time: each call below is a fresh backend');
$node->safe_psql('fresh', 'CREATE TABLE app.first_statement (id int);');
is(statement_of('app.first_statement'), 'CREATE TABLE app.first_statement (id int)',
   "a backend's first DDL keeps its own text");

$node->safe_psql('fresh', q{DO $$ BEGIN EXECUTE 'ALTER ROLE fresh_target PASSWORD ''fresh-Zq7xK'''; CREATE TABLE app.first_do (id int); END $$;});
is(statement_of('app.first_do'), '<none>', "a backend's first DO block keeps no text");
is($node->safe_psql('fresh', q{SELECT count(*) FROM migrations_schema.drift_log d
                               WHERE d::text LIKE '%Zq7xK%'}), '0', 'and no fragment of its secret');

# The extended protocol: the first statement before the library is loaded, the second after.
my $script = $node->basedir . '/extended.sql';
PostgreSQL::Test::Utils::append_to_file($script,
    "CREATE TABLE app.extended_a (id int);\nCREATE TABLE app.extended_b (id int);\n");
$node->command_ok([ 'pgbench', '-n', '-t', '1', '-M', 'extended', '-f', $script,
                    '-d', $node->connstr('fresh') ], 'pgbench runs DDL over the extended protocol');
is(statement_of('app.extended_a'), 'CREATE TABLE app.extended_a (id int)',
   'extended protocol, first statement: its own text');
is(statement_of('app.extended_b'), 'CREATE TABLE app.extended_b (id int)',
   'extended protocol, with the hook loaded: its own text');

# The guard, set for the database, in fresh sessions.
$node->safe_psql('fresh', 'CREATE INDEX t_valid ON app.t (id);');
$node->safe_psql('fresh', q{ALTER DATABASE fresh SET migrations_schema.ddl_guard = 'error'});
my ($rc, $out, $err) = $node->psql('fresh', 'CREATE INDEX CONCURRENTLY t_cic ON app.t (id);');
isnt($rc, 0, "a fresh session's CREATE INDEX CONCURRENTLY is refused");
like($err, qr/CREATE INDEX outside migrations \(index app\.t_cic\) is refused/, 'by the guard');
is($node->safe_psql('fresh', q{SELECT count(*) FROM pg_catalog.pg_class
                               WHERE relname = 't_cic'}), '0', 'and left no INVALID index');
($rc, $out, $err) = $node->psql('fresh', 'DROP INDEX CONCURRENTLY app.t_valid;');
isnt($rc, 0, "a fresh session's DROP INDEX CONCURRENTLY is refused");
is($node->safe_psql('fresh', q{SELECT indisvalid FROM pg_catalog.pg_index
                               WHERE indexrelid = 'app.t_valid'::pg_catalog.regclass}), 't',
   'and left the index valid');

$node->stop;
done_testing();
