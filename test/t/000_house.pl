# The shape of the tree, checked so that it does not decay: the layers of src/ (CONTRIBUTING.md),
# the regress list against sql/, and the files every release carries.
use strict;
use warnings;
use File::Find;
use Test::More;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return <$fh>; }

# Capability folders, lowest first: a file may include headers of its own folder and of
# folders before it, never after it. That rules out cycles and keeps api/ (src/pg) and the
# client-only and Citus rooms (src/core) on top.
my %order = (
    pg   => [qw(base parse registry lint schema runner api)],
    core => [qw(base plan folder lint schema client citus)],
);
my %rank;
for my $tree (keys %order) {
    my @o = @{ $order{$tree} };
    $rank{$tree}{ $o[$_] } = $_ for 0 .. $#o;
}

for my $tree (sort keys %order) {
    opendir my $dh, "src/$tree" or die "src/$tree: $!";
    my @entries = grep { !/^\./ } readdir $dh;
    closedir $dh;
    my @unknown = grep {
        !(-d "src/$tree/$_" && exists $rank{$tree}{$_})
          && !($tree eq 'pg' && $_ eq 'module.cpp') && !/\.(o|bc|d)$/
    } @entries;
    is_deeply(\@unknown, [], "src/$tree holds only its capability folders");
}

my (@files, @violations, @order_violations);
find(sub { push @files, $File::Find::name if /\.(cpp|hpp)$/ }, 'src');
for my $file (sort @files) {
    my $text = slurp($file);
    my ($layer, $folder) = $file =~ m{^src/(core|cli|pg)(?:/([a-z_]+)/)?};
    while ($text =~ /^#include "([^"]+)"/mg) {
        my $inc = $1;
        if ($layer eq 'core' && $inc !~ m{^core/}) {
            push @violations, "$file includes $inc (src/core is pure)";
            next;
        }
        if ($layer eq 'cli') {
            push @violations, "$file includes $inc (the client sees core only)" if $inc =~ m{^pg/};
            next;
        }
        my ($to_tree, $to) = $inc =~ m{^(core|pg)/([a-z_]+)/};
        if (!defined $to_tree) {
            push @violations, "$file includes $inc, outside the capability folders"
                if $inc =~ m{^(core|pg)/};
            next;
        }
        next unless $to_tree eq $layer && defined $folder;    # module.cpp may include anything
        if (!exists $rank{$layer}{$to}) {
            push @violations, "$file includes $inc, an unknown folder";
        } elsif ($rank{$layer}{$to} > $rank{$layer}{$folder}) {
            push @violations, "$file ($folder) includes $inc ($to), a folder above it";
        }
    }
    # The purity guard holds only where it is included: every source file of src/core.
    push @violations, "$file does not include core/base/pure.hpp (src/core is pure)"
        if $layer eq 'core' && $file =~ /\.cpp$/ && $text !~ m{^#include "core/base/pure\.hpp"}m;
    push @violations, "$file cites DESIGN.md, which is not in the repository"
        if $text =~ /DESIGN\.md/;
    push @violations, "$file cites an issue number" if $text =~ /\bissue\s*#?\d+/i;
}
is_deeply(\@violations, [], 'includes follow the layers; comments cite the repository only');

# One include order everywhere (scripts/sort_includes writes it): the file's own header
# alone first, then the project's headers, then PostgreSQL's inside extern "C", then
# <library> and <standard> headers, each block sorted; core/base/pure.hpp alone and last.
# clang-format could sort blocks, but not keep the extern "C" wrapping and the purity guard
# where they must be; this check knows both.
my @sources;
find(sub { push @sources, $File::Find::name if /\.(cpp|hpp)$/ }, grep { -d } qw(src test bench));
for my $file (sort @sources) {
    my @lines = split /\n/, slurp($file);
    my (@runs, $current, $extern);
    for my $line (@lines) {
        $extern = 1 if $line =~ /^extern "C" \{/;
        $extern = 0 if $line =~ /^\}/;
        if ($line =~ /^#include ([<"])([^>"]+)/) {
            my $kind = $1 eq '<' ? 'angle' : $extern ? 'server' : 'project';
            if (!$current) { $current = { kind => $kind, items => [] }; push @runs, $current; }
            push @order_violations, "$file: $2 shares a block with other kinds of include"
                if $current->{kind} ne $kind;
            push @{ $current->{items} }, $2;
        } else {
            undef $current;
        }
    }
    next unless @runs;
    my ($own) = $file =~ m{^src/(.+)\.cpp$};
    if ($own && -f "src/$own.hpp") {
        my $first = shift @runs;
        push @order_violations, "$file: its own header is not first and alone"
            unless "@{ $first->{items} }" eq "$own.hpp";
    }
    if (grep { $_ eq 'core/base/pure.hpp' } map { @{ $_->{items} } } @runs) {
        my $last = pop @runs;
        push @order_violations, "$file: core/base/pure.hpp is not alone and last"
            unless "@{ $last->{items} }" eq 'core/base/pure.hpp';
    }
    # <libintl.h> must precede the server's c.h (pg.hpp says why): the one early library.
    @runs = grep { "@{ $_->{items} }" ne 'libintl.h' } @runs if $file eq 'src/pg/base/pg.hpp';
    my %place = (project => 0, server => 1, angle => 2);
    my $seen = 0;
    for my $run (@runs) {
        my @items = @{ $run->{items} };
        push @order_violations, "$file: block starting at $items[0] is not sorted"
            unless join("\n", @items) eq join("\n", sort @items);
        push @order_violations, "$file: $run->{kind} block starting at $items[0] comes too late"
            if $place{ $run->{kind} } < $seen;
        $seen = $place{ $run->{kind} } if $place{ $run->{kind} } > $seen;
    }
}
diag($_) for @order_violations;
is_deeply(\@order_violations, [], 'include blocks in the house order (scripts/sort_includes)');

# Version differences live in one header: PG_VERSION_NUM is tested in src/pg/base/compat.hpp
# and nowhere else in the sources.
my @version_guards;
for my $file (sort @sources) {
    next if $file eq 'src/pg/base/compat.hpp';
    push @version_guards, $file if slurp($file) =~ /PG_VERSION_NUM/;
}
is_deeply(\@version_guards, [], 'PG_VERSION_NUM only in src/pg/base/compat.hpp');

# The regress list runs every test in sql/, and every test has its expected output.
my @listed = grep { /\S/ && !/^#/ } split /\n/, slurp('test/regress.list');
opendir my $sql, 'sql' or die "sql: $!";
my @present = sort map { s/\.sql$//r } grep { /\.sql$/ } readdir $sql;
closedir $sql;
is_deeply([sort @listed], \@present, 'test/regress.list names exactly the tests in sql/');
is($listed[0], 'setup', 'setup runs first');
ok(-f "expected/$_.out", "expected/$_.out exists") for @listed;

# What a release carries.
ok(-f 'LICENSE', 'LICENSE');
like(slurp('LICENSE'), qr/PostgreSQL License/, 'LICENSE is the PostgreSQL licence META.json names');
like(slurp('META.json'), qr/"license"\s*:\s*"postgresql"/, 'META.json says postgresql');
like(slurp('CHANGELOG.md'), qr/^## Unreleased/m, 'CHANGELOG.md has an Unreleased section');
ok(-f 'CONTRIBUTING.md', 'CONTRIBUTING.md');

done_testing();
