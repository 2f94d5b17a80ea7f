# The shape of the tree, checked so that it does not decay: the layers of src/ (CONTRIBUTING.md),
# the regress list against sql/, and the files every release carries.
use strict;
use warnings;
use File::Find;
use Test::More;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return <$fh>; }

# Capability folders of src/pg, lowest first: a file may include headers of its own folder
# and of folders before it, never after it. That rules out cycles and keeps api/ on top.
my @order = qw(base parse registry lint schema runner api);
my %rank;
@rank{@order} = (0 .. $#order);

opendir my $dh, 'src/pg' or die "src/pg: $!";
my @entries = grep { !/^\./ } readdir $dh;
closedir $dh;
my @unknown = grep { !exists $rank{$_} && $_ ne 'module.cpp' && !/\.(o|bc|d)$/ } @entries;
is_deeply(\@unknown, [], 'src/pg holds only the capability folders and module.cpp');

my (@files, @violations);
find(sub { push @files, $File::Find::name if /\.(cpp|hpp)$/ }, 'src');
for my $file (sort @files) {
    my $text = slurp($file);
    my ($layer, $folder) = $file =~ m{^src/(core|cli|pg)(?:/([a-z_]+)/)?};
    while ($text =~ /^#include "([^"]+)"/mg) {
        my $inc = $1;
        if ($layer eq 'core') {
            push @violations, "$file includes $inc (src/core is pure)" if $inc !~ m{^core/};
        } elsif ($layer eq 'cli') {
            push @violations, "$file includes $inc (the client sees core only)" if $inc =~ m{^pg/};
        } elsif ($inc =~ m{^pg/([a-z_]+)/}) {
            my $to = $1;
            next unless defined $folder;    # module.cpp may include anything
            if (!exists $rank{$to}) {
                push @violations, "$file includes $inc, an unknown folder";
            } elsif ($rank{$to} > $rank{$folder}) {
                push @violations, "$file ($folder) includes $inc ($to), a folder above it";
            }
        } elsif ($inc =~ m{^pg/}) {
            push @violations, "$file includes $inc, outside the capability folders";
        }
    }
    push @violations, "$file cites DESIGN.md, which is not in the repository"
        if $text =~ /DESIGN\.md/;
    push @violations, "$file cites an issue number" if $text =~ /\bissue\s*#?\d+/i;
}
is_deeply(\@violations, [], 'includes follow the layers; comments cite the repository only');

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
