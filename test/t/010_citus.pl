# A Citus cluster (a coordinator and two workers) migrated from its coordinator: a folder
# with distributed and reference tables, a CONCURRENTLY index and an ADD COLUMN through
# CALL migrate_run(); no drift on any node; ddl_guard = error on the workers without
# breaking Citus's propagation; the fingerprint and distribution; migrate_test and
# create_distributed_table_concurrently; the runner refused on a worker; rolling everything
# back; pg_migrate against the coordinator; drift in the distribution; lint on Citus tables.
# Citus is built from ../shared/vendor/citus-12.1.12.tar.gz by scripts/citus.sh (which
# scripts/test runs); without it installed in the server under test, the test skips.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
# The vendored Citus 12.1.12 supports PostgreSQL 15 only (of the versions tested here): on
# another server there is no Citus to test against.
my ($major) = `pg_config --version` =~ /PostgreSQL (\d+)/;
plan skip_all => "the vendored Citus 12.1.12 supports PostgreSQL 15 only; this server is $major"
  unless $major == 15;
plan skip_all => "Citus is not installed in $sharedir/extension (scripts/test builds and "
  . 'installs it with scripts/citus.sh from ../shared/vendor/citus-12.1.12.tar.gz, when that '
  . 'vendored source is there)'
  unless -f "$sharedir/extension/citus.control";
my $bin = $ENV{PG_MIGRATE_BIN};

my @nodes;
for my $name ('coordinator', 'worker1', 'worker2') {
    my $node = PostgreSQL::Test::Cluster->new($name);
    $node->init;
    # Citus runs multi-node DDL as two-phase commits and create_distributed_table_concurrently
    # through logical replication; four shards keep the test small.
    $node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus'
max_prepared_transactions = 20
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_worker_processes = 24
citus.shard_count = 4
});
    # Citus connects to its own node by this name (create_distributed_table_concurrently's
    # replication): the test clusters listen on a unix socket only.
    $node->append_conf('postgresql.conf', "citus.local_hostname = '" . $node->host . "'\n");
    $node->start;
    # Newer minor releases name the libraries that may serve as logical decoding output
    # plugins; Citus's shard moves and create_distributed_table_concurrently decode through
    # its own.
    if ($node->safe_psql('postgres',
            q{SELECT count(*) FROM pg_settings WHERE name = 'output_plugin_libraries'}) == 1) {
        $node->safe_psql('postgres', q{ALTER SYSTEM SET output_plugin_libraries =
            'pgoutput', 'test_decoding', 'citus'});
        $node->reload;
    }
    $node->safe_psql('postgres', 'CREATE EXTENSION citus');
    push @nodes, $node;
}
my ($coordinator, @workers) = @nodes;

sub on { my ($node, $sql) = @_; return $node->safe_psql('postgres', $sql); }
# Citus hides shards from clients' catalog queries; these look for them.
sub shards_shown { return "SET citus.override_table_visibility = off; $_[0]"; }
sub coordinator { return on($coordinator, $_[0]); }

coordinator(sprintf q{SELECT citus_set_coordinator_host('%s', %d)}, $coordinator->host,
    $coordinator->port);
coordinator(sprintf q{SELECT citus_add_node('%s', %d)}, $_->host, $_->port) for @workers;
is(coordinator('SELECT count(*) FROM citus_get_active_worker_nodes()'), 2,
    'the coordinator has two workers');

# Propagated to the workers by Citus.
coordinator('CREATE EXTENSION migrations_schema');
for my $w (@workers) {
    is(on($w, q{SELECT extversion IS NOT NULL FROM pg_extension WHERE extname = 'migrations_schema'}),
        't', $w->name . ' has the extension, propagated from the coordinator');
}
# Workers refuse DDL outside migrations: Citus's own must still pass.
for my $w (@workers) {
    $w->append_conf('postgresql.conf', "migrations_schema.ddl_guard = error\n");
    $w->reload;
}

# --- a folder of migrations, applied from the coordinator ---------------------------------
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/rollback";
my %files = (
    '1_tables.sql' => q{
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE events (account_id bigint NOT NULL, id bigint NOT NULL, payload text,
                     PRIMARY KEY (account_id, id));
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
SELECT create_distributed_table('accounts', 'id');
SELECT create_distributed_table('events', 'account_id', colocate_with => 'accounts');
SELECT create_reference_table('countries');
},
    'rollback/1_tables.sql' => 'DROP TABLE events, accounts, countries;',
    '2_index.sql' => 'CREATE INDEX CONCURRENTLY events_payload_idx ON events (payload);',
    'rollback/2_index.sql' => 'DROP INDEX CONCURRENTLY events_payload_idx;',
    '3_column.sql' => 'ALTER TABLE accounts ADD COLUMN country text;',
    'rollback/3_column.sql' => 'ALTER TABLE accounts DROP COLUMN country;',
);
sub add_files {
    my %add = @_;
    for my $f (sort keys %add) {
        open my $fh, '>', "$dir/$f" or die "$dir/$f: $!";
        print $fh $add{$f};
        close $fh;
        chmod 0644, "$dir/$f";
    }
}
add_files(%files);
chmod 0755, $dir, "$dir/rollback";
coordinator("SELECT count(*) FROM migrate_load_dir('$dir')");

# Citus rolls back distributed DDL in subtransactions, on the workers too: migrate_test's
# round trips work, and leave nothing behind.
is(coordinator(q{SELECT string_agg(version || ':' || reversible || ':' || COALESCE(detail, ''), ','
                 ORDER BY version) FROM migrate_test()}),
    '1:true:,2:true:,3:true:', 'migrate_test: every migration reversible');
is(coordinator('SELECT count(*) FROM citus_tables'), 0, 'the round trips left no Citus table');
for my $w (@workers) {
    is(on($w, shards_shown(q{SELECT count(*) FROM pg_class WHERE relname ~ '^(accounts|events|countries)'})),
        0, $w->name . ': nor any shard');
}

my ($rc, $out, $err) = $coordinator->psql('postgres', 'CALL migrate_run()');
is($rc, 0, 'CALL migrate_run() on the coordinator applies the folder') or diag $err;

sub states {
    my ($node) = @_;
    return on($node // $coordinator,
        q{SELECT string_agg(version || '=' || state, ',' ORDER BY version) FROM migrate_status()});
}
is(states(), '1=applied,2=applied,3=applied', 'status on the coordinator: all applied');
is(coordinator(q{SELECT string_agg(table_name::text || ':' || citus_table_type || ':' || shard_count,
                 ',' ORDER BY table_name::text) FROM citus_tables}),
    'accounts:distributed:4,countries:reference:1,events:distributed:4',
    'the tables are distributed and replicated as the migration said');
for my $w (@workers) {
    is(on($w, shards_shown(q{SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'events_payload_idx_%'})), 2,
        $w->name . ' has the CONCURRENTLY index on its two shards of events');
    is(on($w, shards_shown(q{SELECT count(*) FROM information_schema.columns
                WHERE table_name LIKE 'accounts_%' AND column_name = 'country'})), 2,
        $w->name . ' has the new column on its shards of accounts');
}

sub drift_rows {
    my ($node) = @_;
    return on($node, q{SELECT count(*) || ':' || COALESCE(string_agg(DISTINCT object_identity, ' '), '')
                        FROM migrations_schema.drift_log});
}
is(drift_rows($_), '0:', $_->name . ': the drift log is empty') for @nodes;


# --- ddl_guard on the workers --------------------------------------------------------------
# What a user types on a worker is refused, also under a name like Citus's run_command one.
for my $app ('psql', 'citus_run_command gpid=10000000001') {
    ($rc, $out, $err) = $workers[0]->psql('postgres',
        "SET application_name = '$app'; CREATE TABLE rogue (x int)");
    like($err, qr/CREATE TABLE outside migrations .* is refused by migrations_schema.ddl_guard/,
        "ddl_guard = error refuses a user's DDL on a worker (application_name $app)");
}
# Anyone may take Citus's internal name and pass the guard and the drift log with it, as
# Citus itself believes it; the fingerprint still shows what such a connection changed.
($rc, $out, $err) = $coordinator->psql('postgres',
    "SET migrations_schema.ddl_guard = error; SET application_name = 'citus_internal gpid=10000000001';
     CREATE TABLE rogue_named (x int)");
is($rc, 0, 'a connection named like Citus\'s internal ones passes the guard') or diag $err;
is(coordinator(q{SELECT string_agg(change || ' ' || object_type || ' ' || object, ', ')
                 FROM migrate_drift() WHERE source = 'schema'}),
    'added column public.rogue_named.x, added table public.rogue_named',
    'but the fingerprint shows its table as drift');
coordinator('DROP TABLE rogue_named; TRUNCATE migrations_schema.drift_log');
# A shard is Citus's, whoever changes it: never drift, never refused.
my $shard = on($workers[0], shards_shown(q{SELECT relname FROM pg_class
    WHERE relname ~ '^accounts_[0-9]+$' ORDER BY relname LIMIT 1}));
($rc, $out, $err) = $workers[0]->psql('postgres', "CREATE INDEX shard_by_hand ON $shard (name)");
is($rc, 0, "an index made by hand on shard $shard passes the guard") or diag $err;
is(drift_rows($workers[0]), '0:', 'and is not drift');
# Dropped, it is known by its own name only: the guard sees an index of no shard.
on($workers[0], 'SET migrations_schema.ddl_guard_bypass = on; DROP INDEX shard_by_hand;
                 TRUNCATE migrations_schema.drift_log');
($rc, $out, $err) = $workers[0]->psql('postgres',
    "ALTER TABLE $shard ADD COLUMN by_hand int; ALTER TABLE $shard DROP COLUMN by_hand");
is($rc, 0, 'a shard altered by hand passes the guard') or diag $err;
is(drift_rows($workers[0]), '0:', 'and is not drift either');

# DDL typed on the coordinator outside migrations is the coordinator's drift, not the workers'.
coordinator('CREATE INDEX accounts_name_idx ON accounts (name)');
is(on($workers[0], shards_shown(q{SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'accounts_name_idx_%'})), 2,
    'an index created on the coordinator outside migrations reaches the guarded workers');
like(drift_rows($coordinator), qr/^1:public\.accounts_name_idx$/, 'it is drift on the coordinator');
is(drift_rows($_), '0:', $_->name . ': and nothing on the worker') for @workers;
coordinator('DROP INDEX accounts_name_idx');
is(drift_rows($_), '0:', $_->name . ': nor is dropping it') for @workers;
coordinator('TRUNCATE migrations_schema.drift_log');

# --- the fingerprint knows distribution ------------------------------------------------------
# Shards are left out even where a session sees them (Citus hides them from most clients).
my $hash = coordinator('SELECT migrate_schema_hash()');
is(coordinator(shards_shown('SELECT migrate_schema_hash()')), $hash,
    'the coordinator\'s fingerprint leaves out its placement of the reference table');
is(on($_, shards_shown('SELECT migrate_schema_hash()')), $hash,
    $_->name . ' has the coordinator\'s fingerprint: shards are left out') for @workers;
is(coordinator(q{SELECT (migrate_schema_fingerprint()->'table'->'public.events')
                        - 'kind' - 'persistence' - 'row_security' - 'force_row_security'
                        - 'replica_identity'}),
    '{"shard_count": "4", "distribution": "hash", "colocated_with": "public.accounts", '
    . '"distribution_column": "account_id"}',
    'a distributed table: method, column, colocation (by table name) and shard count');
is(coordinator(q{SELECT migrate_schema_fingerprint()->'table'->'public.countries'->>'distribution'}),
    'reference', 'a reference table');

coordinator('CREATE TABLE scratch (id bigint PRIMARY KEY, v text)');
my $plain = coordinator('SELECT migrate_schema_hash()');
coordinator(q{SELECT create_distributed_table('scratch', 'id', colocate_with => 'none')});
my $distributed = coordinator('SELECT migrate_schema_hash()');
isnt($distributed, $plain, 'distributing a table changes the fingerprint');
coordinator(q{SELECT update_distributed_table_colocation('scratch', colocate_with => 'accounts')});
isnt(coordinator('SELECT migrate_schema_hash()'), $distributed, 'so does colocating it differently');
coordinator(q{SELECT undistribute_table('scratch')});
is(coordinator('SELECT migrate_schema_hash()'), $plain, 'undistributed, it is the plain table again');
coordinator(q{SELECT create_reference_table('scratch')});
isnt(coordinator('SELECT migrate_schema_hash()'), $plain, 'a reference table differs too');
coordinator('DROP TABLE scratch; TRUNCATE migrations_schema.drift_log');

# On a Citus database, a table Citus does not know reads exactly as without Citus.
coordinator('CREATE DATABASE plain');
my $app_schema = q{CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, v text DEFAULT 'x');
                   CREATE INDEX ON app.t (v);};
$coordinator->safe_psql('plain', "CREATE EXTENSION migrations_schema; $app_schema");
coordinator($app_schema);
is(coordinator(q{SELECT migrate_schema_fingerprint(ARRAY['app'])::text}),
    $coordinator->safe_psql('plain', q{SELECT migrate_schema_fingerprint(ARRAY['app'])::text}),
    'a local table on a Citus database has the fingerprint it has without Citus');
coordinator('DROP SCHEMA app CASCADE; TRUNCATE migrations_schema.drift_log');

# --- create_distributed_table_concurrently: a top-level statement ------------------------------
# Citus refuses it in a transaction block: migrate_test says it did not run it, and
# migrate_run runs it through its background worker, like CREATE INDEX CONCURRENTLY.
add_files(
    '4_sessions.sql' => q{
CREATE TABLE sessions (account_id bigint NOT NULL, id bigint NOT NULL, PRIMARY KEY (account_id, id));
SELECT create_distributed_table_concurrently('sessions', 'account_id', colocate_with => 'accounts');
},
    'rollback/4_sessions.sql' => 'DROP TABLE sessions;');
coordinator("SELECT count(*) FROM migrate_load_dir('$dir')");
is(coordinator(q{SELECT version || ':' || reversible || ':' || detail FROM migrate_test()}),
    '4:true:not run, as they only run at top level (VACUUM, CALL, DO with COMMIT, ...): '
    . 'up statement 2 (line 3)',
    'migrate_test names the statement it could not run in its subtransaction');
($rc, $out, $err) = $coordinator->psql('postgres', 'CALL migrate_run()');
is($rc, 0, 'CALL migrate_run() distributes a table concurrently') or diag $err;
is(coordinator(q{SELECT citus_table_type || ':' || shard_count FROM citus_tables
                 WHERE table_name = 'sessions'::regclass}),
    'distributed:4', 'sessions is distributed');
is(states(), '1=applied,2=applied,3=applied,4=applied', 'status: all four applied');
is(drift_rows($_), '0:', $_->name . ': the drift log is empty') for @nodes;

# --- the runner on a worker ------------------------------------------------------------------
my $coordinator_name = $coordinator->host . ':' . $coordinator->port;
for my $call ('CALL migrate_run()', 'SELECT * FROM migrate_apply()',
              'SELECT * FROM migrate_rollback()', 'SELECT * FROM migrate_test()') {
    ($rc, $out, $err) = $workers[0]->psql('postgres', qq{
        \\set VERBOSITY verbose
        SET search_path = public, pg_temp;
        $call;
        SELECT current_user || ' ' || current_setting('search_path')}, on_error_stop => 0);
    my ($function) = $call =~ /(migrate_\w+)/;
    is($out, 'postgres public, pg_temp', "$function(): identity and search_path intact");
    like($err, qr/ERROR:  55000: \Q$function\E\(\) cannot run on a Citus worker\nDETAIL:  This node is a worker of the Citus cluster whose coordinator is \Q$coordinator_name\E\./,
        "$function() on a worker is refused, naming the coordinator");
}
is(drift_rows($workers[0]), '0:', 'and the worker logged nothing');
# As a role that may only run migrations: refused the same way, and the session is intact.
coordinator(q{CREATE ROLE deployer LOGIN;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    TRUNCATE migrations_schema.drift_log});
on($workers[0], q{SET migrations_schema.ddl_guard_bypass = on;
    GRANT EXECUTE ON PROCEDURE migrate_run(text, text, boolean) TO deployer;
    TRUNCATE migrations_schema.drift_log});
($rc, $out, $err) = $workers[0]->psql('postgres', q{
    \set VERBOSITY verbose
    SET search_path = public, pg_temp;
    CALL migrate_run();
    SELECT current_user || ' ' || current_setting('search_path')},
    on_error_stop => 0, extra_params => [ '-U', 'deployer' ]);
like($err, qr/ERROR:  55000: migrate_run\(\) cannot run on a Citus worker/,
    'the deploy role is refused on a worker');
is($out, 'deployer public, pg_temp', 'and stays itself, with its search_path');
is(states($workers[0]), '', 'the worker\'s tracking state is untouched (the coordinator keeps it)');

# --- rolling everything back -----------------------------------------------------------------
($rc, $out, $err) = $coordinator->psql('postgres', 'CALL migrate_run_rollback(everything => true)');
is($rc, 0, 'CALL migrate_run_rollback(everything => true) on the coordinator') or diag $err;
is(states(), '1=pending,2=pending,3=pending,4=pending', 'everything is pending again');
is(coordinator('SELECT count(*) FROM citus_tables'), 0, 'no Citus table is left');
for my $w (@workers) {
    is(on($w, shards_shown(q{SELECT count(*) FROM pg_class WHERE relname ~ '^(accounts|events|countries|sessions)'})),
        0, $w->name . ': no shard is left');
}
is(drift_rows($_), '0:', $_->name . ': the drift log is still empty') for @nodes;

# --- pg_migrate against the coordinator ------------------------------------------------------
SKIP: {
    skip 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)', 4
      unless defined $bin && $bin ne '';
    local $ENV{PGHOST} = $coordinator->host;
    local $ENV{PGPORT} = $coordinator->port;
    local $ENV{PGDATABASE} = 'postgres';
    my $pg_migrate = sub {
        my ($o, $e) = ('', '');
        IPC::Run::run([ $bin, @_ ], '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(120));
        return ($? >> 8, $o, $e);
    };
    ($rc, $out, $err) = $pg_migrate->('run', $dir);
    is($rc, 0, 'pg_migrate run applies the folder through the coordinator') or diag "$out\n$err";
    is(states(), '1=applied,2=applied,3=applied,4=applied', 'all applied again');
    ($rc, $out, $err) = $pg_migrate->('status', $dir);
    is($rc, 0, 'pg_migrate status') or diag "$out\n$err";
    ($rc, $out, $err) = $pg_migrate->('drift');
    is($rc, 0, 'pg_migrate drift finds nothing on the coordinator') or diag "$out\n$err";
}
is(drift_rows($_), '0:', $_->name . ': the drift log is empty at the end') for @nodes;

# --- drift in the distribution ---------------------------------------------------------------
# Colocating a table differently runs no DDL: only the fingerprint sees it.
coordinator(q{SELECT update_distributed_table_colocation('events', colocate_with => 'none')});
is(coordinator(q{SELECT string_agg(change || ' ' || object_type || ' ' || object || ': ' || detail, '; ')
                 FROM migrate_drift()}),
    "changed table public.events: colocated_with: 'public.accounts' -> 'public.events'",
    'migrate_drift() on the coordinator sees a table colocated outside migrations');
coordinator(q{SELECT update_distributed_table_colocation('events', colocate_with => 'accounts')});
is(coordinator('SELECT count(*) FROM migrate_drift()'), 0, 'and nothing once it is back');

# --- lint knows distributed tables -------------------------------------------------------------
coordinator(q{INSERT INTO accounts (id, name) SELECT g, 'a' || g FROM generate_series(1, 2000) g;
              INSERT INTO events (account_id, id, payload) SELECT g % 100 + 1, g, md5(g::text)
              FROM generate_series(1, 5000) g;
              CREATE TABLE plain_local (id bigint PRIMARY KEY);
              TRUNCATE migrations_schema.drift_log});
sub lint {
    my ($sql, $rule) = @_;
    return coordinator(qq{SELECT string_agg(severity || ': ' || message, ' | ') FROM migrate_lint(\$m\$$sql\$m\$)
                          WHERE rule = '$rule'});
}
# The size as pg_size_pretty prints it: the relations grow a little meanwhile (free space maps).
like(lint('CREATE INDEX events_kind ON events (payload);', 'index-not-concurrent'),
    qr/^\Qwarning: CREATE INDEX without CONCURRENTLY on events, which holds rows, blocks writes to it \E\Quntil the index is built (Citus: a hash-distributed table of 4 shards, \E\d+ [kM]B over \Qthe workers; each shard takes the lock and does the work)\E$/,
    'a distributed table holds the rows of its shards: the finding names shards and total size');
is(coordinator(q{SELECT relation_bytes = citus_total_relation_size('events') AND row_estimate > 0
                 FROM migrate_lint('CREATE INDEX events_kind ON events (payload);')
                 WHERE rule = 'index-not-concurrent'}),
    't', 'its size and row estimate are those of the shards');
is(lint('ALTER TABLE accounts ALTER COLUMN id TYPE int;', 'citus-distribution-column'),
    'error: changing the type of column "id" of accounts, its Citus distribution column: Citus refuses it',
    'changing the type of the distribution column is an error');
is(lint('ALTER TABLE accounts DROP COLUMN id;', 'citus-distribution-column'),
    'error: dropping column "id" of accounts, its Citus distribution column: Citus refuses it',
    'dropping it too');
is(lint('ALTER TABLE accounts ALTER COLUMN name TYPE varchar(10);', 'citus-distribution-column'),
    '', 'another column is no distribution column');
is(lint('ALTER TABLE events ADD CONSTRAINT events_local FOREIGN KEY (id) REFERENCES plain_local (id) NOT VALID;',
        'citus-foreign-key-to-local'),
    'error: a FOREIGN KEY from events, a Citus hash-distributed table, to plain_local, a table '
    . 'Citus does not know: Citus refuses it',
    'a foreign key from a distributed table to a plain local table is an error');
is(lint('ALTER TABLE events ADD CONSTRAINT events_accounts FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;',
        'citus-foreign-key-to-local'),
    '', 'to a colocated distributed table it is none');
# A role that may only lint (and owns none of the tables) gets the same facts from Citus.
coordinator('GRANT EXECUTE ON FUNCTION migrate_lint(text) TO deployer');
is($coordinator->safe_psql('postgres', q{SELECT current_user || ': ' || rule || ' ' || severity
        || ' ' || (relation_bytes = citus_total_relation_size('events'))
        FROM migrate_lint('CREATE INDEX events_kind ON events (payload);')
        WHERE rule = 'index-not-concurrent'}, extra_params => [ '-U', 'deployer' ]),
    'deployer: index-not-concurrent warning true', 'as a role holding only EXECUTE on migrate_lint');
($rc, $out, $err) = $coordinator->psql('postgres',
    'ALTER TABLE events ADD CONSTRAINT events_local FOREIGN KEY (id) REFERENCES plain_local (id) NOT VALID');
like($err, qr/ERROR/, 'Citus does refuse that foreign key');
coordinator('DROP TABLE plain_local; TRUNCATE migrations_schema.drift_log');

done_testing();
