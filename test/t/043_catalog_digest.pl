# The catalog digest takes over the part of every run of catalog pages that did not change
# since an earlier digest read it (src/pg/schema/catalog_marker.cpp). Differential test
# against the server: a random sequence of what changes catalogs (DDL by hand, migrations
# through CALL migrate_run, rollbacks, accepted drift, transactions left open across other
# sessions' digests and then committed or rolled back, VACUUM FULL of a catalog, VACUUM,
# ANALYZE, temporary tables), and after every step migrate_drift() asked three ways: in one
# long-lived session (whose digests lend to each other), in a new session whose digest reads
# every page (migrations_schema.fault_injection = 'digest_reads_all'), and in a new session
# where no two digests compare equal, so that drift is found by comparing fingerprints
# ('no_catalog_digest', the oracle). All three must list the same drift. MS_DIGEST_SEED
# repeats a sequence; MS_DIGEST_STEPS sets its length.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seed = $ENV{MS_DIGEST_SEED} // time;
my $steps = $ENV{MS_DIGEST_STEPS} // 60;
srand($seed);
note "seed $seed";
# A sequence that fails outside a comparison is repeated with the same seed.
$SIG{__DIE__} = sub { diag "seed $seed (MS_DIGEST_SEED repeats the sequence)" unless $^S };

my $node = PostgreSQL::Test::Cluster->new('digest');
$node->init;
$node->start;
sub sql { return $node->safe_psql('postgres', $_[0]); }
sql(q{CREATE EXTENSION migrations_schema});
sql(q{SELECT migrate_register('1', 'base', 'CREATE TABLE base (id int PRIMARY KEY, v text);', 'DROP TABLE base;')});
sql(q{SET client_min_messages = warning; CALL migrate_run()});

my $drift = q{SELECT string_agg(change || ' ' || object_type || ' ' || object, '; '
    ORDER BY change, object_type, object) FROM migrate_drift() WHERE source = 'schema'};
my $long = $node->background_psql('postgres');
$long->query_safe('SET client_min_messages = error');
my $open;     # a session holding a transaction open across the others' digests
my $version = 1;
my $n = 0;

my @actions = (
    [ 'a table by hand', sub { sql("CREATE TABLE hand_$n (id int)") } ],
    [ 'a column by hand', sub { sql("ALTER TABLE base ADD COLUMN c_$n int") } ],
    [ 'a comment by hand', sub { sql("COMMENT ON TABLE base IS 'note $n'") } ],
    [ 'an index by hand', sub { sql("CREATE INDEX hand_idx_$n ON base (v)") } ],
    [ 'a grant by hand', sub { sql("GRANT SELECT ON base TO PUBLIC") } ],
    [ 'a revoke by hand', sub { sql("REVOKE SELECT ON base FROM PUBLIC") } ],
    [ 'a view by hand, dropped again', sub {
        sql("CREATE VIEW hand_view_$n AS SELECT id FROM base; DROP VIEW hand_view_$n") } ],
    [ 'a migration from the long session', sub {
        $version++;
        sql("SELECT migrate_register('$version', 'm$version', 'CREATE TABLE mig_$version (id int);', 'DROP TABLE mig_$version;')");
        $long->query_safe('CALL migrate_run()') } ],
    [ 'a migration from a new session', sub {
        $version++;
        sql("SELECT migrate_register('$version', 'm$version', 'ALTER TABLE base ADD COLUMN m_$version int;', 'ALTER TABLE base DROP COLUMN m_$version;')");
        sql('SET client_min_messages = warning; CALL migrate_run()') } ],
    [ 'a rollback', sub {
        sql('SET client_min_messages = warning; SELECT count(*) FROM migrate_rollback(steps => 1)')
          if sql(q{SELECT count(*) FROM migrate_status() WHERE state = 'applied'}) > 1 } ],
    [ 'the drift accepted', sub {
        my $objects = sql(q{SELECT string_agg(quote_literal(object_type || ' ' || object), ',')
            FROM migrate_drift() WHERE source = 'schema'});
        sql("SELECT count(*) FROM migrate_accept_drift(ARRAY[$objects])") if $objects ne '' } ],
    [ 'a transaction left open', sub {
        return if $open;
        $open = $node->background_psql('postgres');
        # New objects only: a lock on one the checks read would hold them up.
        $open->query_safe("BEGIN; CREATE TABLE open_$n (id int); CREATE INDEX ON open_$n (id); "
            . "COMMENT ON TABLE open_$n IS 'open'") } ],
    [ 'the open transaction committed', sub {
        return unless $open;
        $open->query_safe('COMMIT'); $open->quit; undef $open } ],
    [ 'the open transaction rolled back', sub {
        return unless $open;
        $open->query_safe('ROLLBACK'); $open->quit; undef $open } ],
    # Not while a transaction is open: it holds the catalog's rows, and VACUUM FULL waits.
    [ 'VACUUM FULL pg_attribute', sub { sql('VACUUM FULL pg_catalog.pg_attribute') unless $open } ],
    [ 'VACUUM of the catalogs', sub { sql('VACUUM pg_catalog.pg_class; VACUUM pg_catalog.pg_attribute; VACUUM pg_catalog.pg_depend') } ],
    [ 'ANALYZE', sub { sql('ANALYZE') } ],
    [ 'a temporary table', sub { sql("CREATE TEMP TABLE tmp_$n (id int); DROP TABLE tmp_$n") } ],
    [ 'many tables by hand, dropped again', sub {
        sql(join '', map { "CREATE TABLE bulk_${n}_$_ (id int, v text);" } 1 .. 60);
        sql(join '', map { "DROP TABLE bulk_${n}_$_;" } 1 .. 60) } ],
);

# First, in this order, the case the digest must get right without any page changing: rows
# of a transaction still open when a digest read them, which commits afterwards (the run's
# digest, then the check's, take over the pages whose LSN did not move).
my %by_name = map { $_->[0] => $_ } @actions;
my @fixed = map { $by_name{$_} // die $_ } ('a transaction left open', 'a migration from the long session',
    'the open transaction committed', 'a migration from the long session', 'a transaction left open',
    'a migration from a new session', 'the open transaction rolled back');
for my $step (1 .. $steps) {
    $n = $step;
    my ($name, $action) = @{ $step <= @fixed ? $fixed[ $step - 1 ] : $actions[ int(rand(@actions)) ] };
    $action->();
    my $lending = $long->query_safe($drift);
    my $reading = sql(qq{SET migrations_schema.fault_injection = 'digest_reads_all'; $drift});
    my $oracle = sql(qq{SET migrations_schema.fault_injection = 'no_catalog_digest'; $drift});
    is($lending, $oracle, "step $step, after $name: the long session's drift is the fingerprints'")
      or diag "seed $seed";
    is($reading, $oracle, "step $step: a digest that reads every page agrees");
}
if ($open) { $open->query_safe('ROLLBACK'); $open->quit; }
$long->quit;

# What the documentation says each digest reads (its DEBUG1 line): after a run of one
# migration, only the runs of pages the run wrote; in a check with nothing changed since,
# none.
# (migrate_accept_drift refuses an empty list: the sequence may have left no drift.)
$by_name{'the drift accepted'}[1]->();
$version++;
sql("SELECT migrate_register('$version', 'last', 'ALTER TABLE base ADD COLUMN last_one int;', 'ALTER TABLE base DROP COLUMN last_one;')");
my ($ret, $out, $err) = $node->psql('postgres', 'SET client_min_messages = debug1; CALL migrate_run()');
my @digests = $err =~ /catalog digest: (\d+) of (\d+) runs of pages taken over, (\d+) read/g;
is(scalar(@digests), 6, 'a run takes two digests, before and after its migration') or diag $err;
my ($before_lent, $before_all, $before_read, $after_lent, $after_all, $after_read) = @digests;
is($before_read, 0, "the check before the run reads no page ($before_all runs of pages taken over)");
ok($after_read > 0 && $after_read <= 10,
   "the digest after it reads only what the run wrote ($after_read of $after_all runs of pages)");
($ret, $out, $err) = $node->psql('postgres', "SET client_min_messages = debug1; $drift");
like($err, qr/catalog digest: (\d+) of \1 runs of pages taken over, 0 read/,
     'a drift check in a new session with nothing changed reads no page');
done_testing();
