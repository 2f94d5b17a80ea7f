# pg_dump keeps the migration state: restored into a fresh database, migrate_status() is
# identical, and the runner carries on where the original left off.
use strict;
use warnings;
use Cwd qw(abs_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

my $examples = abs_path('examples');
$node->safe_psql('postgres', qq{
    CREATE DATABASE source;
});
$node->safe_psql('source', qq{
    CREATE EXTENSION migrations_schema;
    SELECT migrate_load_dir('$examples');
    SELECT count(*) FROM migrate_apply(target => '003');
    SELECT migrate_register('1', 'billing', 'CREATE TABLE invoices (id int);',
                            'DROP TABLE invoices;', 'billing');
    SELECT count(*) FROM migrate_apply(project => 'billing');
    INSERT INTO accounts (email) VALUES ('a\@example.com');
});

my $status_query = 'SELECT * FROM migrate_status() ORDER BY project, version';
my $before = $node->safe_psql('source', $status_query);
like($before, qr/default\|003\|index_orders_by_account\|applied/, 'source has applied state');

my $dump = $node->basedir . '/source.dump';
command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
    'pg_restore into a fresh database');

is($node->safe_psql('restored', $status_query), $before,
    'migrate_status() is identical after restore, timestamps and checksums included');
is($node->safe_psql('restored', 'SELECT count(*) FROM accounts'), '1', 'user data restored');
my $history_query = 'SELECT * FROM migrate_history() ORDER BY id';
is($node->safe_psql('restored', $history_query), $node->safe_psql('source', $history_query),
    'history is identical after restore');

# The restored database continues from where the source stood; history ids carry on.
is($node->safe_psql('restored', 'SELECT version FROM migrate_apply()'), '004',
    'only the pending migration is applied after restore');
is($node->safe_psql('restored',
        q{SELECT string_agg(version, ',' ORDER BY version) FROM migrate_rollback(steps => 2)}),
    '003,004', 'rollback works on restored state');
is($node->safe_psql('restored', q{
        SELECT count(*) = count(DISTINCT id) AND min(id) = 1 FROM migrate_history()}),
    't', 'history ids continue after restore');

$node->stop;
done_testing();
