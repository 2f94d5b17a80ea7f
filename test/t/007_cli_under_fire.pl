# pg_migrate under fire, through the real binary: a loopback proxy between the client and
# the server delays, tarpits or freezes the connection while signals arrive at each phase
# (connecting, pushing, mid-statement, during a partition); every secret the command line or
# a DSN file holds is looked for in all output; every --json answer is parsed; hazards
# (broken pipes, thread limits, conflicting options) end in an honest exit code.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use IPC::Run;
use JSON::PP;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $bin = $ENV{PG_MIGRATE_BIN};
plan skip_all => 'PG_MIGRATE_BIN is not set (scripts/test builds pg_migrate and sets it)'
  unless defined $bin && $bin ne '';

my $node = PostgreSQL::Test::Cluster->new('fire');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION migrations_schema;
    CREATE ROLE outsider LOGIN;
});
$ENV{PGHOST} = $node->host;
$ENV{PGPORT} = $node->port;
$ENV{PGDATABASE} = 'postgres';
$ENV{PGUSER} = $node->safe_psql('postgres', 'SELECT current_user');
# Without PGAPPNAME (set by the test framework) the server sees pg_migrate by its name.
delete $ENV{$_} for qw(PGSERVICE PGCONNECT_TIMEOUT PGPASSWORD PGAPPNAME);

my $tmp = tempdir(CLEANUP => 1);
my $socket = $node->host . '/.s.PGSQL.' . $node->port;

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub pg_migrate {
    my ($out, $err) = ('', '');
    IPC::Run::run([ $bin, @_ ], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(120));
    return ($? >> 8, $out, $err);
}

# Starts pg_migrate in the background; returns the harness and refs to its output.
sub start_pg_migrate {
    my ($out, $err) = (\(my $o = ''), \(my $e = ''));
    my $h = IPC::Run::start([ $bin, @_ ], '<', \undef, '>', $out, '2>', $err,
        IPC::Run::timeout(120));
    return ($h, $out, $err);
}

# Waits for the harness; returns (exit code, seconds it took from $since).
sub finish_within {
    my ($h, $since) = @_;
    $h->finish;
    return ($? >> 8, time - $since);
}

sub write_migrations {
    my ($dir, $n, $body) = @_;
    mkdir $dir;
    for my $i (1 .. $n) {
        my $v = sprintf '%05d', $i;
        open my $f, '>', "$dir/${v}_m$i.up.sql" or die;
        print $f $body ? $body->($i) : "SELECT $i;\n";
        close $f;
    }
    return $dir;
}

# --- the proxy -----------------------------------------------------------------------------
# Listens on $addr and forwards every connection to the node's socket. Its mode is read from
# a file on every turn: pass, slow (each chunk waits 20 ms), delay (new connections wait
# 30 s before they are forwarded), tarpit (new connections are accepted and never
# answered) or freeze (nothing moves on any connection). It ends with the test.
my $mode_file = "$tmp/proxy_mode";

sub proxy_mode {
    open my $f, '>', "$mode_file.new" or die;
    print $f $_[0];
    close $f;
    rename "$mode_file.new", $mode_file or die;
}

sub start_proxy {
    my ($addr) = @_;
    my $listener = IO::Socket::INET->new(
        LocalAddr => $addr, LocalPort => 0, Listen => 64, ReuseAddr => 1)
      or return;
    my $port = $listener->sockport;
    my $parent = $$;
    my $pid = fork // die "fork: $!";
    if ($pid) {
        close $listener;
        return ($pid, $port);
    }
    my $started = time;
    my (%peer, %ready_at, @held);
    my $select = IO::Select->new($listener);
    while (getppid() == $parent && time - $started < 600) {
        my @readable = $select->can_read(0.05);
        # Read after the wait, so that a mode set before a connection is what it meets.
        my $mode = do { local (@ARGV, $/) = ($mode_file); <> } // 'pass';
        for my $s (@readable) {
            if ($s == $listener) {
                my $client = $listener->accept or next;
                if ($mode eq 'tarpit' || $mode eq 'freeze') { push @held, $client; next; }
                my $server = IO::Socket::UNIX->new(Peer => $socket) or next;
                @peer{ $client, $server } = ($server, $client);
                $ready_at{$client} = $ready_at{$server} = time + ($mode eq 'delay' ? 30 : 0);
                $select->add($client, $server);
                next;
            }
            next if $mode eq 'freeze' || time < ($ready_at{$s} // 0);
            my $to = $peer{$s} or next;
            sleep 0.02 if $mode eq 'slow';
            my $n = sysread $s, my $buf, $mode eq 'slow' ? 4096 : 65536;
            if (!$n) {
                $select->remove($s, $to);
                delete @peer{ $s, $to };
                close $s;
                close $to;
                next;
            }
            for (my $off = 0; $off < length $buf;) {
                my $w = syswrite $to, $buf, length($buf) - $off, $off;
                last unless defined $w;
                $off += $w;
            }
        }
        sleep 0.05 if $mode eq 'freeze';
    }
    POSIX::_exit(0);
}

proxy_mode('pass');
my ($proxy_pid, $proxy_port) = start_proxy('127.0.0.1');
my $via_proxy = "host=127.0.0.1 port=$proxy_port dbname=postgres sslmode=disable";
my ($rc, $out, $err) = pg_migrate('status', '--dsn', $via_proxy);
is($rc, 0, 'the proxy forwards') or diag $err;

my $pid_of = sub { $_[0]->{KIDS}[0]{PID} };
sub sleeping_backends {
    return sql(q{SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'});
}

# --- connecting ----------------------------------------------------------------------------
proxy_mode('tarpit');
my $t0 = time;
($rc, $out, $err) = pg_migrate('status', '--dsn', $via_proxy, '--connect-timeout', '2');
my $took = time - $t0;
is($rc, 2, 'a tarpitting host: --connect-timeout gives up, exit 2');
ok($took < 8, "and within seconds ($took s)");
like($err, qr/timeout expired/, 'saying the timeout expired');

$t0 = time;
($rc, $out, $err) = pg_migrate('status', '--dsn', $via_proxy);
$took = time - $t0;
is($rc, 2, 'without any timeout option the default connect_timeout ends the wait');
ok($took >= 9 && $took < 20, "after about 10 s ($took s)");

$t0 = time;
($rc, $out, $err) = pg_migrate('status', '--dsn', "$via_proxy connect_timeout=1");
is($rc, 2, "the DSN's connect_timeout overrides the default");
ok(time - $t0 < 6, 'and is the one that applies');

# Ctrl-C while connecting: nothing to cancel, the wait ends at once.
my $folder = write_migrations("$tmp/small", 20);
my ($h, $hout, $herr) = start_pg_migrate('push', $folder, '--project', 'connecting',
    '--dsn', $via_proxy);
sleep 1;
# Passwords are in this process: it is not dumpable, so its /proc files belong to root.
SKIP: {
    skip 'the test runs as root', 1 if $> == 0;
    is((stat '/proc/' . $pid_of->($h) . '/environ')[4], 0,
        'pg_migrate makes itself non-dumpable (no core file with passwords)');
}
$t0 = time;
$h->signal('INT');
($rc, $took) = finish_within($h, $t0);
is($rc, 130, 'Ctrl-C while connecting exits 130');
ok($took < 3, "at once ($took s)");
like($$herr, qr/interrupted while connecting/, 'and says where it was');

proxy_mode('delay');
($h, $hout, $herr) = start_pg_migrate('push', $folder, '--project', 'connecting',
    '--dsn', $via_proxy);
sleep 1;
$t0 = time;
$h->signal('INT');
($rc, $took) = finish_within($h, $t0);
is($rc, 130, 'Ctrl-C during a slow connection exits 130');
ok($took < 3, "at once ($took s)");
is(sql(q{SELECT count(*) FROM migrate_status('connecting')}), '0', 'nothing was registered');

# --- pushing -------------------------------------------------------------------------------
# The folder goes in one statement; through the slow proxy (4 kB every 20 ms) its 800 kB
# of parameters take seconds to arrive, while the server waits reading them.
proxy_mode('slow');
my $many = write_migrations("$tmp/many", 400, sub { "SELECT $_[0];\n" . ('-- filler' x 200) . "\n" });
($h, $hout, $herr) = start_pg_migrate('run', $many, '--project', 'pushing',
    '--dsn', $via_proxy);
$node->poll_query_until('postgres', q{
    SELECT count(*) > 0 FROM pg_stat_activity
    WHERE application_name = 'pg_migrate' AND query LIKE '%migrate_register%'
      AND wait_event = 'ClientRead'})
  or do { $h->kill_kill; die "the push never started: $$herr $$hout"; };
$t0 = time;
$h->signal('INT');
($rc, $took) = finish_within($h, $t0);
is($rc, 130, 'Ctrl-C while pushing exits 130');
ok($took < 10, "within seconds ($took s)");
unlike($$herr, qr/pushed/, 'the push did not complete');
proxy_mode('pass');
$node->poll_query_until('postgres',
    q{SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'pg_migrate'})
  or die 'the session of the interrupted push never ended';
is(sql(q{SELECT count(*) FROM migrate_status('pushing')}), '0',
    'the interrupted push registered nothing and nothing ran');

# --- a partition mid-statement -------------------------------------------------------------
sql(q{SELECT migrate_register('1', 'slow', 'SELECT pg_sleep(60); CREATE TABLE partitioned_t ();',
      NULL, 'partition')});
($h, $hout, $herr) = start_pg_migrate('run', '--project', 'partition', '--dsn', $via_proxy);
$node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'}) or die 'the slow migration never started';
proxy_mode('freeze');
sleep 0.5;
$t0 = time;
$h->signal('INT');
($rc, $took) = finish_within($h, $t0);
is($rc, 3, 'Ctrl-C during a partition: the outcome is unknown (exit 3)');
ok($took < 16, "once the grace after the cancel request and a bounded check are over ($took s)");
like($$herr, qr/did not end the statement within 5 s of the cancel request/,
    'saying that it stopped waiting for the server');
like($$herr, qr/outcome unknown: check `pg_migrate status` \(no new connection to check it/,
    'that the server may still commit, and what to check');
proxy_mode('pass');
$node->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'}) or die 'the migration outlived its client';
is(sql(q{SELECT state FROM migrate_status('partition')}) eq 'applied' ? 'applied' : 'not',
    'not', 'the migration did not commit after its client was gone');
is(sql(q{SELECT to_regclass('partitioned_t') IS NULL}), 't', 'and left nothing behind');

for my $signal ('INT', 'TERM') {
    ($h, $hout, $herr) = start_pg_migrate('run', '--project', 'partition', '--dsn', $via_proxy);
    $node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
        WHERE wait_event = 'PgSleep'}) or die 'the slow migration never started';
    proxy_mode('freeze');
    $h->signal($signal);
    sleep 0.5;
    $t0 = time;
    $h->signal($signal);
    ($rc, $took) = finish_within($h, $t0);
    is($rc, 130, "a second SIG$signal during a partition exits 130");
    ok($took < 2, "at once ($took s)");
    like($$herr, qr/interrupted again; quitting now/, 'and says so');
    proxy_mode('pass');
    $node->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
        WHERE wait_event = 'PgSleep'}) or die 'the migration outlived its client';
}

# --- generate during a partition: Ctrl-C ends it; the clean-up is bounded and names what is left
open my $slow_schema, '>', "$tmp/slow_schema.sql" or die;
print $slow_schema "CREATE TABLE g (id int);\nSELECT pg_sleep(60);\n";
close $slow_schema;
mkdir "$tmp/generated";
($h, $hout, $herr) = start_pg_migrate('generate', 'slow', '--desired', "$tmp/slow_schema.sql",
    '--layout', 'golang', '--dsn', $via_proxy, "$tmp/generated");
$node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep' AND datname LIKE 'pg_migrate_shadow%'})
  or die 'the desired schema never started building';
proxy_mode('freeze');
sleep 0.5;
$t0 = time;
$h->signal('INT');
($rc, $took) = finish_within($h, $t0);
is($rc, 130, 'generate: one Ctrl-C during a partition ends it, exit 130');
ok($took < 20, "within the grace and the bounded clean-up ($took s)");
like($$herr, qr/could not drop the scratch database (pg_migrate_shadow_\w+): .*did not answer within.*\nHINT:  DROP DATABASE \1;/s,
    'naming the scratch database it could not drop, and how to drop it');
like($$herr, qr/could not drop the scratch role (migrate_shadow_\w+).*\nHINT:  DROP ROLE \1;/s,
    'and the temporary role');
proxy_mode('pass');
# As the HINTs say, once the server is reachable again.
for my $db (split /\n/, sql(q{SELECT datname FROM pg_database WHERE datname LIKE 'pg_migrate_shadow%'})) {
    sql(qq{DROP DATABASE "$db" WITH (FORCE)});
    sql(q{DROP ROLE "} . substr($db, 3) . q{"});
}
is(sql(q{SELECT count(*) FROM pg_roles WHERE rolname LIKE 'migrate_shadow%'}), '0', 'then nothing is left');

# --- a migration that swallows the cancel dies with its client -----------------------------
sql(q{SELECT migrate_register('1', 'stubborn', $m$
    DO $$ BEGIN PERFORM pg_sleep(60); EXCEPTION WHEN query_canceled THEN PERFORM pg_sleep(60); END $$;
    CREATE TABLE stubborn_t ();
$m$, NULL, 'stubborn')});
($h, $hout, $herr) = start_pg_migrate('run', '--project', 'stubborn');
$node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'}) or die 'the stubborn migration never started';
$h->signal('INT');
sleep 1;
$h->signal('INT');
($rc, $took) = finish_within($h, time);
is($rc, 130, 'a double Ctrl-C quits while the migration ignores the cancel');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 0 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'}),
    'the server notices the client is gone (client_connection_check_interval) and ends it');
is(sql(q{SELECT to_regclass('stubborn_t') IS NULL}), 't', 'the migration did not commit');
isnt(sql(q{SELECT state FROM migrate_status('stubborn')}), 'applied', 'nor is it recorded so');

# --- a migration that swallows the cancel: checked over a new connection ------------------
# It swallows every cancel, not just the first: the postmaster signals a backend both by its
# pid and by its process group, and on a loaded machine the second signal can arrive after
# the first was handled, cancelling whatever the handler runs next.
sql(q{SELECT migrate_register('1', 'swallows', $m$
    DO $$ BEGIN PERFORM pg_sleep(60);
    EXCEPTION WHEN query_canceled THEN
        FOR i IN 1 .. 20 LOOP
            BEGIN PERFORM pg_sleep(1); EXCEPTION WHEN query_canceled THEN NULL; END;
        END LOOP;
    END $$;
    CREATE TABLE swallows_t ();
$m$, NULL, 'swallows')});
($h, $hout, $herr) = start_pg_migrate('run', '--project', 'swallows');
$node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'}) or die 'the migration never started';
$t0 = time;
$h->signal('INT');
($rc, $took) = finish_within($h, $t0);
is($rc, 130, 'Ctrl-C on a migration that swallows the cancel: the client stops waiting, exit 130');
like($$herr, qr/checked over a new connection: the server ended the command; 0 of the 1 migrations it was to run are applied/,
    'after finding over a new connection that the server rolled it back');
is(sql(q{SELECT to_regclass('swallows_t') IS NULL}), 't', 'as it did');

# --- lost connections, permissions, timeouts -----------------------------------------------
sql(q{SELECT migrate_register('1', 'slow', 'SELECT pg_sleep(60);', NULL, 'lost')});
($h, $hout, $herr) = start_pg_migrate('run', '--project', 'lost');
$node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pg_stat_activity
    WHERE wait_event = 'PgSleep'}) or die 'the slow migration never started';
sql(q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'});
($rc, $took) = finish_within($h, time);
is($rc, 2, 'a connection lost mid-run exits 2');
like($$herr, qr/connection to the server lost/, 'and says so');
like($$herr, qr/checked over a new connection: the server ended the command; 0 of the 1 migrations/,
    'and what a new connection found the server did');

($rc, $out, $err) = pg_migrate('status', '--json', '--dsn', 'dbname=postgres user=outsider');
is($rc, 1, 'permission denied exits 1');
my $denied = decode_json($out);
is($denied->{sqlstate}, '42501', 'its JSON carries the SQLSTATE');
like($denied->{error}, qr/permission denied for function migrate_status/, 'and the message');

sql(q{SELECT migrate_register('1', 'locks', 'LOCK TABLE locked_t;', NULL, 'timeouts')});
sql(q{CREATE TABLE locked_t ()});
my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE locked_t;');
$t0 = time;
($rc, $out, $err) = pg_migrate('apply', '--project', 'timeouts', '--lock-timeout', '200ms');
is($rc, 1, '--lock-timeout gives up on a lock for apply');
like($err, qr/lock timeout/, 'with the server\'s lock timeout error');
ok(time - $t0 < 10, 'quickly');
# Without --lock-timeout, apply gives up after the runner's lock_timeout (5s by default), not
# never; a lock_timeout the role, the database or PGOPTIONS chose is kept.
{
    local $ENV{PGOPTIONS} = '-c migrations_schema.lock_timeout=300ms';
    $t0 = time;
    ($rc, $out, $err) = pg_migrate('apply', '--project', 'timeouts');
    is($rc, 1, 'apply without --lock-timeout gives up on a lock after migrations_schema.lock_timeout');
    like($err, qr/lock timeout/, 'with the lock timeout error');
    ok(time - $t0 < 10, 'quickly');
    $ENV{PGOPTIONS} .= ' -c lock_timeout=1500ms';
    $t0 = time;
    ($rc, $out, $err) = pg_migrate('apply', '--project', 'timeouts');
    is($rc, 1, 'a lock_timeout chosen for the session');
    ok(time - $t0 >= 1.4, 'is the one apply waits for');
}
is(sql(q{SELECT state FROM migrate_status('timeouts')}), 'pending', 'and nothing was applied');
{
    local $ENV{PGOPTIONS} = '-c migrations_schema.lock_retries=0';
    ($rc, $out, $err) = pg_migrate('run', '--project', 'timeouts', '--lock-timeout', '300ms',
    '--statement-timeout', '1min');
}
is($rc, 1, '--lock-timeout maps onto the runner\'s lock_timeout for run');
like($err, qr/lock timeout|lock_timeout/, 'which reports the timeout');
$locker->query_safe('ROLLBACK');
$locker->quit;
($rc, $out, $err) = pg_migrate('apply', '--project', 'timeouts', '--lock-timeout', 'soon');
is($rc, 2, 'a timeout that is no duration: a usage error, before connecting');
like($err, qr/--lock-timeout needs a duration such as 500ms, 5s or 1min, not "soon"/, 'saying what it takes');
($rc, $out, $err) = pg_migrate('apply', '--project', 'timeouts', '--statement-timeout', '5');
is($rc, 2, 'a bare number (milliseconds to the server): a usage error');
like($err, qr/--statement-timeout needs a unit: 5ms, 5s or 5min/, 'asking for the unit');
($rc, $out, $err) = pg_migrate('status', '--project', 'timeouts', '--lock-timeout', '0');
is($rc, 0, '0 (no timeout) needs no unit') or diag($err);

# --- secrets -------------------------------------------------------------------------------
# A password on the command line is overwritten once read: ps and /proc show it masked.
{
    my ($wh, $wout, $werr) = start_pg_migrate('status', '--wait=10', '--dsn',
        'host=127.0.0.1 port=1 dbname=postgres password=ArgvPw61 connect_timeout=1');
    my $pid = $wh->{KIDS}[0]{PID};
    sleep 1.5;
    my $cmdline = do { local (@ARGV, $/) = ("/proc/$pid/cmdline"); <> } // '';
    $wh->kill_kill;
    like($cmdline, qr/password=\*\*\*/, 'the --dsn argument in /proc/PID/cmdline is masked');
    unlike($cmdline, qr/ArgvPw61/, 'and holds no piece of the password');
}
my $h_dsn = 'host=' . $node->host . ' port=' . $node->port;
my @leaks = (
    [ 'sslpassword', "$h_dsn dbname=postgres sslpassword=SslKeyPw41", 'SslKeyPw41', 0 ],
    [ 'URI with / in the password', 'postgresql://alice:se/cretPw42@localhost/db', 'cretPw42', 2 ],
    [ 'URI with @ in the password', 'postgresql://alice:p@ssPw43@localhost/db', 'ssPw43', 2 ],
    [ 'double-quoted password', "$h_dsn password=\"dq secretPw44\"", 'secretPw44', 2 ],
    [ 'misspelt keyword', "$h_dsn pasword=TypoPw45", 'TypoPw45', 2 ],
    [ 'unquoted blank', "$h_dsn password=half otherPw46=x", 'otherPw46', 2 ],
    [ 'empty value swallowing the password', "$h_dsn dbname= password=SwallowPw47",
        'SwallowPw47', 2 ],
);
my $fleet_file = "$tmp/leaks.dsn";
PostgreSQL::Test::Utils::append_to_file($fleet_file, "$_->[1]\n") for @leaks;
for my $leak (@leaks) {
    my ($what, $dsn, $secret, $expected_rc) = @$leak;
    for my $json (0, 1) {
        ($rc, $out, $err) = pg_migrate('status', '--dsn', $dsn, $json ? ('--json') : ());
        is($rc, $expected_rc, "$what: exit $expected_rc" . ($json ? ' (json)' : ''));
        unlike($out . $err, qr/\Q$secret\E/, "$what: the secret is nowhere in the output");
        ok(eval { decode_json($out); 1 }, "$what: --json is JSON") if $json;
    }
}
($rc, $out, $err) = pg_migrate('status', '--dsn-file', $fleet_file, '--json');
unlike($out . $err, qr/\Q$_->[2]\E/, "fleet: the secret of '$_->[0]' is nowhere") for @leaks;
my $fleet = decode_json($out);
like($fleet->[0]{database}, qr/sslpassword=\*\*\*/, 'fleet JSON masks sslpassword');
like($fleet->[4]{database}, qr/pasword=\*\*\*/, 'and shows a misspelt keyword with its value masked');
($rc, $out, $err) = pg_migrate('status', '--dsn-file', $fleet_file);
unlike($out . $err, qr/\Q$_->[2]\E/, "fleet table: the secret of '$_->[0]' is nowhere") for @leaks;
like($err, qr/percent-encode them as %40 and %2F/, 'an ambiguous URI is refused with the fix');

# Masking is by position: short passwords and passwords equal to the user name do not
# garble the message.
($rc, $out, $err) = pg_migrate('status', '--dsn', "$h_dsn dbname=no_such_a password=a");
like($err, qr/database "no_such_a" does not exist/, 'a one-letter password leaves the message whole');
like($err, qr/dbname=no_such_a password=\*\*\*/, 'and is masked where it is');
($rc, $out, $err) = pg_migrate('status', '--dsn', "$h_dsn dbname=no_db user=alice password=alice");
like($err, qr/user=alice password=\*\*\*/, 'a password equal to the user name hides only itself');

# Connection strings given where something else was expected are masked too.
($rc, $out, $err) = pg_migrate('status', 'postgresql://alice:FolderPw48@host/db');
is($rc, 2, 'a DSN given as the folder is a usage error');
unlike($err, qr/FolderPw48/, 'whose message masks it');
like($err, qr/alice:\*\*\*\@host.*goes after --dsn/, 'and says where it belongs');
($rc, $out, $err) = pg_migrate('status', '--dsn-file', $fleet_file, '--jobs', 'host=x password=JobsPw49');
is($rc, 2, 'a DSN given as --jobs is a usage error');
unlike($err, qr/JobsPw49/, 'whose message masks it');

# --- a plaintext connection over the network is named ---------------------------------------
($rc, $out, $err) = pg_migrate('status');
unlike($err, qr/not encrypted/, 'a local socket draws no encryption warning');
($rc, $out, $err) = pg_migrate('status', '--dsn', $via_proxy);
unlike($err, qr/not encrypted/, 'nor does a loopback address');
my $probe = IO::Socket::INET->new(PeerAddr => '192.0.2.1', PeerPort => 9, Proto => 'udp');
my $own_ip = $probe ? $probe->sockhost : undef;
SKIP: {
    skip 'this machine has no non-loopback IPv4 address', 2
      unless $own_ip && $own_ip !~ /^127\./;
    my ($remote_pid, $remote_port) = start_proxy($own_ip);
    skip "no proxy on $own_ip", 2 unless $remote_pid;
    ($rc, $out, $err) = pg_migrate('status', '--dsn',
        "host=$own_ip port=$remote_port dbname=postgres sslmode=prefer");
    is($rc, 0, 'a connection through a non-local address works');
    like($err, qr/warning: the connection to .* is not encrypted/,
        'and sslmode=prefer falling back to plaintext is warned about');
    kill 'KILL', $remote_pid;
}

# --- read-only commands do not write -------------------------------------------------------
my $ro = "$tmp/readonly";
mkdir $ro;
PostgreSQL::Test::Utils::append_to_file("$ro/1_a.up.sql", 'CREATE TABLE ro_a (id int);');
PostgreSQL::Test::Utils::append_to_file("$ro/1_a.down.sql", 'DROP TABLE ro_a;');
($rc, $out, $err) = pg_migrate('run', $ro, '--project', 'ro');
is($rc, 0, 'a folder is applied');
PostgreSQL::Test::Utils::append_to_file("$ro/1_a.down.sql", ' -- edited');
PostgreSQL::Test::Utils::append_to_file("$ro/2_b.up.sql", 'CREATE TABLE ro_b (id int);');
my $registry = sql(q{SELECT string_agg(version || ':' || md5(coalesce(down_sql, '')), ',' ORDER BY version)
    FROM migrations_schema.migration WHERE project = 'ro'});
for my $cmd ([ 'status' ], [ 'validate' ], [ 'test' ], [ 'apply', '--dry-run' ],
    [ 'rollback', '--dry-run' ]) {
    ($rc, $out, $err) = pg_migrate(@$cmd, $ro, '--project', 'ro');
    like($err, qr/the folder differs from the registry \(not registered: 2; changed in the folder: 1\)/,
        "@$cmd DIR reports the differences");
    is(sql(q{SELECT string_agg(version || ':' || md5(coalesce(down_sql, '')), ',' ORDER BY version)
        FROM migrations_schema.migration WHERE project = 'ro'}), $registry,
        "@$cmd DIR leaves the registry as it was");
}
is(sql(q{SELECT to_regclass('ro_b') IS NULL}), 't', 'and applied nothing');

# --- options -------------------------------------------------------------------------------
sql(q{SELECT migrate_register('001', 'a', 'CREATE TABLE opt_a ();', 'DROP TABLE opt_a;', 'opts')});
sql(q{SELECT migrate_register('002', 'b', 'CREATE TABLE opt_b ();', 'DROP TABLE opt_b;', 'opts')});
sql(q{SELECT count(*) FROM migrate_apply(project => 'opts')});
($rc, $out, $err) = pg_migrate('rollback', '--project', 'opts', '--everything', '--steps', '1',
    '--target', '001');
is($rc, 2, 'rollback refuses --everything, --steps and --target together');
like($err, qr/exclude each other/, 'saying why');
is(sql(q{SELECT string_agg(state, ',' ORDER BY version) FROM migrate_status('opts')}),
    'applied,applied', 'and rolls nothing back');
($rc, $out, $err) = pg_migrate('status', '--dsn', 'dbname=postgres', '--dsn', 'dbname=other');
is($rc, 2, 'a repeated --dsn is refused');
like($err, qr/--dsn is given more than once/, 'by name');

my $dup = "$tmp/dup.dsn";
PostgreSQL::Test::Utils::append_to_file($dup, "dbname=postgres\n# comment\ndbname=postgres password=DupPw50\ndbname=postgres\n");
($rc, $out, $err) = pg_migrate('run', '--dsn-file', $dup);
is($rc, 2, 'a DSN file listing a database twice is refused');
like($err, qr/lists dbname=postgres password=\*\*\* twice \(lines 1 and 3\)/,
    'naming the lines: the same database with other options is the same database');
unlike($err, qr/DupPw50/, 'its password masked');
my $dup2 = "$tmp/dup2.dsn";
my $socket_dir = $node->host =~ s{/}{%2F}gr;
PostgreSQL::Test::Utils::append_to_file($dup2,
    "port=" . $node->port . " dbname=postgres\nport=" . $node->port . " dbname=template1\n"
    . "postgresql:///postgres?host=$socket_dir&port=" . $node->port . "\n");
($rc, $out, $err) = pg_migrate('run', '--dsn-file', $dup2);
is($rc, 2, 'the same database written as keywords and as a URI: refused for a command that writes');
like($err, qr/twice \(lines 1 and 3\)/, 'naming both lines');
# Another role on the same database, and the database left to its default (the user's name,
# libpq's default user being the operating system's): still one database, twice.
my $os_user = getpwuid($<);
my $dup3 = "$tmp/dup3.dsn";
PostgreSQL::Test::Utils::append_to_file($dup3,
    "port=" . $node->port . " dbname=postgres user=postgres
"
    . "port=" . $node->port . " dbname=postgres user=someone_else
");
($rc, $out, $err) = pg_migrate('run', '--dsn-file', $dup3);
is($rc, 2, 'the same database under two roles is refused for a command that writes');
like($err, qr/twice \(lines 1 and 2\)/, 'naming both lines');
my $dup4 = "$tmp/dup4.dsn";
PostgreSQL::Test::Utils::append_to_file($dup4,
    "port=" . $node->port . "\nport=" . $node->port . " dbname=$os_user\n");
{
    delete local $ENV{PGUSER};
    delete local $ENV{PGDATABASE};
    ($rc, $out, $err) = pg_migrate('run', '--dsn-file', $dup4);
}
is($rc, 2, 'the default database and the same database named are refused');
like($err, qr/twice \(lines 1 and 2\)/, 'naming both lines');

my $fleet3 = "$tmp/three.dsn";
for my $db (qw(f1 f2 f3)) {
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    $node->safe_psql($db, 'CREATE EXTENSION migrations_schema');
    PostgreSQL::Test::Utils::append_to_file($fleet3, "dbname=$db\n");
}
($rc, $out, $err) = pg_migrate('status', '--dsn-file', $fleet3, '-j3');
is($rc, 0, '-j3 is accepted like --jobs 3');

my $failing = "$tmp/failing";
mkdir $failing;
PostgreSQL::Test::Utils::append_to_file("$failing/1_bad.up.sql",
    "DO \$\$ BEGIN RAISE EXCEPTION 'broken' USING DETAIL = 'line two', HINT = 'line three'; END \$\$;");
($rc, $out, $err) = pg_migrate('apply', $failing, '--project', 'failing', '--dsn-file', $fleet3);
is($rc, 1, 'a fleet whose migration fails exits 1');
my @lines = grep { length } split /\n/, $err;
ok(@lines >= 6, 'with multi-line errors');
is(scalar(grep { !/^\[dbname=f\d\] / } @lines), 0, 'every stderr line carries its database');

# --- stdout closed early -------------------------------------------------------------------
my $piped = "$tmp/piped";
mkdir $piped;
PostgreSQL::Test::Utils::append_to_file("$piped/1_p.up.sql", 'CREATE TABLE piped_t ();');
# The reader is gone before the first line is written (| true), as | head is soon after. The
# test harness ignores SIGPIPE, which its children would inherit: they get the default back.
local $SIG{PIPE} = 'DEFAULT';
system('sh', '-c', qq{{ "$bin" apply "$piped" --project piped --dsn-file "$fleet3" 2>"$tmp/pipe.err"; echo \$? >"$tmp/pipe.rc"; } | true});
is(slurp_file("$tmp/pipe.rc"), "1\n", 'a closed stdout exits 1, not killed by SIGPIPE');
like(slurp_file("$tmp/pipe.err"), qr/could not write the output/, 'and says why');
is(join(',', map { $node->safe_psql($_, q{SELECT state FROM migrate_status('piped')}) } qw(f1 f2 f3)),
    'applied,applied,applied', 'every database of the fleet was still migrated');

# --- threads that cannot be created ---------------------------------------------------------
my $wide = "$tmp/wide.dsn";
PostgreSQL::Test::Utils::append_to_file($wide, "dbname=postgres application_name=w$_\n") for 1 .. 200;
($rc, $out, $err) = ('', '', '');
IPC::Run::run([ 'sh', '-c', qq{ulimit -v 150000; exec "$bin" status --project none --dsn-file "$wide" --jobs 200} ],
    '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
$rc = $? >> 8;
is($rc, 0, '--jobs 200 under a memory limit still exits 0 (no abort, no core)') or diag $err;
like($err, qr/started \d+ of 200 workers/, 'saying how many workers it could start');
like($out, qr/200 databases: 200 ok/, 'and every database was done');

# --- JSON and the terminal -----------------------------------------------------------------
($rc, $out, $err) = pg_migrate('status', '--json', '--dsn', 'dbname=no_such_db');
is($rc, 2, 'an unreachable database exits 2 with --json');
is(decode_json($out)->{outcome}, 'unreachable', 'and stdout is a JSON object saying so');
($rc, $out, $err) = pg_migrate('status', '--json', '--no-such-option');
is($rc, 2, 'a usage error with --json exits 2');
is(decode_json($out)->{outcome}, 'usage error', 'and is a JSON object too');

my $bad_bytes = "$tmp/bytes.dsn";
PostgreSQL::Test::Utils::append_to_file($bad_bytes, "dbname=postgres application_name=x\xff\xfe\n");
($rc, $out, $err) = pg_migrate('status', '--json', '--dsn-file', $bad_bytes);
ok(eval { JSON::PP->new->utf8->decode($out); 1 }, 'a DSN line with invalid UTF-8 still gives valid JSON')
  or diag $@;

# The server sends valid UTF-8 (the client asks for it); names may hold wide characters, and
# control characters in names registered before 0.4.0 refused them (written directly here, as
# an older version could have stored them).
my ($reg_rc, $reg_out, $reg_err) = $node->psql('postgres',
    q{SELECT migrate_register('1', E'evil\x1b[2J\x07name', 'SELECT 1', NULL, 'names')});
like($reg_err, qr/contains a control character/, 'a name with control characters is refused at registration');
sql(q{SELECT migrate_register('1', 'evil', 'SELECT 1', NULL, 'names');
      UPDATE migrations_schema.migration SET name = E'evil\x1b[2J\x07name'
      WHERE project = 'names' AND name = 'evil';
      SELECT migrate_register('2', U&'\7528\6237\8868', 'SELECT 1', NULL, 'names');
      SELECT migrate_register('3', 'plain', 'SELECT 1', NULL, 'names');});
($rc, $out, $err) = pg_migrate('status', '--project', 'names');
unlike($out, qr/\x1b|\x07/, 'control characters never reach the terminal');
like($out, qr/evil\\x1B\[2J\\x07name/, 'they are shown escaped');
# The wide name takes 6 columns: every separator sits in the same column on every line.
my %sep;
for my $line (grep { /\|/ } split /\n/, $out) {
    utf8::decode(my $text = $line);
    my ($col, @at) = (0);
    for my $ch (split //, $text) {
        push @at, $col if $ch eq '|';
        $col += $ch =~ /\p{Han}/ ? 2 : 1;
    }
    $sep{"@at"} = 1;
}
is(scalar(keys %sep), 1, 'wide characters count as two columns: the table stays aligned');

# A 100 MB script: status DIR holds it a bounded number of times (the file, the parameter
# built from it, libpq's output buffer), so it works under a data limit of five times the
# folder's size.
SKIP: {
    skip 'prlimit is not installed', 2 unless -x '/usr/bin/prlimit';
    my $big = "$tmp/big";
    mkdir $big;
    open my $f, '>', "$big/002_big.sql" or die;
    my $line = "INSERT INTO big_t VALUES (1, '" . ('x' x 80) . "');\n";
    print $f $line x int(100 * 1024 * 1024 / length $line);
    close $f;
    open $f, '>', "$big/001_t.sql" or die;
    print $f "CREATE TABLE big_t (id int, v text);\n";
    close $f;
    my ($out, $err) = ('', '');
    IPC::Run::run([ '/usr/bin/prlimit', '--data=' . 5 * 100 * 1024 * 1024, '--', $bin, 'status', $big ],
        '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
    is($? >> 8, 0, 'status of a folder with a 100 MB script works within five times its size') or diag $err;
    like($out, qr/^ default\s*\| 002\s*\| big\s*\| pending/m, 'and shows it pending');
}

kill 'KILL', $proxy_pid;
$node->stop;
done_testing();
