# The reference keeps up with the code: every SQL function, procedure and view the newest
# install script creates, every setting the library defines, every lint rule and every
# pg_migrate command has its entry in docs/, no entry names a function that no longer
# exists, and the links between README.md and docs/*.md lead somewhere. No server needed.
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use Test::More;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return <$fh>; }

sub version_key { return join '.', map { sprintf '%06d', $_ } split /\./, $_[0]; }

# The newest full install script (not an upgrade script): what a fresh CREATE EXTENSION runs.
opendir my $dh, 'install' or die "install: $!";
my @versions = sort { version_key($a) cmp version_key($b) }
  map { /^migrations_schema--(\d+(?:\.\d+)*)\.sql$/ ? $1 : () } readdir $dh;
closedir $dh;
ok(@versions, 'install scripts found') or BAIL_OUT('no install script');
my $install = "install/migrations_schema--$versions[-1].sql";
my $script = slurp($install);
$script =~ s/--[^\n]*//g;    # comments may name functions that are not created

# Functions and procedures: those of the extension's schema by their bare name (that is how
# users call them), the internal ones in migrations_schema by their qualified name.
my %sql_objects;
while ($script =~ /\bCREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|VIEW)\s+
                   (?:(\@extschema\@|migrations_schema)\.)?(\w+)/gix) {
    my ($kind, $schema, $name) = (uc $1, $2 // '@extschema@', $3);
    my $shown = $schema eq 'migrations_schema' ? "migrations_schema.$name" : $name;
    $sql_objects{$shown} = $kind;
}
cmp_ok(scalar(grep { $sql_objects{$_} ne 'VIEW' } keys %sql_objects), '>=', 25,
    "$install creates the functions (parsed " . scalar(keys %sql_objects) . ' objects)');

my $sql_md = slurp('docs/sql.md');
my @sql_headings = $sql_md =~ /^#{2,4} (.*)$/mg;
for my $name (sort keys %sql_objects) {
    # An entry is a heading naming the object in code: `name(` (or `CALL name(`) for a
    # routine, `name` for a view.
    my $pattern = $sql_objects{$name} eq 'VIEW' ? qr/`\Q$name\E`/ : qr/`(?:CALL )?\Q$name\E\(/;
    ok((grep { $_ =~ $pattern } @sql_headings),
        "docs/sql.md has an entry for $sql_objects{$name} $name");
}
# And the other way round: an entry for something the install script does not create is stale.
for my $heading (@sql_headings) {
    while ($heading =~ /`(?:CALL )?((?:migrations_schema\.)?migrate_\w+|migrations_schema\.\w+)\(/g) {
        ok(exists $sql_objects{$1}, "docs/sql.md's entry `$1(` names a routine $install creates");
    }
}

# Settings: every DefineCustom*Variable of the library.
my $settings_cpp = slurp('src/pg/base/settings.cpp');
my @settings = $settings_cpp =~ /DefineCustom\w+Variable\(\s*"([^"]+)"/g;
cmp_ok(scalar @settings, '>=', 10, 'settings parsed from src/pg/base/settings.cpp');
for my $setting (@settings) {
    ok((grep { /^`\Q$setting\E`$/ } @sql_headings), "docs/sql.md has an entry for setting $setting");
}

# Lint rules: every id the core knows is named in the rules' section.
my ($rules_section) = $sql_md =~ /^## Lint rules and policies\n(.*?)(?=^## )/ms;
ok(defined $rules_section, 'docs/sql.md has a section "Lint rules and policies"');
my @rules = slurp('src/core/lint/rules.cpp') =~ /\{R::\w+,\s*"([a-z0-9-]+)"/g;
cmp_ok(scalar @rules, '>=', 30, 'lint rules parsed from src/core/lint/rules.cpp');
for my $rule (@rules) {
    like($rules_section // '', qr/`\Q$rule\E`/, "docs/sql.md names lint rule $rule");
}

# The linter's coverage of squawk's and strong_migrations' cases, as docs/sql.md states it, is
# what sql/lint_coverage.sql measures (the figures of its expected output), and meets the goal:
# at least 95% of the bad cases caught, no false positive on the ok cases.
my %measured;
my $coverage_out = slurp('expected/lint_coverage.out');
while ($coverage_out
       =~ /^ (squawk|strong_migrations)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*$/mg) {
    $measured{$1} = { bad => $2, caught => $3, pct => $4, ok => $5, false_positives => $6 };
}
is_deeply([ sort keys %measured ], [qw(squawk strong_migrations)],
    'expected/lint_coverage.out has the figures of both sources');
(my $sql_md_flat = $sql_md) =~ s/\s+/ /g;
my @squawk_stated = $sql_md_flat
  =~ /catches (\d+) of squawk's (\d+) bad cases \(([\d.]+)%\) with no false positive on its (\d+) ok cases/;
is_deeply(\@squawk_stated, [ @{ $measured{squawk} // {} }{qw(caught bad pct ok)} ],
    "docs/sql.md states squawk's coverage as measured");
my @strong_stated = $sql_md_flat =~ /all (\d+) of strong_migrations' \(100%\) with none on its (\d+) safe forms/;
my $strong = $measured{strong_migrations} // {};
is_deeply(\@strong_stated, [ $strong->{caught} == $strong->{bad} ? $strong->{bad} : 'not all', $strong->{ok} ],
    "docs/sql.md states strong_migrations' coverage as measured");
for my $source (sort keys %measured) {
    cmp_ok($measured{$source}{pct}, '>=', 95, "$source: at least 95% of the bad cases caught");
    is($measured{$source}{false_positives}, 0, "$source: no false positive on the ok cases");
}

# pg_migrate's commands: the words of the command table in src/cli/options.cpp.
my $options_cpp = slurp('src/cli/options.cpp');
my @commands = $options_cpp =~ /\{Command::\w+,\s*"([a-z-]+)"/g;
cmp_ok(scalar @commands, '>=', 20, 'commands parsed from the table in src/cli/options.cpp');
my $cli_md = slurp('docs/cli.md');
my @cli_headings = $cli_md =~ /^#{2,4} (.*)$/mg;
for my $word (@commands) {
    ok((grep { /^`pg_migrate \Q$word\E`$/ } @cli_headings), "docs/cli.md has an entry for pg_migrate $word");
}
for my $heading (@cli_headings) {
    next unless $heading =~ /^`pg_migrate (\S+)`$/;
    my $word = $1;
    ok((grep { $_ eq $word } @commands), "docs/cli.md's entry pg_migrate $word is a command");
}
like($cli_md, qr/^## Exit status$/m, 'docs/cli.md documents the exit status');

# The guide: the two commands first, and short enough to read.
my $readme = slurp('README.md');
my ($first_block) = $readme =~ /^```\w*\n(.*?)^```/ms;
like($first_block // '', qr/\A\.\/scripts\/demo\b[^\n]*\n\.\/scripts\/test\b/,
    'README.md opens with ./scripts/demo and ./scripts/test');
my $readme_lines = () = $readme =~ /\n/g;
cmp_ok($readme_lines, '<=', 400, "README.md is a guide ($readme_lines lines)");
ok(-f "docs/$_.md", "docs/$_.md exists") for qw(sql cli operations security generate performance);

# CHANGELOG.md: a section per released version, the one being written (the control file's
# default_version) under "Unreleased", each matching an install script.
my ($open_version) = slurp('migrations_schema.control') =~ /^default_version\s*=\s*'([^']+)'/m;
my $changelog = slurp('CHANGELOG.md');
my @sections = $changelog =~ /^## (\S+)/mg;
is($sections[0], 'Unreleased', 'CHANGELOG.md starts with Unreleased');
my @released = grep { $_ ne $open_version } @versions;
is_deeply([ grep { $_ ne 'Unreleased' } @sections ], [ reverse @released ],
    "CHANGELOG.md has a section per released version, newest first (@released)");

# Links: every relative link of README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md names
# a file that exists, and an anchor names a heading of that file (GitHub's slugs).
sub slugs {
    my ($file) = @_;
    my (%seen, %slugs);
    my $in_code = 0;
    for my $line (split /\n/, slurp($file)) {
        $in_code = !$in_code if $line =~ /^```/;
        next if $in_code || $line !~ /^#{1,6} (.*)$/;
        (my $slug = lc $1) =~ s/[^\w\- ]//g;
        $slug =~ s/ /-/g;
        my $n = $seen{$slug}++;
        $slugs{ $n ? "$slug-$n" : $slug } = 1;
    }
    return \%slugs;
}

opendir my $docs, 'docs' or die "docs: $!";
my @pages = ('README.md', 'CONTRIBUTING.md', 'CHANGELOG.md',
             map { "docs/$_" } sort grep { /\.md$/ } readdir $docs);
closedir $docs;
my $links = 0;
for my $page (@pages) {
    my $fences = () = slurp($page) =~ /^```/mg;
    ok($fences % 2 == 0, "$page closes every code block it opens");
}
for my $page (@pages) {
    my $text = slurp($page);
    $text =~ s/^```.*?^```//msg;    # examples are not links
    $text =~ s/`[^`\n]*`//g;
    while ($text =~ /\[[^\]]*\]\(([^)\s]+)\)/g) {
        my $target = $1;
        next if $target =~ m{^[a-z]+:}i;    # http:, https:, mailto:
        ++$links;
        my ($path, $anchor) = $target =~ /^([^#]*)(?:#(.*))?$/;
        my $file = $path eq '' ? $page : File::Spec->canonpath(dirname($page) . "/$path");
        if (!-e $file) {
            fail("$page links to $target, which does not exist");
            next;
        }
        next unless defined $anchor;
        ok(slugs($file)->{$anchor}, "$page links to $target, a heading of $file");
    }
}
cmp_ok($links, '>=', 20, "relative links checked ($links)");

done_testing();
