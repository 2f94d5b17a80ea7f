# `make dist` writes the PGXN zip, migrations_schema-<version>.zip: everything under one
# folder migrations_schema-<version>/, with META.json, the control file, every install and
# upgrade script, the sources and the tests, and no build products or .git. Made in a
# copy of the tree (built, so build products are there to leave out), once as a git
# checkout (git archive of HEAD) and once without .git.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;

my ($version) = do {
    open my $fh, '<', 'migrations_schema.control' or die $!;
    local $/; <$fh> =~ /^default_version\s*=\s*'([^']+)'/m;
};
my $dist = "migrations_schema-$version";

sub run_ok {
    my ($cmd, $what) = @_;
    my $out = `$cmd 2>&1`;
    ok($? == 0, $what) or diag("$cmd:\n$out");
    return $out;
}

sub check_zip {
    my ($tree, $how) = @_;
    run_ok("make -s -C '$tree' dist", "$how: make dist succeeds");
    my $zip = "$tree/$dist.zip";
    ok(-f $zip, "$how: writes $dist.zip");
    my @entries = split /\n/, run_ok("unzip -Z1 '$zip'", "$how: the zip can be listed");
    is_deeply([grep { !m{^\Q$dist\E/} } @entries], [], "$how: every entry is under $dist/");
    my %has = map { s{^\Q$dist\E/}{}r => 1 } @entries;
    for my $file ('META.json', 'migrations_schema.control', 'Makefile', 'README.md', 'LICENSE',
        'src/pg/module.cpp', 'src/core/base/pure.hpp', 'test/regress.list', 'debian/control.in',
        map { s{^\./}{}r } glob('install/*.sql')) {
        ok($has{$file}, "$how: contains $file");
    }
    is_deeply([grep { /\.(o|so|bc|d)$|(^|\/)\.git\/|^(tmp_check|results|build)\/|\.zip$/ } keys %has],
        [], "$how: no build products, .git, test output or older zip");
    return scalar @entries;
}

my $tmp = tempdir(CLEANUP => 1);
my $tree = "$tmp/tree";
mkdir $tree or die $!;
system("tar --exclude=./.git --exclude=./tmp_check -cf - . | tar -C '$tree' -xf -") == 0 or die;
# A build product and a zip from before, wherever the tree under test has none.
for my $f ('src/pg/module.o', 'migrations_schema.so', "migrations_schema-0.0.1.zip") {
    open my $fh, '>', "$tree/$f" or die "$f: $!"; close $fh;
}

check_zip($tree, 'without .git');

SKIP: {
    skip 'git is not installed', 1 unless `git --version 2>/dev/null`;
    my $git = "git -C '$tree' -c user.name=t -c user.email=t\@localhost";
    run_ok("$git init -q && $git add -A && $git commit -q -m dist", 'a git checkout of the copy');
    # Uncommitted files are not in a release made from git.
    open my $fh, '>', "$tree/uncommitted.txt" or die $!; close $fh;
    check_zip($tree, 'in a git checkout');
    my @entries = split /\n/, `unzip -Z1 '$tree/$dist.zip'`;
    ok(!grep({ m{/uncommitted\.txt$} } @entries), 'in a git checkout: only committed files');
}

done_testing();
