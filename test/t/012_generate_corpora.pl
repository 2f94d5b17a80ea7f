# migrate_generate() proven on real projects' migrations (../shared/corpora): for every
# consecutive pair k-1 -> k of each folder, the desired schema is the one after migration k
# and the live one the schema after k-1. The generated up script must build the desired
# fingerprint exactly, its down script must bring back the one after k-1, the up script must
# have no error-severity lint finding, and migrate_test() must find the pair reversible. A
# miss is allowed only where the generator names what it did not write (not_generated);
# anything else is a wrong script and fails the test. Each transition is generated twice,
# online-safe and --no-online. One database per folder; each transition runs in
# subtransactions that are rolled back.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $corpora = dirname(abs_path(__FILE__)) . '/../../../shared/corpora';
if (!-d "$corpora/authelia" || !-d "$corpora/ente") {
    plan skip_all => "the shared corpora are not beside this checkout ($corpora)";
}

my $node = PostgreSQL::Test::Cluster->new('generate_corpora');
$node->init;
$node->start;

# The up scripts in version order, as they run in one transaction: CONCURRENTLY dropped (a
# transaction cannot run it; the same object is built) and a BEGIN ... COMMIT/END wrapper
# taken off.
sub corpus_sql {
    my ($dir) = @_;
    opendir(my $dh, $dir) or die "$dir: $!";
    my @ups = grep { /\.up\.sql$/ } readdir($dh);
    closedir($dh);
    my $number = sub { $_[0] =~ /^V?(\d+)/ ? $1 + 0 : die "no version in $_[0]" };
    my $sql = "CREATE TABLE corpus (k int, name text, up text);\n";
    for my $file (sort { $number->($a) <=> $number->($b) } @ups) {
        my $body = slurp_file("$dir/$file");
        if ($body =~ s/^[ \t]*BEGIN[ \t]*;[ \t]*\r?$//gim) {
            $body =~ s/^[ \t]*COMMIT[ \t]*;[ \t]*\r?$//gim;
            $body =~ s/^[ \t]*END[ \t]*;\s*\z//im;
        }
        $body =~ s/\bCONCURRENTLY\b//gi;
        die "$file holds the quoting tag" if $body =~ /\$corpus_up\$/;
        $sql .= sprintf("INSERT INTO corpus VALUES (%d, '%s', \$corpus_up\$%s\$corpus_up\$);\n",
                        $number->($file), $file, $body);
    }
    return $sql;
}

my $driver = <<'SQL';
SET client_min_messages = warning;
CREATE TABLE proof (k int, name text, online boolean, outcome text, detail text, not_generated text[]);
CREATE FUNCTION pg_temp.fp_flat(f jsonb) RETURNS TABLE (kind text, obj text, attr text, val text)
LANGUAGE sql AS $$
    SELECT k.key, o.key, a.key, a.value
    FROM jsonb_each(f) k, jsonb_each(k.value) o, jsonb_each_text(o.value) a $$;
-- What differs, object by object: "kind object (attribute: got -> wanted)".
CREATE FUNCTION pg_temp.fp_diff(want jsonb, got jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(DISTINCT coalesce(w.kind, g.kind) || ' ' || coalesce(w.obj, g.obj) ||
           CASE WHEN w.kind IS NULL THEN ' (extra ' || g.attr || ')'
                WHEN g.kind IS NULL THEN ' (missing ' || w.attr || ')'
                ELSE ' (' || w.attr || ': ' || left(g.val, 60) || ' -> wanted ' || left(w.val, 60) || ')'
           END, '; ')
    FROM pg_temp.fp_flat(want) w
    FULL JOIN pg_temp.fp_flat(got) g ON (w.kind, w.obj, w.attr) = (g.kind, g.obj, g.attr)
    WHERE w.val IS DISTINCT FROM g.val $$;
DO $proof$
DECLARE
    m record; g record; t record; online boolean;
    before jsonb; desired jsonb; after_up jsonb; after_down jsonb;
    problem text; lint_errors text;
BEGIN
    FOR m IN SELECT * FROM corpus ORDER BY k LOOP
        before := migrate_schema_fingerprint();
        desired := NULL; problem := NULL; after_up := NULL; after_down := NULL;
        BEGIN
            EXECUTE m.up;
            desired := migrate_schema_description();
            RAISE EXCEPTION 'proof: undo';
        EXCEPTION WHEN OTHERS THEN
            IF SQLERRM <> 'proof: undo' THEN problem := 'migration failed: ' || SQLERRM; END IF;
        END;
        IF problem IS NOT NULL THEN
            INSERT INTO proof VALUES (m.k, m.name, NULL, 'not run', problem, NULL);
            CONTINUE;
        END IF;
        -- Online-safe (the default) and --no-online take different paths for the same change.
        FOREACH online IN ARRAY ARRAY[true, false] LOOP
        problem := NULL; after_up := NULL; after_down := NULL;
        SELECT * INTO g FROM migrate_generate(desired, online => online);
        SELECT string_agg(rule || ' (statement ' || statement || ')', ', ') INTO lint_errors
        FROM migrate_lint(g.up) WHERE severity = 'error';
        BEGIN
            EXECUTE regexp_replace(g.up, '\mCONCURRENTLY\M', '', 'g');
            after_up := migrate_schema_fingerprint();
            BEGIN
                EXECUTE regexp_replace(g.down, '\mCONCURRENTLY\M', '', 'g');
                after_down := migrate_schema_fingerprint();
            EXCEPTION WHEN OTHERS THEN
                problem := 'down failed: ' || SQLERRM;
            END;
            RAISE EXCEPTION 'proof: undo';
        EXCEPTION WHEN OTHERS THEN
            IF SQLERRM <> 'proof: undo' THEN problem := 'up failed: ' || SQLERRM; END IF;
        END;
        IF problem IS NULL AND after_up <> desired->'fingerprint' THEN
            problem := 'up differs: ' || pg_temp.fp_diff(desired->'fingerprint', after_up);
        END IF;
        IF problem IS NULL AND after_down <> before THEN
            problem := 'down differs: ' || pg_temp.fp_diff(before, after_down);
        END IF;
        IF problem IS NULL AND lint_errors IS NOT NULL THEN
            problem := 'lint errors: ' || lint_errors;
        END IF;
        -- The generated pair as a registered migration: migrate_test() runs up, down and up
        -- again against the live schema and compares fingerprints.
        IF problem IS NULL THEN
            BEGIN
                PERFORM migrate_register('1', 'generated', g.up, g.down, 'generated');
                SELECT * INTO t FROM migrate_test('generated');
                IF t.reversible <> 'true' THEN
                    problem := 'migrate_test: ' || t.reversible || ' ' || coalesce(t.detail, '');
                END IF;
                RAISE EXCEPTION 'proof: undo';
            EXCEPTION WHEN OTHERS THEN
                IF SQLERRM <> 'proof: undo' THEN problem := 'migrate_test failed: ' || SQLERRM; END IF;
            END;
        END IF;
        INSERT INTO proof VALUES (m.k, m.name, online,
            CASE WHEN problem IS NULL THEN 'exact'
                 WHEN cardinality(g.not_generated) > 0 AND problem LIKE '% differs: %' THEN 'named'
                 ELSE 'wrong' END,
            problem, g.not_generated);
        END LOOP;
        EXECUTE m.up;
    END LOOP;
END
$proof$;
SQL

my ($exact, $total) = (0, 0);
for my $name ('authelia', 'ente') {
    my $db = "corpus_$name";
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    $node->safe_psql($db, 'CREATE EXTENSION migrations_schema');
    $node->safe_psql($db, corpus_sql("$corpora/$name"));
    $node->safe_psql($db, $driver);
    my $rows = $node->safe_psql($db, q{SELECT count(*) FILTER (WHERE outcome = 'exact'), count(*) FROM proof});
    my ($e, $n) = split /\|/, $rows;
    note("$name: $e of $n generated migrations round-trip exactly (each transition online and --no-online)");
    $exact += $e;
    $total += $n;
    for my $miss (split /\n/, $node->safe_psql($db, q{
            SELECT k || ' ' || name || CASE WHEN online THEN '' ELSE ' (--no-online)' END ||
                   ' [' || outcome || ']: ' || detail ||
                   coalesce(' -- named: ' || array_to_string(not_generated, ' | '), '')
            FROM proof WHERE outcome <> 'exact' ORDER BY k})) {
        note("  $miss");
    }
    is($node->safe_psql($db, q{
            SELECT string_agg(k || ' ' || detail, E'\n' ORDER BY k) FROM proof
            WHERE outcome IN ('wrong', 'not run')}),
       '', "$name: no generated script is wrong (a miss is only what the generator names)");
}
my $share = $total ? $exact / $total : 0;
note(sprintf("all corpora: %d of %d generated migrations exact (%.1f%%)", $exact, $total, 100 * $share));
cmp_ok($share, '>=', 0.9, 'at least 90% of the transitions round-trip exactly');

done_testing();
