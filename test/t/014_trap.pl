# A deploy role holding the README's grants and CREATE on the schemas of a superuser's
# search_path plants, in each of them, functions, operators and type-named functions ("casts")
# that would make it a superuser when a superuser's statement calls one. Then a superuser
# calls every function and procedure of the extension, fires every trigger of its tables and
# its event triggers with DDL of many kinds, updates the extension from every older version,
# and runs the client's commands. No trap may fire.
#
# Nothing here is listed by hand that the install script or the code can tell: the entry
# points are the extension's functions in the catalog; the types are those of their
# arguments, results and tables, of the catalogs the code reads and of the casts its SQL
# writes; the functions shadowed are those its SQL calls; the operators are those it names
# plus those SQL syntax implies (IN, CASE, NULLIF, BETWEEN and LIKE look "=", "<>", "<",
# ">", "<=", ">=", "~~" up by name). A function added tomorrow is called, or the test says
# which arguments it needs.
use strict;
use warnings;
use File::Find;
use File::Temp qw(tempdir);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return <$fh>; }

my $bin = $ENV{PG_MIGRATE_BIN};
my $have_cli = defined $bin && $bin ne '' && -x $bin;

# --- what the code and the install scripts name --------------------------------------------
my @sources;
find(sub { push @sources, $File::Find::name if /\.(cpp|hpp)$/ }, 'src/pg', 'src/cli');
opendir my $dh, 'install' or die "install: $!";
my @scripts = map { "install/$_" } sort grep { /\.sql$/ } readdir $dh;
closedir $dh;
my $code = join "\n", map { slurp($_) } @sources, @scripts;
my $sql_scripts = join "\n", map { slurp($_) } @scripts;

# Casts: qualified ones anywhere (C++ has :: of its own), unqualified ones in the scripts.
my $type_word = qr/("[^"\s]+"|[A-Za-z_][A-Za-z0-9_]*)/;
my %cast_words = map { lc($_) => 1 } ($code =~ /::pg_catalog\.$type_word/g),
  ($sql_scripts =~ /::$type_word/g);
my %catalogs = map { $_ => 1 } $code =~ /\bpg_catalog\.(pg_[a-z_]+)\b(?!\s*\()/g;
my %functions = map { $_ => 1 } $code =~ /\bpg_catalog\.([a-z_][a-z0-9_]*)\s*\(/g;
my %operators = map { $_ => 1 } ($code =~ /OPERATOR\(pg_catalog\.([^)\s]+)\)/g),
  ($code =~ /\{([^\w\s{}"',]{1,3})\}/g);
$operators{$_} = 1 for qw(= <> < > <= >= ~~);
delete $operators{$_} for grep { !/^[-+*\/<>=~!@#%^&|`?]+$/ } keys %operators;

my @versions = sort { version_cmp($a, $b) }
  map { /--([0-9.]+)\.sql$/ ? $1 : () } grep { !/--[0-9.]+--/ } @scripts;
sub version_cmp {
    my @a = split /\./, $_[0];
    my @b = split /\./, $_[1];
    for (0 .. 2) { my $c = ($a[$_] // 0) <=> ($b[$_] // 0); return $c if $c; }
    return 0;
}
my $newest = $versions[-1];
my @older = @versions[0 .. $#versions - 1];
ok(@older >= 1, "older versions found in install/: @older");

# --- the cluster ---------------------------------------------------------------------------
my $node = PostgreSQL::Test::Cluster->new('trap');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\nmax_locks_per_transaction = 1024\n");
$node->start;

my $folder = tempdir(CLEANUP => 1);
chmod 0755, $folder;
{
    open my $fh, '>', "$folder/001_first.sql" or die;
    print $fh "CREATE TABLE trap_dir_a (id int);\n";
    close $fh;
    open $fh, '>', "$folder/002_second.sql" or die;
    print $fh "CREATE TABLE trap_dir_b (id int);\n";
    close $fh;
}

# The path of the superuser's sessions: both schemas the deploy role can create in, and
# pg_catalog last, so that even a planted exact copy of a catalog operator comes first. (The
# default path, "$user", public, is checked too: there only the inexact matches, such as
# = (oid, regclass), come first.)
my $hostile_path = 'deploy, public, pg_catalog';

sub setup_database {
    my ($db, $version) = @_;
    $node->safe_psql('postgres', "CREATE DATABASE $db") unless $db eq 'postgres';
    my $v = $version ? " VERSION '$version'" : '';
    $node->safe_psql($db, qq{
        CREATE EXTENSION migrations_schema$v;
        CREATE SCHEMA deploy AUTHORIZATION deployer;
        GRANT CREATE ON SCHEMA public TO deployer;
        -- another tool's records, for migrate_import
        CREATE TABLE public.flyway_schema_history (installed_rank int PRIMARY KEY,
            version varchar(50), description varchar(200), type varchar(20),
            script varchar(1000), checksum int, installed_by varchar(100),
            installed_on timestamp DEFAULT now(), execution_time int, success bool);
        INSERT INTO public.flyway_schema_history VALUES
            (1, '1', 'first', 'SQL', 'V1__first.sql', 0, 'x', now(), 1, true);
    });
    # The README's grants, whichever of the functions this version has.
    $node->safe_psql($db, q{
        DO $$ DECLARE f regprocedure; BEGIN
        FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid
                 AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
                 JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'migrations_schema'
                 WHERE p.proname IN ('migrate_register', 'migrate_status', 'migrate_validate',
                     'migrate_run', 'migrate_rollback_plan', 'migrate_prune',
                     'migrate_unregister', 'migrate_run_rollback')
        LOOP
            EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO deployer', f);
        END LOOP; END $$;
    });
}

$node->safe_psql('postgres', 'CREATE ROLE deployer LOGIN');
setup_database('postgres');
# The deploy role's migrations go to a schema of its own, the one the runner watches: the
# fingerprints taken after each migration then leave the planted functions out.
$node->safe_psql('postgres', q{
    CREATE SCHEMA app AUTHORIZATION deployer;
    ALTER DATABASE postgres SET migrations_schema.managed_schemas = 'app';
});

# --- the types, functions and operators to plant -------------------------------------------
sub quote_array { return "ARRAY[" . join(',', map { my $x = $_; $x =~ s/'/''/g; "'$x'" } @_) . "]::text[]"; }

my $type_sql = q{
    SELECT DISTINCT t.oid::regtype::text FROM (
        SELECT unnest(p.proargtypes::oid[] || coalesce(p.proallargtypes, '{}') || p.prorettype)
        FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
             AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'migrations_schema'
        UNION
        SELECT a.atttypid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'migrations_schema' AND a.attnum > 0 AND NOT a.attisdropped
        UNION
        SELECT a.atttypid FROM pg_attribute a
        WHERE a.attrelid IN (SELECT to_regclass('pg_catalog.' || c) FROM unnest(%s) c)
          AND a.attnum > 0
        UNION
        SELECT to_regtype(w) FROM unnest(%s) w WHERE to_regtype(w) IS NOT NULL
        UNION
        SELECT to_regtype(w || '[]') FROM unnest(%s) w WHERE to_regtype(w) IS NOT NULL
    ) x(oid) JOIN pg_type t ON t.oid = x.oid
    WHERE t.typtype IN ('b', 'd', 'e', 'r') AND t.typnamespace = 'pg_catalog'::regnamespace
    ORDER BY 1
};
my $types = $node->safe_psql('postgres',
    sprintf($type_sql, quote_array(sort keys %catalogs), quote_array(sort keys %cast_words),
        quote_array(sort keys %cast_words)));
my @types = split /\n/, $types;
note("types: @types");
note("operators: " . join(' ', sort keys %operators));
note("functions: " . join(' ', sort keys %functions));
for my $t (qw(oid regclass text name integer bigint jsonb), 'timestamp with time zone', 'boolean') {
    ok((grep { $_ eq $t } @types), "the derived types include $t");
}

# The trap: counted in a sequence (a rollback does not undo it), reported as a WARNING, and
# the escalation it is for. @what@ is replaced by the trap's own signature.
#
# A trap is planted where it would be chosen over the catalog's own: for every operator the
# code uses and every pair of the types, when the catalog has an operator of that name that
# accepts the pair (the same types, or implicit casts, or a polymorphic argument), one taking
# exactly that pair; for every type, a function named after it for each type that casts to it
# (text(regclass) would be chosen over the cast); and for every function the code calls, its
# catalog signatures again, and each with one argument replaced by a type that casts to it
# implicitly. On a path where the planted schema comes first an exact copy wins; elsewhere
# only the closer matches do.
my $plant = q{
DO $plant$
DECLARE
    types pg_catalog.regtype[] := @types@::pg_catalog.regtype[];
    ops text[] := @ops@;
    funcs text[] := @funcs@;
    comparisons text[] := ARRAY['=', '<>', '<', '>', '<=', '>=', '~~', '~', '?', '@>', '<@', '&&'];
    s text; f text; ret text; pos int;
    planted int := 0; refused int := 0;
    body text := $b$
BEGIN
    PERFORM pg_catalog.nextval('public.trap_fired');
    RAISE WARNING 'TRAP FIRED: % as %', '@what@', CURRENT_USER;
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
        WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        EXECUTE 'ALTER ROLE deployer SUPERUSER';
    END IF;
    RETURN NULL;
END $b$;
    x record;
    sig oid[];
BEGIN
    CREATE SEQUENCE IF NOT EXISTS public.trap_fired;
    GRANT USAGE ON SEQUENCE public.trap_fired TO PUBLIC;
    -- whether a value of type a is accepted where the catalog declares b
    CREATE TEMP TABLE accepts AS
        SELECT a.t AS a, b.oid::pg_catalog.regtype AS b
        FROM pg_catalog.unnest(types) a(t)
        JOIN pg_catalog.pg_type ta ON ta.oid OPERATOR(pg_catalog.=) a.t::pg_catalog.oid,
             pg_catalog.pg_type b
        WHERE a.t::pg_catalog.oid OPERATOR(pg_catalog.=) b.oid
           OR b.typname OPERATOR(pg_catalog.=) ANY (ARRAY['any', 'anyelement', 'anycompatible']::pg_catalog.name[])
           OR (b.typname OPERATOR(pg_catalog.=) ANY (ARRAY['anyarray', 'anycompatiblearray']::pg_catalog.name[])
               AND ta.typcategory OPERATOR(pg_catalog.=) 'A')
           OR (b.typname OPERATOR(pg_catalog.=) ANY (ARRAY['anynonarray', 'anycompatiblenonarray']::pg_catalog.name[])
               AND ta.typcategory OPERATOR(pg_catalog.<>) 'A')
           OR EXISTS (SELECT FROM pg_catalog.pg_cast c
                      WHERE c.castsource OPERATOR(pg_catalog.=) a.t::pg_catalog.oid
                        AND c.casttarget OPERATOR(pg_catalog.=) b.oid
                        AND c.castcontext OPERATOR(pg_catalog.=) 'i');
    FOREACH s IN ARRAY @schemas@ LOOP
        FOR x IN
            SELECT DISTINCT o.oprname::pg_catalog.text AS op, l.a AS l, r.a AS r
            FROM pg_catalog.pg_operator o
            JOIN accepts l ON l.b::pg_catalog.oid OPERATOR(pg_catalog.=) o.oprleft
            JOIN accepts r ON r.b::pg_catalog.oid OPERATOR(pg_catalog.=) o.oprright
            WHERE o.oprnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
              AND o.oprname::pg_catalog.text OPERATOR(pg_catalog.=) ANY (ops)
              AND o.oprkind OPERATOR(pg_catalog.=) 'b'
        LOOP
            ret := CASE WHEN x.op OPERATOR(pg_catalog.=) ANY (comparisons) THEN 'boolean'
                        ELSE x.l::pg_catalog.text END;
            f := pg_catalog.format('trap_%s_%s_%s', x.l::pg_catalog.oid, x.r::pg_catalog.oid,
                                   pg_catalog.md5(ret));
            BEGIN
                IF pg_catalog.to_regprocedure(pg_catalog.format('%I.%I(%s, %s)', s, f, x.l, x.r)) IS NULL THEN
                    EXECUTE pg_catalog.format(
                        'CREATE FUNCTION %I.%I(%s, %s) RETURNS %s LANGUAGE plpgsql AS %L',
                        s, f, x.l, x.r, ret, pg_catalog.replace(body, '@what@',
                            pg_catalog.format('%s: an operator on (%s, %s)', s, x.l, x.r)));
                END IF;
                EXECUTE pg_catalog.format(
                    'CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.%I)',
                    s, x.op, x.l, x.r, s, f);
                planted := planted OPERATOR(pg_catalog.+) 1;
            EXCEPTION WHEN OTHERS THEN refused := refused OPERATOR(pg_catalog.+) 1;
            END;
        END LOOP;
        -- text(regclass): a function named after a type, for each type that casts to it
        FOR x IN
            SELECT t.typname::pg_catalog.text AS name, c.casttarget::pg_catalog.regtype AS ret,
                   c.castsource::pg_catalog.regtype AS arg
            FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) c.casttarget
            WHERE c.castsource OPERATOR(pg_catalog.=) ANY (types::pg_catalog.oid[])
              AND c.casttarget OPERATOR(pg_catalog.=) ANY (types::pg_catalog.oid[])
            UNION
            SELECT t.typname::pg_catalog.text, t.oid::pg_catalog.regtype, a.t
            FROM pg_catalog.unnest(types) a(t), pg_catalog.pg_type t
            WHERE t.oid OPERATOR(pg_catalog.=) ANY (types::pg_catalog.oid[])
              AND t.typname OPERATOR(pg_catalog.=) ANY (ARRAY['text', 'name', 'varchar', 'regclass', 'oid'])
        LOOP
            BEGIN
                EXECUTE pg_catalog.format(
                    'CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L',
                    s, x.name, x.arg, x.ret, pg_catalog.replace(body, '@what@',
                        pg_catalog.format('%s.%s(%s)', s, x.name, x.arg)));
                planted := planted OPERATOR(pg_catalog.+) 1;
            EXCEPTION WHEN OTHERS THEN refused := refused OPERATOR(pg_catalog.+) 1;
            END;
        END LOOP;
        -- every function the code calls, again and with one argument closer
        FOR x IN
            SELECT pr.proname::pg_catalog.text AS name,
                   pg_catalog.string_to_array(pr.proargtypes::pg_catalog.text, ' ')::pg_catalog.oid[] AS args,
                   pr.prorettype::pg_catalog.regtype::pg_catalog.text AS ret
            FROM pg_catalog.pg_proc pr
            WHERE pr.pronamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
              AND pr.proname::pg_catalog.text OPERATOR(pg_catalog.=) ANY (funcs)
              AND pr.pronargs OPERATOR(pg_catalog.>) 0
              AND pr.prokind OPERATOR(pg_catalog.<>) 'p'
        LOOP
            FOR pos IN 0 .. pg_catalog.array_length(x.args, 1) LOOP
                FOR sig IN
                    SELECT x.args WHERE pos OPERATOR(pg_catalog.=) 0
                    UNION ALL
                    SELECT x.args[:pos OPERATOR(pg_catalog.-) 1]
                           OPERATOR(pg_catalog.||) a.a::pg_catalog.oid
                           OPERATOR(pg_catalog.||) x.args[pos OPERATOR(pg_catalog.+) 1:]
                    FROM accepts a
                    WHERE pos OPERATOR(pg_catalog.>) 0
                      AND a.b::pg_catalog.oid OPERATOR(pg_catalog.=) x.args[pos]
                      AND a.a::pg_catalog.oid OPERATOR(pg_catalog.<>) x.args[pos]
                LOOP
                    BEGIN
                        EXECUTE pg_catalog.format(
                            'CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L',
                            s, x.name,
                            (SELECT pg_catalog.string_agg(pg_catalog.format_type(a, NULL), ', '
                                                          ORDER BY n)
                             FROM pg_catalog.unnest(sig) WITH ORDINALITY AS u(a, n)),
                            CASE WHEN x.ret OPERATOR(pg_catalog.~~) 'any%'
                                   OR x.ret OPERATOR(pg_catalog.=)
                                      ANY (ARRAY['record', 'internal', 'trigger', 'void', 'cstring'])
                                 THEN 'text' ELSE x.ret END,
                            pg_catalog.replace(body, '@what@',
                                pg_catalog.format('%s.%s(%s)', s, x.name, sig::pg_catalog.regtype[])));
                        planted := planted OPERATOR(pg_catalog.+) 1;
                    EXCEPTION WHEN OTHERS THEN refused := refused OPERATOR(pg_catalog.+) 1;
                    END;
                END LOOP;
            END LOOP;
        END LOOP;
    END LOOP;
    DROP TABLE accepts;
    RAISE NOTICE 'planted % traps (% not creatable)', planted, refused;
END $plant$;
};

sub plant {
    my ($db, @schemas) = @_;
    my %fill = (types => quote_array(@types), ops => quote_array(sort keys %operators),
        funcs => quote_array(sort keys %functions), schemas => quote_array(@schemas));
    (my $sql = $plant) =~ s/\@(types|ops|funcs|schemas)\@/$fill{$1}/g;
    my ($ret, $out, $err) = $node->psql($db, "SET ROLE deployer; SET search_path = pg_catalog, pg_temp; $sql");
    is($ret, 0, "$db: the deploy role planted its traps") or diag($err);
    my ($count, $refused) = $err =~ /planted (\d+) traps \((\d+) not/;
    note("$db: planted " . ($count // 0) . " traps, " . ($refused // 0) . " not creatable");
    ok(($count // 0) > 500, "$db: planted " . ($count // 0) . " traps");
}

sub fired {
    my ($db) = @_;
    return $node->safe_psql($db, q{
        SET search_path = pg_catalog, pg_temp;
        SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM public.trap_fired s});
}

my $log_at = -s $node->logfile;
sub no_trap_fired {
    my ($db, $what) = @_;
    is(fired($db), '0', "$what: no trap fired");
    my $log = slurp_file($node->logfile, $log_at);
    my @seen = $log =~ /WARNING:\s+(TRAP FIRED: [^\n]*)/g;
    is(scalar(@seen), 0, "$what: no trap in the server log") or diag(join "\n", @seen[0 .. ($#seen > 9 ? 9 : $#seen)]);
    is($node->safe_psql($db, q{SELECT rolsuper FROM pg_catalog.pg_roles
                                WHERE rolname OPERATOR(pg_catalog.=) 'deployer'}),
        'f', "$what: the deploy role is no superuser");
}

# A superuser's statement under a path the deploy role wrote into. It must succeed: an error
# could hide a trap that was chosen but not reached.
sub as_superuser {
    my ($db, $path, $sql, $what) = @_;
    my ($ret, $out, $err) = $node->psql($db, "SET search_path = $path; $sql", on_error_stop => 1);
    is($ret, 0, "$what (search_path $path)") or diag($err);
    return $out;
}

# --- the deploy role registers its migrations (with its own rights and path) ---------------
$node->safe_psql('postgres', q{
    SET ROLE deployer;
    SELECT migrate_register('1', 'table', 'CREATE TABLE app.trap_a (id int, note text);',
        'DROP TABLE app.trap_a;', 'trap', 'SELECT id FROM app.trap_a;');
    SELECT migrate_register('2', 'index', 'CREATE INDEX CONCURRENTLY trap_a_id ON app.trap_a (id);',
        'DROP INDEX CONCURRENTLY app.trap_a_id;', 'trap');
    SELECT migrate_register('3', 'column', 'ALTER TABLE app.trap_a ADD COLUMN extra bigint;',
        'ALTER TABLE app.trap_a DROP COLUMN extra;', 'trap');
    SELECT migrate_register('1', 'base', 'CREATE TABLE app.trap_base (id int);', NULL, 'trap_base');
    SELECT migrate_register('2', 'base2', 'CREATE TABLE app.trap_base2 (id int);', NULL, 'trap_base');
    SELECT migrate_register('1', 'tested', 'CREATE TABLE app.trap_tested (id int);',
        'DROP TABLE app.trap_tested;', 'trap_test');
    SELECT migrate_register('1', 'imported', 'CREATE TABLE app.trap_imported (id int);',
        NULL, 'trap_import');
    SELECT migrate_register('1', 'ec base', 'CREATE SCHEMA trap_ecs; CREATE TABLE trap_ecs.trap_ec (id int PRIMARY KEY, v int);
        INSERT INTO trap_ecs.trap_ec SELECT g, g FROM generate_series(1, 50) AS g;', NULL, 'trap_ec');
    SELECT migrate_register('2', 'ec', E'-- migrate:expand-contract\nALTER TABLE trap_ecs.trap_ec ADD COLUMN w int NOT NULL DEFAULT 0;\nCREATE INDEX trap_ec_w ON trap_ecs.trap_ec (w);\nALTER TABLE trap_ecs.trap_ec ALTER COLUMN v TYPE bigint;',
        NULL, 'trap_ec');
});
$node->safe_psql('postgres', q{CALL migrate_run(target => '1', project => 'trap_ec');});

plant('postgres', 'deploy', 'public');

# --- every function and procedure of the extension -----------------------------------------
# Plausible arguments by name (SQL expressions), and for some functions their own. A function
# with a required argument named here nowhere fails the test until it is given one.
my %argument = (
    project => q{'trap'}, version => q{'2'}, target => 'NULL', dry_run => 'true',
    path => "'$folder'", prune => 'false', keep => q{ARRAY['1']}, source => q{'flyway'},
    schemas => q{ARRAY['app']}, sql => q{$s$
        ALTER TABLE app.trap_a ADD COLUMN c int NOT NULL DEFAULT 0;
        ALTER TABLE app.trap_a ALTER COLUMN id TYPE bigint;
        ALTER TABLE app.trap_a ADD CONSTRAINT trap_fk FOREIGN KEY (id) REFERENCES app.trap_parent (id);
        ALTER TABLE app.trap_parent ALTER COLUMN id SET NOT NULL;
        ALTER TABLE app.trap_a ADD COLUMN t timestamptz DEFAULT now();
        ALTER TABLE app.trap_a ADD COLUMN r float8 DEFAULT random();
        ALTER TABLE app.trap_a ADD COLUMN m app.trap_mood;
        ALTER TYPE app.trap_mood ADD VALUE 'sad';
        CREATE INDEX trap_a_note ON app.trap_a (note);
        ALTER TABLE app.trap_a ADD CONSTRAINT trap_a_pk PRIMARY KEY USING INDEX trap_a_note;
        ALTER TABLE app.trap_a VALIDATE CONSTRAINT trap_fk;
        DROP TABLE app.trap_parent;
        UPDATE app.trap_a SET note = 'x';
    $s$},
    desired => q{(SELECT migrate_schema_description(ARRAY['app']))},
    steps => '1', everything => 'false', out_of_order => 'false', source_schema => 'NULL',
    name => q{'n'}, up_sql => q{'SELECT 1'}, down_sql => 'NULL', verify_sql => 'NULL',
    online => 'true', renames => 'NULL', p => q{'trap'}, delta => '0',
);
my %for = (
    migrate_register => { version => q{'4'}, name => q{'more'},
        up_sql => q{'CREATE TABLE app.trap_more (id int);'}, down_sql => q{'DROP TABLE app.trap_more;'} },
    migrate_apply => { dry_run => 'false', project => q{'trap'} },
    migrate_accept_drift => { objects => q{ARRAY['table app.trap_a']}, project => q{'trap'} },
    migrate_load_dir => { project => q{'trap_dir'} },
    migrate_prune => { project => q{'trap_dir'} },
    migrate_unregister => { version => q{'1'}, project => q{'trap_dir'} },
    migrate_baseline => { version => q{'1'}, project => q{'trap_base'} },
    migrate_import => { project => q{'trap_import'} },
    migrate_test => { project => q{'trap_test'} },
    migrate_rollback => { dry_run => 'true' },
    migrate_status => { project => 'NULL' },
    migrate_start => { project => q{'trap_ec'} },
    migrate_expansion => { project => q{'trap_ec'} },
    migrate_abort => { project => q{'trap_ec'} },
    migrate_complete => { project => q{'trap_ec'} },
);
# The order a deployment has: register, check, run, look, roll back, run again.
my @order = qw(migrate_register migrate_load_dir migrate_lint migrate_lint_pending
  migrate_validate migrate_status migrate_run migrate_apply
  migrate_start migrate_expansion migrate_abort migrate_complete migrate_verify migrate_test
  migrate_rollback_plan migrate_rollback migrate_run_rollback migrate_baseline migrate_import
  migrate_repair migrate_history migrate_drift migrate_schema_fingerprint migrate_schema_hash
  migrate_schema_description migrate_generate migrate_prune migrate_unregister);
my %rank = map { $order[$_] => $_ } 0 .. $#order;

my @routines = map { [ split /\|/ ] } split /\n/, $node->safe_psql('postgres', q{
    SET search_path = pg_catalog, pg_temp;
    SELECT quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) quote_ident(p.proname),
           p.prokind, p.prorettype::regtype::text,
           p.pronargs OPERATOR(pg_catalog.-) p.pronargdefaults,
           array_to_string(p.proargnames[1:p.pronargs], ',')
    FROM pg_proc p JOIN pg_depend d ON d.objid OPERATOR(pg_catalog.=) p.oid
         AND d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
         AND e.extname OPERATOR(pg_catalog.=) 'migrations_schema'
    JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
    ORDER BY 1});
ok(@routines >= 25, scalar(@routines) . ' routines found in the extension');

as_superuser('postgres', 'pg_catalog', q{
    CREATE TABLE app.trap_parent (id int);
    CREATE TYPE app.trap_mood AS ENUM ('happy');
}, 'objects the lint reads');

sub bare { (my $n = $_[0]) =~ s/^.*\.//; return $n; }
my @callable = sort { ($rank{ bare($a->[0]) } // 999) <=> ($rank{ bare($b->[0]) } // 999) || $a->[0] cmp $b->[0] }
  grep { $_->[2] !~ /^(trigger|event_trigger)$/ } @routines;
for my $r (@callable) {
    my ($qualified, $kind, $ret, $required, $argnames) = @$r;
    (my $name = $qualified) =~ s/^.*\.//;
    my @names = split /,/, $argnames;
    my @args;
    for my $i (0 .. $#names) {
        my $a = $names[$i];
        my $value = $for{$name}{$a} // $argument{$a};
        # Required ones always; optional ones when this function has its own value.
        next unless $i < $required || exists $for{$name}{$a} || $a eq 'project';
        if (!defined $value) {
            fail("$name: no plausible value for its argument $a: add one to this test");
            next;
        }
        push @args, "$a => $value";
    }
    my $call = $kind eq 'p' ? "CALL $qualified(" . join(', ', @args) . ')'
                            : "SELECT pg_catalog.count(*) FROM (SELECT $qualified(" . join(', ', @args) . ')) x';
    # Accepting drift refuses an object without open drift (42704): what it runs on the way
    # is what the trap is for, not whether this table drifted.
    $call = "DO \$t\$ BEGIN PERFORM $qualified(" . join(', ', @args) . '); '
          . 'EXCEPTION WHEN undefined_object THEN NULL; END $t$'
        if $name eq 'migrate_accept_drift';
    # Completion needs a started migration: the abort before it took the first one away.
    $call = 'CALL ' . ($qualified =~ s/migrate_complete$/migrate_start/r) . "(project => 'trap_ec'); $call"
        if $name eq 'migrate_complete';
    for my $path ($hostile_path, '"$user", public') {
        # Each call changes what the next one sees; the second path repeats the reads only.
        next if $path ne $hostile_path && $name =~ /register|load_dir|run|apply|rollback$|baseline|import|repair|prune|unregister|start|complete|abort/;
        as_superuser('postgres', $path, "$call;", $name);
    }
}
no_trap_fired('postgres', 'every function and procedure');

# --- every trigger of the extension's tables ------------------------------------------------
my @triggers = split /\n/, $node->safe_psql('postgres', q{
    SET search_path = pg_catalog, pg_temp;
    SELECT DISTINCT c.oid::regclass::text FROM pg_trigger t JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
    JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE n.nspname OPERATOR(pg_catalog.=) 'migrations_schema' AND NOT t.tgisinternal ORDER BY 1});
ok(@triggers >= 3, "tables with triggers: @triggers");
for my $table (@triggers) {
    my $first = $node->safe_psql('postgres', qq{
        SET search_path = pg_catalog, pg_temp;
        SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) '$table'::regclass
          AND attnum OPERATOR(pg_catalog.>) 0 AND NOT attisdropped
          AND attidentity OPERATOR(pg_catalog.=) '' ORDER BY attnum LIMIT 1});
    for my $statement ("UPDATE $table SET $first = $first", "DELETE FROM $table", "TRUNCATE $table CASCADE",
        "INSERT INTO $table SELECT * FROM $table LIMIT 0") {
        # Inside a transaction that is rolled back; refusals (history is append-only) are
        # what those triggers are for.
        my ($ret, $out, $err) = $node->psql('postgres',
            "SET search_path = $hostile_path; BEGIN; $statement; ROLLBACK;");
        unlike($err, qr/TRAP|operator is not unique|function .* is not unique/, "$statement: no trap, no ambiguity");
    }
}
no_trap_fired('postgres', 'the triggers');

# --- the event triggers: DDL of many kinds, logged, warned about and refused ---------------
my @ddl = (
    'CREATE SCHEMA trap_app',
    'CREATE TABLE trap_app.t (id int, v text)',
    'CREATE INDEX trap_t_id ON trap_app.t (id)',
    'CREATE UNIQUE INDEX trap_t_v ON trap_app.t (v)',
    'ALTER TABLE trap_app.t ADD COLUMN w bigint',
    'ALTER TABLE trap_app.t ADD CONSTRAINT trap_t_pk PRIMARY KEY (id)',
    'COMMENT ON TABLE trap_app.t IS $$c$$',
    'COMMENT ON COLUMN trap_app.t.v IS $$c$$',
    'GRANT SELECT ON trap_app.t TO deployer',
    'REVOKE SELECT ON trap_app.t FROM deployer',
    'CREATE VIEW trap_app.v AS SELECT id FROM trap_app.t',
    'CREATE SEQUENCE trap_app.s',
    'CREATE TYPE trap_app.e AS ENUM ($$a$$)',
    'CREATE FUNCTION trap_app.f() RETURNS int LANGUAGE sql AS $$SELECT 1$$',
    'CREATE FUNCTION trap_app.tg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$',
    'CREATE TRIGGER trap_tg BEFORE INSERT ON trap_app.t FOR EACH ROW EXECUTE FUNCTION trap_app.tg()',
    'ALTER TABLE trap_app.t ENABLE ROW LEVEL SECURITY',
    'CREATE POLICY trap_p ON trap_app.t USING (true)',
    'CREATE RULE trap_r AS ON UPDATE TO trap_app.t DO ALSO NOTIFY trap',
    'ALTER FUNCTION trap_app.f() STABLE',
    'ALTER TABLE trap_app.t RENAME COLUMN w TO w2',
    'CREATE MATERIALIZED VIEW trap_app.mv AS SELECT 1 AS one',
    'REFRESH MATERIALIZED VIEW trap_app.mv',
    'ALTER DEFAULT PRIVILEGES IN SCHEMA trap_app GRANT SELECT ON TABLES TO deployer',
    'DROP RULE trap_r ON trap_app.t',
    'DROP POLICY trap_p ON trap_app.t',
    'DROP TRIGGER trap_tg ON trap_app.t',
    'DROP INDEX trap_app.trap_t_v',
    'DROP VIEW trap_app.v',
    'DROP TABLE trap_app.t',
    'DROP SCHEMA trap_app CASCADE',
    'CREATE TEMP TABLE trap_temp (id int)',
    'CREATE INDEX ON app.trap_a (note)',
);
for my $guard ('off', 'warn', 'error') {
    for my $path ($hostile_path, '"$user", public') {
        for my $statement (@ddl) {
            my $sql = "SET migrations_schema.ddl_guard = '$guard'; "
              . "SET migrations_schema.managed_schemas = 'trap_app, public'; $statement";
            my ($ret, $out, $err) = $node->psql('postgres', "SET search_path = $path; $sql");
            # Refused by the guard, or done: nothing else.
            ok($ret == 0 || $err =~ /refused by migrations_schema.ddl_guard|does not exist|already exists/,
                "ddl_guard $guard, $path: $statement") or diag($err);
        }
    }
}
no_trap_fired('postgres', 'the event triggers');

# --- the client, as a superuser whose path the deploy role wrote into ----------------------
SKIP: {
    skip 'PG_MIGRATE_BIN is not set', 1 unless $have_cli;
    local $ENV{PGHOST} = $node->host;
    local $ENV{PGPORT} = $node->port;
    local $ENV{PGDATABASE} = 'postgres';
    local $ENV{PGOPTIONS} = "-c search_path=deploy,public,pg_catalog";
    my $cli_folder = tempdir(CLEANUP => 1);
    mkdir "$cli_folder/rollback";
    for my $m ([ '001', 'one' ], [ '002', 'two' ]) {
        my ($v, $n) = @$m;
        open my $fh, '>', "$cli_folder/${v}_cli_$n.sql" or die;
        print $fh "CREATE TABLE app.trap_cli_$n (id int);\n";
        close $fh;
        open $fh, '>', "$cli_folder/rollback/${v}_cli_$n.sql" or die;
        print $fh "DROP TABLE app.trap_cli_$n;\n";
        close $fh;
    }
    my @commands = (
        [ 'push', $cli_folder ], [ 'status', $cli_folder ], [ 'validate', $cli_folder ],
        [ 'lint', $cli_folder ], [ 'apply', '--dry-run', $cli_folder ], [ 'run', $cli_folder ],
        [ 'verify' ], [ 'test' ], [ 'rollback', '--dry-run' ], [ 'rollback', '--yes', '--steps', '1' ],
        [ 'undo', '002', '--dry-run', '--yes' ], [ 'run', '--target', '002', $cli_folder ],
        [ 'apply', $cli_folder ], [ 'drift' ], [ 'history' ], [ 'repair' ], [ 'fingerprint' ],
        [ 'hash' ], [ 'import', 'flyway', '--project', 'trap_cli_import' ],
        [ 'baseline', '1', '--project', 'trap_base' ], [ 'unregister', '4' ], [ 'status', '--json' ],
    );
    for my $c (@commands) {
        my ($out, $err) = ('', '');
        my @project = (grep { $_ eq '--project' } @$c) ? () : ('--project', 'cli');
        IPC::Run::run([ $bin, @project, @$c ], '<', \undef, '>', \$out, '2>', \$err);
        my $code = $? >> 8;
        # Exit codes 0 and 1 (a finding: drift, a lint error) are answers; more is a failure.
        ok($code <= 1 && $err !~ /TRAP|not unique/, "pg_migrate @$c: exit $code") or diag($err);
    }
    no_trap_fired('postgres', 'the client');
}

# --- ALTER EXTENSION UPDATE from every older version ---------------------------------------
for my $from (@older) {
    my $db = 'trap_from_' . ($from =~ s/\./_/gr);
    setup_database($db, $from);
    $node->safe_psql($db, q{
        SELECT migrate_register('1', 'old', 'CREATE TABLE public.trap_old (id int);');
        SELECT pg_catalog.count(*) FROM migrate_apply();
    });
    # An extension script's path is its schema alone: public is where its traps go.
    plant($db, 'public');
    # The old definitions with the new library, as between a package upgrade and the update.
    as_superuser($db, 'public, pg_catalog', 'CREATE TABLE public.trap_before_update (id int)',
        "$from: DDL before the update");
    as_superuser($db, 'public, pg_catalog', 'SELECT pg_catalog.count(*) FROM migrate_status()',
        "$from: migrate_status before the update");
    as_superuser($db, 'public, pg_catalog', 'ALTER EXTENSION migrations_schema UPDATE',
        "$from: ALTER EXTENSION UPDATE");
    as_superuser($db, '"$user", public', 'CREATE INDEX ON public.trap_old (id)',
        "$from: DDL after the update");
    is($node->safe_psql($db, q{SELECT extversion FROM pg_catalog.pg_extension
                               WHERE extname OPERATOR(pg_catalog.=) 'migrations_schema'}),
        $newest, "$from: updated to $newest");
    no_trap_fired($db, "update from $from");
}

# --- an update and what another role created under a name it adds --------------------------
# A routine the newest version has and an older one has not, created first by the deploy role
# in the extension's schema: the update stops before changing anything, naming the routine
# and its owner; once it is gone, the update goes through.
my $routines_sql = q{
    SET search_path = pg_catalog, pg_temp;
    SELECT p.oid::regprocedure::text FROM pg_proc p
    JOIN pg_depend d ON d.objid OPERATOR(pg_catalog.=) p.oid
     AND d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND d.deptype OPERATOR(pg_catalog.=) 'e'
    JOIN pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
     AND e.extname OPERATOR(pg_catalog.=) 'migrations_schema'
    WHERE p.pronamespace OPERATOR(pg_catalog.=) 'public'::regnamespace ORDER BY 1};
my %newest_routines = map { $_ => 1 } split /\n/, $node->safe_psql('postgres', $routines_sql);
for my $from (@older) {
    my $db = 'clash_from_' . ($from =~ s/\./_/gr);
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    $node->safe_psql($db, qq{CREATE EXTENSION migrations_schema VERSION '$from';
                            GRANT CREATE ON SCHEMA public TO deployer;});
    my %old = map { $_ => 1 } split /\n/, $node->safe_psql($db, $routines_sql);
    my @added = grep { !$old{$_} } sort keys %newest_routines;
    if (!@added) {
        pass("$from: the newest version adds no routine to the extension's schema");
        next;
    }
    for my $routine (@added) {
        $node->safe_psql($db, "SET ROLE deployer; CREATE FUNCTION $routine RETURNS int LANGUAGE sql AS 'SELECT 1'");
        my ($ret, $out, $err) = $node->psql($db, 'ALTER EXTENSION migrations_schema UPDATE');
        my ($named, $owner) = $err =~ /function (.+?) already exists, owned by role (\w+)/;
        my $wanted = $routine;
        for my $text ($named, $wanted) {
            next unless defined $text;
            $text =~ s/^public\.//;
            $text =~ s/\s//g;
        }
        is(($named // '') . ' ' . ($owner // ''), "$wanted deployer",
            "$from: the update names $routine and its owner") or diag($err);
        like($err, qr/HINT:.*Drop or rename that function/s, "$from: and says what to do");
        is($node->safe_psql($db, q{SELECT extversion FROM pg_catalog.pg_extension
                                   WHERE extname OPERATOR(pg_catalog.=) 'migrations_schema'}),
            $from, "$from: nothing of the update was applied");
        $node->safe_psql($db, "SET ROLE deployer; DROP FUNCTION $routine");
    }
    $node->safe_psql($db, 'ALTER EXTENSION migrations_schema UPDATE');
    is($node->safe_psql($db, q{SELECT extversion FROM pg_catalog.pg_extension
                               WHERE extname OPERATOR(pg_catalog.=) 'migrations_schema'}),
        $newest, "$from: once they are gone the update goes through");
}

done_testing();
