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
    -- drift: an index by hand, logged by the event trigger
    CREATE INDEX accounts_email_by_hand ON accounts (email);
});
is($node->safe_psql('source', 'SELECT count(*) FROM migrations_schema.drift_log'), '1',
    'the source logged its drift');

my $status_query = 'SELECT * FROM migrate_status() ORDER BY project, version';
my $before = $node->safe_psql('source', $status_query);
like($before, qr/default\|003\|index_orders_by_account\|applied/, 'source has applied state');

my $dump = $node->basedir . '/source.dump';
command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('source') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
{
    # pg_restore names itself in application_name unless PGAPPNAME (set by the test
    # framework) says otherwise; the event triggers recognise a restore by that name.
    local $ENV{PGAPPNAME};
    delete $ENV{PGAPPNAME};
    command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
        'pg_restore into a fresh database');
}

is($node->safe_psql('restored', $status_query), $before,
    'migrate_status() is identical after restore, timestamps and checksums included');
is($node->safe_psql('restored', 'SELECT count(*) FROM accounts'), '1', 'user data restored');
my $history_query = 'SELECT * FROM migrate_history() ORDER BY id';
is($node->safe_psql('restored', $history_query), $node->safe_psql('source', $history_query),
    'history is identical after restore');

# The schema is the same object for object, though every OID and the creation order
# differ; the snapshot came along, so the restored database knows the same drift (the hand
# made index), and the restore itself is not drift.
is($node->safe_psql('restored', 'SELECT migrate_schema_hash()'),
    $node->safe_psql('source', 'SELECT migrate_schema_hash()'),
    'schema hash is identical after restore');
my $drift_query = q{SELECT source, change, object FROM migrate_drift() WHERE source = 'schema'};
is($node->safe_psql('restored', $drift_query), $node->safe_psql('source', $drift_query),
    'the restored database reports the same schema drift');
like($node->safe_psql('restored', $drift_query), qr/^schema\|added\|public\.accounts_email_by_hand$/,
    'which is the index made by hand');
is($node->safe_psql('restored', 'SELECT count(*) FROM migrations_schema.drift_log'), '0',
    'pg_restore recreating the schema is not logged as drift');

# The restored database continues from where the source stood; history ids carry on.
is($node->safe_psql('restored', 'SELECT version FROM migrate_apply()'), '004',
    'only the pending migration is applied after restore');
like($node->safe_psql('restored', q{SELECT detail FROM migrate_history() WHERE action = 'drift'}),
    qr/added index public\.accounts_email_by_hand/,
    'the apply kept the drift it took into its snapshot in history');
is($node->safe_psql('restored',
        q{SELECT string_agg(version, ',' ORDER BY version) FROM migrate_rollback(steps => 2)}),
    '003,004', 'rollback works on restored state');
is($node->safe_psql('restored', q{
        SELECT count(*) = count(DISTINCT id) AND min(id) = 1 FROM migrate_history()}),
    't', 'history ids continue after restore');

$node->stop;
done_testing();
