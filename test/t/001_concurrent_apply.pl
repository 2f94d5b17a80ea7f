# Two or more sessions applying the same migrations at once: one runs, the others wait for
# it and find nothing left; no migration ever runs twice.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('concurrent');
$node->init;
$node->start;

# Every up script logs its own run, so a second run of any of them would show.
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE TABLE run_log (project text, version int);
    SELECT migrate_register(v::text, 'step ' || v,
        format('CREATE TABLE t_%s_%s (id int); INSERT INTO run_log VALUES (%L, %s);',
               p, v, p, v),
        NULL, p)
    FROM generate_series(1, 30) AS v, unnest(ARRAY['default', 'race']) AS p;
});

# 1. The second caller waits on the first one's project lock, then finds nothing to do.
my $first = $node->background_psql('postgres');
my $second = $node->background_psql('postgres');
$first->query_safe('BEGIN');
is($first->query_safe('SELECT count(*) FROM migrate_apply()'), '30',
    'first session applies all 30 in its open transaction');
$second->query_until(qr/started/, "\\echo started\nSELECT count(*) FROM migrate_apply();\n");
ok($node->poll_query_until('postgres', q{
        SELECT count(*) > 0 FROM pg_stat_activity
        WHERE query LIKE '%migrate_apply()%' AND wait_event_type = 'Lock'}),
    'second session waits on the lock of the project');
is($node->safe_psql('postgres', 'SELECT count(*) FROM run_log'), '0',
    'nothing is visible before the first session commits');
$first->query_safe('COMMIT');
is($second->query_safe("SELECT 'done'"), "0\ndone",
    'second session then finds nothing left to apply');
is($node->safe_psql('postgres',
        q{SELECT count(*), count(DISTINCT version) FROM run_log WHERE project = 'default'}),
    '30|30', 'each migration ran exactly once');

# 1b. Under REPEATABLE READ waiting cannot help (the snapshot predates the other session's
# commit): the second caller fails at once with a serialization failure.
$first->query_safe('BEGIN');
$first->query_safe("SELECT migrate_register('31', 'step 31', 'SELECT 1')");
my $repeatable = $node->background_psql('postgres', on_error_stop => 0);
my ($out, $failed) = $repeatable->query(
    "BEGIN ISOLATION LEVEL REPEATABLE READ;\n\\set VERBOSITY verbose\nSELECT count(*) FROM migrate_apply();");
ok($failed, 'repeatable read caller fails instead of waiting');
like($repeatable->{stderr}, qr/40001: another session is migrating project "default"/,
    'with a serialization failure naming the project');
$repeatable->quit;
$first->query_safe('ROLLBACK');

# 2. A race: four sessions start at once; their counts add up to 30 and nothing runs twice.
my @sessions = map { $node->background_psql('postgres') } 1 .. 4;
for my $s (@sessions) {
    $s->query_until(qr/go/,
        "\\echo go\nSELECT count(*) FROM migrate_apply(project => 'race');\n");
}
my $total = 0;
for my $s (@sessions) {
    my $out = $s->query_safe("SELECT 'end'");
    like($out, qr/^\d+\nend$/, 'racing session finished cleanly');
    ($total += $1) if $out =~ /^(\d+)/;
    $s->quit;
}
is($total, 30, 'racing sessions applied 30 migrations between them');
is($node->safe_psql('postgres',
        q{SELECT count(*), count(DISTINCT version) FROM run_log WHERE project = 'race'}),
    '30|30', 'each raced migration ran exactly once');
is($node->safe_psql('postgres',
        q{SELECT count(*) FROM migrate_status('race') WHERE state = 'applied'}),
    '30', 'status agrees');

$first->quit;
$second->quit;
$node->stop;
done_testing();
