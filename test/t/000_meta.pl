# META.json follows PGXN META spec 1.0.0 and agrees with the control file and install script.
use strict;
use warnings;
use JSON::PP;
use Test::More;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return <$fh>; }

my $meta = decode_json(slurp('META.json'));
my $control = slurp('migrations_schema.control');
my ($default_version) = $control =~ /^default_version\s*=\s*'([^']+)'/m;

for my $key (qw(name abstract version maintainer license provides meta-spec)) {
    ok(exists $meta->{$key}, "required key $key");
}
is($meta->{'meta-spec'}{version}, '1.0.0', 'meta-spec 1.0.0');
is($meta->{name}, 'migrations_schema', 'name');
like($meta->{version}, qr/^\d+\.\d+\.\d+$/, 'semantic version');
is($meta->{version}, $default_version, 'version matches the control file');
my $provided = $meta->{provides}{migrations_schema};
ok(-f $provided->{file}, "provided file $provided->{file} exists");
like($provided->{file}, qr/--\Q$default_version\E\.sql$/, 'install script of that version');
is($provided->{version}, $default_version, 'provided version');
ok(($meta->{prereqs}{runtime}{requires}{PostgreSQL} // '') =~ /^15\./,
    'requires PostgreSQL 15 or later');
ok(ref $meta->{resources} eq 'HASH' && %{ $meta->{resources} }, 'resources listed');
ok(grep({ $_ eq $meta->{license} } qw(postgresql apache_2_0 mit bsd gpl_3 restricted)),
    'license is a spec license string');

done_testing();
