# Migrations applied in parts. A migration whose statements commit more than once (ordinary
# statements, CREATE INDEX CONCURRENTLY, a batch DO block that commits, more ordinary
# statements) records each part as it commits. Generated: the migration is made to fail in
# each of its parts in turn (a gate the test opens and closes), and interrupted in the
# transaction of each part's record; every time, migrate_status shows it partial with the
# parts that committed, the next CALL migrate_run() resumes at the part that failed, every
# part's effect happens once, and the schema ends equal to an uninterrupted run's. Then: a
# changed script is refused unless the committed statements are unchanged; a rollback past a
# partly applied migration is refused and undoing it alone runs its down script; it cannot be
# unregistered; CALL migrate_run(out_of_order => true) and pg_migrate run --out-of-order apply
# an out-of-order migration with CONCURRENTLY, refused without, like migrate_apply.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(usleep time);

my $node = PostgreSQL::Test::Cluster->new('parts');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON FUNCTION migrate_register(text, text, text, text, text, text) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    GRANT EXECUTE ON PROCEDURE migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_status(text) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_unregister(text, text) TO deployer;
    GRANT EXECUTE ON FUNCTION migrate_apply(text, boolean, text, boolean) TO deployer;
    GRANT CREATE ON SCHEMA public TO deployer;
    -- Each part logs what it did; gate(project, part) fails while the test holds it closed.
    CREATE TABLE part_log (project text, part int);
    CREATE TABLE closed (project text, part int);
    GRANT SELECT, INSERT ON part_log TO deployer;
    GRANT SELECT ON closed TO deployer;
    CREATE FUNCTION gate(p text, n int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
        IF EXISTS (SELECT FROM public.closed c WHERE c.project = p AND c.part = n) THEN
            RAISE EXCEPTION 'part % of % is closed', n, p;
        END IF;
        RETURN n;
    END $$;
});

sub sql { return $node->safe_psql('postgres', $_[0]); }

# The parts: statement lists, each part either one transaction or one top-level statement.
# Every part passes its gate first; the CONCURRENTLY builds pass it in their index
# expression (a failed build leaves an INVALID index, which the runner drops).
sub script {
    my ($p) = @_;
    return join("\n",
        # part 1: a transaction
        "SELECT public.gate('$p', 1);",
        "CREATE TABLE ${p}_t AS SELECT g AS id FROM generate_series(1, 200) g;",
        "INSERT INTO part_log VALUES ('$p', 1);",
        # part 2: CREATE INDEX CONCURRENTLY
        "CREATE INDEX CONCURRENTLY ${p}_a ON ${p}_t ((public.gate('$p', 2) + id));",
        # part 3: a transaction
        "SELECT public.gate('$p', 3);",
        "ALTER TABLE ${p}_t ADD COLUMN b int;",
        "INSERT INTO part_log VALUES ('$p', 3);",
        # part 4: a batch DO block that commits
        "DO \$\$ BEGIN PERFORM public.gate('$p', 4);",
        "  UPDATE ${p}_t SET b = id WHERE id <= 100; COMMIT;",
        "  UPDATE ${p}_t SET b = id WHERE b IS NULL; COMMIT;",
        "  INSERT INTO part_log VALUES ('$p', 4); END \$\$;",
        # part 5: CREATE INDEX CONCURRENTLY
        "CREATE INDEX CONCURRENTLY ${p}_b ON ${p}_t ((public.gate('$p', 5) + b));",
        # part 6: a transaction
        "SELECT public.gate('$p', 6);",
        "INSERT INTO part_log VALUES ('$p', 6);",
        "");
}
my @parts = (1 .. 6);
my %first_statement = (1 => 1, 2 => 4, 3 => 5, 4 => 8, 5 => 9, 6 => 10);
my $statements = 11;

sub register {
    my ($p, $text) = @_;
    sql(qq{SET ROLE deployer;
        SELECT migrate_register('1', 'table', 'CREATE TABLE ${p}_base (id int);', 'DROP TABLE ${p}_base;', '$p');
        SELECT migrate_register('2', 'parts', \$s\$} . ($text // script($p)) . qq{\$s\$,
            \$s\$DROP TABLE IF EXISTS ${p}_t;\$s\$, '$p');});
}

sub run_as_deployer {
    my ($p, @settings) = @_;
    my $set = join('', map { "SET $_; " } @settings);
    return $node->psql('postgres', "$set SET ROLE deployer;\n\\set VERBOSITY verbose\nCALL migrate_run(project => '$p')");
}

sub status_of {
    my ($p, $v) = @_;
    return sql(qq{SELECT state || coalesce(': ' || progress, '') FROM migrate_status('$p') WHERE version = '$v'});
}

# Each part's log entries: exactly one per part that logs.
sub log_of {
    my ($p) = @_;
    return sql(qq{SELECT coalesce(string_agg(part::text || 'x' || n, ' ' ORDER BY part), '') FROM (
        SELECT part, count(*) AS n FROM part_log WHERE project = '$p' GROUP BY part) l});
}

# The schema an uninterrupted run leaves, with the project's name taken out.
sub shape {
    my ($p) = @_;
    return sql(qq{SELECT string_agg(replace(c.relname, '$p', 'P') || ':' || c.relkind::text || ':' ||
            coalesce((SELECT indisvalid::text FROM pg_index WHERE indexrelid = c.oid), '-') || ':' ||
            coalesce(pg_get_indexdef(c.oid), '') || ':' ||
            (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
            ' ' ORDER BY c.relname)
        FROM pg_class c WHERE c.relname LIKE '${p}\\_%' AND c.relnamespace = 'public'::regnamespace})
        . ' b=' . sql(qq{SELECT count(*) FILTER (WHERE b = id) || '/' || count(*) FROM ${p}_t});
}

# --- The uninterrupted run: what every resumed one must end as ------------------------------
register('clean');
my ($ret, $out, $err) = run_as_deployer('clean');
is($ret, 0, 'an uninterrupted run applies the migration in parts') or diag $err;
is(status_of('clean', '2'), 'applied', 'applied');
is(log_of('clean'), '1x1 3x1 4x1 6x1', 'each part ran once');
is(sql(q{SELECT count(*) FROM migrations_schema.progress}), '0', 'no progress is left');
(my $clean = shape('clean')) =~ s/clean/P/g;

# --- Every part fails in turn; the next run resumes there ----------------------------------
for my $k (@parts) {
    my $p = "f$k";
    register($p);
    sql(qq{INSERT INTO closed VALUES ('$p', $k)});
    ($ret, $out, $err) = run_as_deployer($p);
    isnt($ret, 0, "part $k fails");
    like($err, qr/part $k of $p is closed/, "part $k: the error is the part's own") or diag $err;
    my $committed = $k - 1;
    if ($k == 1) {
        is(status_of($p, '2'), 'failed', 'part 1: nothing committed, the migration is failed');
    } else {
        my $through = $first_statement{$k} - 1;
        my $range = $through == 1 ? 'statement 1' : "statements 1 to $through";
        is(status_of($p, '2'), "partial: $committed of 6 parts committed ($range of $statements)",
            "part $k: migrate_status shows it partial, with the parts that committed");
        like($err, qr/migration 2 \(parts\) is partly applied: $committed of 6 parts committed; the next CALL migrate_run\(\) resumes at statement $first_statement{$k}/,
            "part $k: the run says where the next one resumes");
    }
    is(sql(qq{SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE c.relname LIKE '${p}\\_%' AND NOT i.indisvalid}), '0',
        "part $k: no INVALID index is left behind");
    sql(qq{DELETE FROM closed WHERE project = '$p'});
    ($ret, $out, $err) = run_as_deployer($p);
    is($ret, 0, "part $k: the next run succeeds") or diag $err;
    if ($k > 1) {
        like($err, qr/resuming migration 2 \(parts\) at statement $first_statement{$k}: $committed of 6 parts committed/,
            "part $k: it resumed at the part that failed");
    }
    is(status_of($p, '2'), 'applied', "part $k: applied");
    is(log_of($p), '1x1 3x1 4x1 6x1', "part $k: every part ran once");
    (my $shape = shape($p)) =~ s/$p/P/g;
    is($shape, $clean, "part $k: the schema equals an uninterrupted run's");
    is(sql(qq{SELECT count(*) FROM migrations_schema.progress WHERE project = '$p'}), '0',
        "part $k: the progress went with the record");
}

# --- Interrupted in each part's record (before the part commits) ----------------------------
# Terminated while the record of part N waits: the part's transaction dies with it, and the
# resumed run does it again, once. (The transactional parts: a top-level part has committed
# in the worker before its record, and is run again after an interruption there, as
# docs/operations.md says.)
# (The counts of a pause restart at every entry point, the event triggers' included, so
# only the first record is reached by count.)
for my $n (1) {
    my $p = "k$n";
    register($p);
    my ($o, $e) = ('', '');
    my $h = IPC::Run::start(['psql', '-X', '-d', $node->connstr('postgres'), '-v', 'ON_ERROR_STOP=1',
            '-c', "SET migrations_schema.fault_injection = 'pause:record_progress:$n'",
            '-c', 'SET ROLE deployer', '-c', "CALL migrate_run(project => '$p')"],
        '<', \undef, '>', \$o, '2>', \$e);
    ok($node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
            WHERE query = 'migrations_schema fault pause at record_progress'}),
        "record $n: the runner waits in the record of a part");
    my $parts_before = sql(qq{SELECT coalesce(max(parts), 0) FROM migrations_schema.progress WHERE project = '$p'});
    is($parts_before, $n - 1, "record $n: the parts before it are recorded");
    sql(q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE query = 'migrations_schema fault pause at record_progress'});
    $h->finish;
    ($ret, $out, $err) = run_as_deployer($p, 'migrations_schema.lock_wait_timeout = \'10s\'');
    is($ret, 0, "record $n: the next run succeeds") or diag $err;
    is(log_of($p), '1x1 3x1 4x1 6x1', "record $n: every part ran once");
    (my $shape = shape($p)) =~ s/$p/P/g;
    is($shape, $clean, "record $n: the schema equals an uninterrupted run's");
}

# --- A changed script ------------------------------------------------------------------------
register('chg');
sql(q{INSERT INTO closed VALUES ('chg', 3)});
run_as_deployer('chg');
is(status_of('chg', '2'), 'partial: 2 of 6 parts committed (statements 1 to 4 of 11)', 'partial at part 3');
sql(q{DELETE FROM closed WHERE project = 'chg'});
# A committed statement changed: refused, saying what was committed and what was not.
(my $changed = script('chg')) =~ s/generate_series\(1, 200\)/generate_series(1, 300)/;
register('chg', $changed);
($ret, $out, $err) = run_as_deployer('chg');
like($err, qr/55000: migration 2 \(parts\) is partly applied, and its script no longer begins with the statements that were committed/,
    'a changed committed statement is refused (55000)') or diag $err;
like($err, qr/DETAIL:  Committed: 2 of 6 parts committed \(statements 1 to 4 of 11\), from the script with checksum [0-9a-f]{64}\. Not committed: statement 5 on\./,
    'naming what was committed and what was not');
like($err, qr/HINT:  Register the script with statements 1 to 4 exactly as they ran/, 'and what to do');
is(status_of('chg', '2'), 'partial: 2 of 6 parts committed (statements 1 to 4 of 11)', 'nothing changed');
is(log_of('chg'), '1x1', 'nothing ran again');
# Only what follows changed (comments and blank lines between the committed statements too):
# the run resumes.
(my $fixed = script('chg')) =~ s/INSERT INTO part_log VALUES \('chg', 6\);/INSERT INTO part_log VALUES ('chg', 6); -- fixed/;
$fixed =~ s/\n/\n\n-- a comment\n/;
register('chg', $fixed);
($ret, $out, $err) = run_as_deployer('chg');
is($ret, 0, 'a script changed after the committed statements resumes') or diag $err;
like($err, qr/its script changed after them, the committed statements did not/, 'saying so');
is(log_of('chg'), '1x1 3x1 4x1 6x1', 'every part ran once');
is(status_of('chg', '2'), 'applied', 'applied');

# --- Rollback and unregister of a partly applied migration ---------------------------------
register('rb');
sql(q{INSERT INTO closed VALUES ('rb', 5)});
run_as_deployer('rb');
is(status_of('rb', '2'), 'partial: 4 of 6 parts committed (statements 1 to 8 of 11)', 'partial at part 5');
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; \set VERBOSITY verbose
    CALL migrate_run_rollback(project => 'rb')});
like($err, qr/55000: migration 2 \(parts\) is partly applied.*DETAIL:  Committed: 4 of 6 parts committed.*HINT:  .*migrate_run_rollback\(version => '2'\)/s,
    'a rollback past it is refused, naming it') or diag $err;
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; SELECT * FROM migrate_rollback(everything => true, project => 'rb')});
like($err, qr/migration 2 \(parts\) is partly applied/, 'in the caller\'s transaction too');
is(sql(q{SELECT to_regclass('rb_base') IS NOT NULL}), 't', 'nothing was rolled back');
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; SELECT migrate_unregister('2', 'rb')});
like($err, qr/migration 2 \(parts\) is partly applied and cannot be unregistered/, 'it cannot be unregistered');
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; CALL migrate_run_rollback(version => '002', project => 'rb')});
is($ret, 0, 'undoing it alone runs its down script') or diag $err;
is(status_of('rb', '2'), 'pending', 'it is pending again, its failure forgotten');
is(sql(q{SELECT to_regclass('rb_t') IS NULL}), 't', 'what its parts made is gone');
is(sql(q{SELECT count(*) FROM migrations_schema.progress WHERE project = 'rb'}), '0', 'and its progress');
sql(q{DELETE FROM closed WHERE project = 'rb'; DELETE FROM part_log WHERE project = 'rb'});
($ret, $out, $err) = run_as_deployer('rb');
is($ret, 0, 'the next run applies it whole') or diag $err;
is(log_of('rb'), '1x1 3x1 4x1 6x1', 'from its first part');

# --- Out of order through the runner --------------------------------------------------------
sql(q{SET ROLE deployer;
    SELECT migrate_register('1', 'one', 'CREATE TABLE ooo_t (id int);', 'DROP TABLE ooo_t;', 'ooo');
    SELECT migrate_register('3', 'three', 'CREATE TABLE ooo_three (id int);', 'DROP TABLE ooo_three;', 'ooo');
    CALL migrate_run(project => 'ooo');
    SELECT migrate_register('2', 'index', 'ALTER TABLE ooo_t ADD COLUMN c int; CREATE INDEX CONCURRENTLY ooo_c ON ooo_t (c);',
        'DROP INDEX CONCURRENTLY ooo_c; ALTER TABLE ooo_t DROP COLUMN c;', 'ooo');});
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; \set VERBOSITY verbose
    CALL migrate_run(project => 'ooo')});
like($err, qr/55000: pending migration 2 \(index\) is ordered before applied migration 3 \(three\)/,
    'an out-of-order migration is refused by the runner as by migrate_apply');
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; \set VERBOSITY verbose
    SELECT * FROM migrate_apply(project => 'ooo', out_of_order => true)});
like($err, qr/CONCURRENTLY|top level|migrate_run/, 'migrate_apply cannot apply it (CONCURRENTLY)');
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer; CALL migrate_run(project => 'ooo', out_of_order => true)});
is($ret, 0, 'CALL migrate_run(out_of_order => true) applies it') or diag $err;
is(sql(q{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('ooo')}),
    '1=applied 2=applied 3=applied', 'all applied');
is(sql(q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'ooo_c'::regclass}), 't', 'the index is valid');

SKIP: {
    my $bin = $ENV{PG_MIGRATE_BIN};
    skip 'PG_MIGRATE_BIN is not set', 4 unless $bin && -x $bin;
    my $dir = tempdir(CLEANUP => 1);
    my $write = sub { open my $f, '>', "$dir/$_[0]" or die; print $f $_[1]; close $f; };
    $write->('001_one.sql', "CREATE TABLE cli_t (id int);\n");
    $write->('003_three.sql', "CREATE TABLE cli_three (id int);\n");
    local $ENV{PGHOST} = $node->host;
    local $ENV{PGPORT} = $node->port;
    local $ENV{PGDATABASE} = 'postgres';
    local $ENV{PGUSER} = 'deployer';
    my ($o, $e) = ('', '');
    IPC::Run::run([ $bin, 'run', $dir, '--project', 'cli' ], '<', \undef, '>', \$o, '2>', \$e);
    $write->('002_index.sql', "ALTER TABLE cli_t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY cli_c ON cli_t (c);\n");
    ($o, $e) = ('', '');
    ok(!IPC::Run::run([ $bin, 'run', $dir, '--project', 'cli' ], '<', \undef, '>', \$o, '2>', \$e),
        'pg_migrate run refuses the out-of-order migration');
    like("$o$e", qr/pending migration 002 \(index\) is ordered before applied migration 003 \(three\)/, 'naming both');
    ($o, $e) = ('', '');
    ok(IPC::Run::run([ $bin, 'run', $dir, '--project', 'cli', '--out-of-order' ], '<', \undef, '>', \$o, '2>', \$e),
        'pg_migrate run --out-of-order applies it') or diag "$o$e";
    is(sql(q{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('cli')}),
        '001=applied 002=applied 003=applied', 'all applied');
}

# --- An out-of-order undo checks what later migrations made on what it created --------------
sql(q{SET ROLE deployer;
    SELECT migrate_register('1', 'column', 'CREATE TABLE dep_t (id int, tags text[]);',
        'ALTER TABLE dep_t DROP COLUMN tags;', 'dep');
    SELECT migrate_register('2', 'gin', 'CREATE INDEX dep_tags_gin ON dep_t USING gin (tags);',
        'DROP INDEX dep_tags_gin;', 'dep');
    SELECT migrate_register('3', 'base', 'CREATE TABLE dep_base (id int);', 'DROP TABLE dep_base CASCADE;', 'dep');
    SELECT migrate_register('4', 'view', 'CREATE VIEW dep_v AS SELECT id FROM dep_base;', 'DROP VIEW dep_v;', 'dep');
    SELECT migrate_register('5', 'own', 'CREATE TABLE dep_own (id int, x int); CREATE INDEX dep_own_x ON dep_own (x);',
        'ALTER TABLE dep_own DROP COLUMN x;', 'dep');
    SELECT migrate_register('6', 'last', 'CREATE TABLE dep_last ();', 'DROP TABLE dep_last;', 'dep');
    CALL migrate_run(project => 'dep');});
my $dep_states = '1=applied 2=applied 3=applied 4=applied 5=applied 6=applied';
for my $call (q{CALL migrate_run_rollback(version => '1', out_of_order => true, project => 'dep')},
              q{SELECT * FROM migrate_rollback(version => '1', out_of_order => true, project => 'dep')}) {
    ($ret, $out, $err) = $node->psql('postgres', "SET ROLE deployer;\n\\set VERBOSITY verbose\n$call");
    like($err, qr/55000: undoing migration 1 \(column\) would also drop what later migrations made/,
        "undo of 1 out of order is refused: $call") or diag $err;
    like($err, qr/DETAIL:  Its down script would also drop: index public\.dep_tags_gin \(migration 2 \(gin\)\)/,
        'naming the index and the migration that made it');
    is(sql(q{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('dep')}),
        $dep_states, 'nothing was undone');
    is(sql(q{SELECT to_regclass('dep_tags_gin') IS NOT NULL AND EXISTS (
             SELECT FROM pg_attribute WHERE attrelid = 'dep_t'::regclass AND attname = 'tags')}),
        't', 'the column and the index are there');
}
# CASCADE in the down script: the view a later migration made on the table.
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer;
    CALL migrate_run_rollback(version => '3', out_of_order => true, project => 'dep')});
like($err, qr/would also drop: view public\.dep_v \(migration 4 \(view\)\)/,
    'a view dropped by CASCADE is named with its migration') or diag $err;
is(sql(q{SELECT to_regclass('dep_v') IS NOT NULL}), 't', 'the view is there');
# force => true goes ahead, naming in a WARNING what it also drops.
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer;
    SELECT count(*) FROM migrate_rollback(version => '3', out_of_order => true, force => true, project => 'dep')});
is($ret, 0, 'force => true undoes it anyway') or diag $err;
like($err, qr/WARNING:  undoing migration 3 \(base\) also drops what later migrations made \(force\)\n.*DETAIL:  Its down script also drops: view public\.dep_v \(migration 4 \(view\)\)/s,
    'naming in a WARNING what it also drops, and the migration that made it');
is(sql(q{SELECT to_regclass('dep_v') IS NULL AND to_regclass('dep_base') IS NULL}), 't',
    'the table and the view are gone');
# What the undone migration made itself goes with it (its index on the column it drops).
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer;
    CALL migrate_run_rollback(version => '5', out_of_order => true, project => 'dep')});
is($ret, 0, 'an undo that takes only what its own migration made goes ahead') or diag $err;
is(sql(q{SELECT to_regclass('dep_own_x') IS NULL}), 't', 'with its own index');
# Undone in order (the dependent first), both go.
($ret, $out, $err) = $node->psql('postgres', q{SET ROLE deployer;
    CALL migrate_run_rollback(version => '2', out_of_order => true, project => 'dep');
    CALL migrate_run_rollback(version => '1', out_of_order => true, project => 'dep')});
is($ret, 0, 'undoing the dependent first, then the migration, succeeds') or diag $err;
is(sql(q{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('dep')}),
    '1=pending 2=pending 3=pending 4=applied 5=pending 6=applied', 'both undone');

# pg_migrate undo --out-of-order refuses the same way, and goes ahead with --force.
SKIP: {
    my $bin = $ENV{PG_MIGRATE_BIN};
    skip 'PG_MIGRATE_BIN is not set', 5 unless $bin && -x $bin;
    sql(q{SET ROLE deployer;
        SELECT migrate_register('7', 'base2', 'CREATE TABLE dep_base2 (id int);', 'DROP TABLE dep_base2 CASCADE;', 'dep2');
        SELECT migrate_register('8', 'view2', 'CREATE VIEW dep_v2 AS SELECT id FROM dep_base2;', 'DROP VIEW dep_v2;', 'dep2');
        CALL migrate_run(project => 'dep2');});
    local $ENV{PGHOST} = $node->host;
    local $ENV{PGPORT} = $node->port;
    local $ENV{PGDATABASE} = 'postgres';
    my @undo = ($bin, 'undo', '7', '--out-of-order', '--yes', '--project', 'dep2');
    my ($o, $e) = ('', '');
    IPC::Run::run(\@undo, '<', \undef, '>', \$o, '2>', \$e);
    is($? >> 8, 1, 'pg_migrate undo --out-of-order is refused') or diag $e;
    like($e, qr/would also drop what later migrations made.*view public\.dep_v2 \(migration 8 \(view2\)\).*--force/s,
        'naming the view, its migration, and --force');
    ($o, $e) = ('', '');
    IPC::Run::run([@undo, '--force'], '<', \undef, '>', \$o, '2>', \$e);
    is($? >> 8, 0, 'pg_migrate undo --out-of-order --force undoes it') or diag $e;
    like($e, qr/WARNING:  undoing migration 7 \(base2\) also drops what later migrations made \(force\)/,
        'with the warning');
    is(sql(q{SELECT string_agg(version || '=' || state, ' ' ORDER BY version) FROM migrate_status('dep2')}),
        '7=pending 8=applied', 'only 7 undone');
}

done_testing();
