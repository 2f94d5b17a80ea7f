# META.json follows PGXN META spec 1.0.0 (https://pgxn.org/spec/; no validator is packaged
# for Debian, so the spec's rules are checked here) and agrees with the control file, the
# install scripts and the Debian packaging.
use strict;
use warnings;
use JSON::PP;
use Test::More;

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return <$fh>; }

# Returns the list of violations of the spec, empty for a valid META.json.
sub pgxn_meta_errors {
    my ($meta) = @_;
    my @errors;
    my $semver = qr/^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
    my $term = sub { defined $_[0] && !ref $_[0] && length $_[0] >= 2 && $_[0] !~ m{[\s/\\:]|[[:cntrl:]]} };
    my $string = sub { defined $_[0] && !ref $_[0] && length $_[0] };
    my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd
        freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1
        openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source restricted unrestricted unknown);
    my %known = map { $_ => 1 } qw(name abstract description version maintainer license provides
        meta-spec prereqs release_status resources generated_by no_index tags);

    return ('not a JSON object') unless ref $meta eq 'HASH';
    for my $key (qw(name abstract version maintainer license provides meta-spec)) {
        push @errors, "missing mandatory field $key" unless exists $meta->{$key};
    }
    for my $key (sort keys %$meta) {
        push @errors, "unknown field $key (custom fields start with x_ or X_)"
            unless $known{$key} || $key =~ /^[xX]_/;
    }
    push @errors, 'name is not a term' if exists $meta->{name} && !$term->($meta->{name});
    for my $key (qw(abstract description generated_by)) {
        push @errors, "$key is not a string" if exists $meta->{$key} && !$string->($meta->{$key});
    }
    push @errors, 'version is not a semantic version'
        if exists $meta->{version} && !(defined $meta->{version} && $meta->{version} =~ $semver);
    if (exists $meta->{maintainer}) {
        my $m = $meta->{maintainer};
        push @errors, 'maintainer is neither a string nor a list of strings'
            unless $string->($m) || (ref $m eq 'ARRAY' && @$m && !grep { !$string->($_) } @$m);
    }
    if (exists $meta->{license}) {
        my $l = $meta->{license};
        my $ok = (!ref $l && $licenses{$l // ''})
            || (ref $l eq 'ARRAY' && @$l && !grep { ref $_ || !$licenses{$_} } @$l)
            || (ref $l eq 'HASH' && %$l && !grep { ref $_ || !/^\w+:/ } values %$l);
        push @errors, 'license is not a license string, list of them, or names of URLs' unless $ok;
    }
    if (exists $meta->{provides}) {
        my $p = $meta->{provides};
        if (ref $p ne 'HASH' || !%$p) {
            push @errors, 'provides is not a non-empty object';
        } else {
            for my $ext (sort keys %$p) {
                my $e = $p->{$ext};
                push @errors, "provides: $ext is not a term" unless $term->($ext);
                if (ref $e ne 'HASH') { push @errors, "provides: $ext is not an object"; next; }
                push @errors, "provides: $ext has no file" unless $string->($e->{file});
                push @errors, "provides: $ext has no semantic version"
                    unless defined $e->{version} && $e->{version} =~ $semver;
                for my $key (sort keys %$e) {
                    push @errors, "provides: $ext has unknown field $key"
                        unless $key =~ /^(file|version|abstract|docfile|[xX]_.*)$/;
                }
            }
        }
    }
    if (exists $meta->{'meta-spec'}) {
        my $s = $meta->{'meta-spec'};
        push @errors, 'meta-spec version is not 1.0.0'
            unless ref $s eq 'HASH' && ($s->{version} // '') eq '1.0.0';
    }
    if (exists $meta->{prereqs}) {
        my $p = $meta->{prereqs};
        if (ref $p ne 'HASH') { push @errors, 'prereqs is not an object'; }
        else {
            for my $phase (sort keys %$p) {
                push @errors, "prereqs: unknown phase $phase"
                    unless $phase =~ /^(configure|build|test|runtime|develop|[xX]_.*)$/;
                my $rels = $p->{$phase};
                if (ref $rels ne 'HASH') { push @errors, "prereqs: $phase is not an object"; next; }
                for my $rel (sort keys %$rels) {
                    push @errors, "prereqs: $phase has unknown relationship $rel"
                        unless $rel =~ /^(requires|recommends|suggests|conflicts|[xX]_.*)$/;
                    my $deps = $rels->{$rel};
                    if (ref $deps ne 'HASH') { push @errors, "prereqs: $phase.$rel is not an object"; next; }
                    for my $dep (sort keys %$deps) {
                        my $range = $deps->{$dep} // '';
                        my $ok = $range eq '0' || !grep {
                            !/^\s*(?:(?:==|!=|>=|<=|>|<)\s*)?(\S+)\s*$/ || $1 !~ $semver
                        } split /,/, $range;
                        push @errors, "prereqs: $phase.$rel.$dep has an invalid version range '$range'"
                            unless $ok && length $range;
                    }
                }
            }
        }
    }
    push @errors, 'release_status is not stable, testing or unstable'
        if exists $meta->{release_status} && ($meta->{release_status} // '') !~ /^(stable|testing|unstable)$/;
    if (exists $meta->{resources}) {
        my $r = $meta->{resources};
        if (ref $r ne 'HASH') { push @errors, 'resources is not an object'; }
        else {
            for my $key (sort keys %$r) {
                push @errors, "resources: unknown field $key"
                    unless $key =~ /^(homepage|bugtracker|repository|[xX]_.*)$/;
            }
            push @errors, 'resources: homepage is not a URL'
                if exists $r->{homepage} && ($r->{homepage} // '') !~ m{^\w+://};
            for my $key (qw(bugtracker repository)) {
                next unless exists $r->{$key};
                if (ref $r->{$key} ne 'HASH') { push @errors, "resources: $key is not an object"; next; }
                for my $f (qw(web url)) {
                    push @errors, "resources: $key.$f is not a URL"
                        if exists $r->{$key}{$f} && ($r->{$key}{$f} // '') !~ m{^\w+://};
                }
            }
        }
    }
    if (exists $meta->{tags}) {
        my $t = $meta->{tags};
        push @errors, 'tags is not a list of strings of at most 255 characters'
            unless ref $t eq 'ARRAY' && @$t && !grep { !$string->($_) || length $_ > 255 } @$t;
    }
    if (exists $meta->{no_index}) {
        my $n = $meta->{no_index};
        push @errors, 'no_index is not an object of file and directory lists'
            unless ref $n eq 'HASH' && !grep { !/^(file|directory|[xX]_.*)$/ } keys %$n;
    }
    return @errors;
}

my $meta = decode_json(slurp('META.json'));
my @errors = pgxn_meta_errors($meta);
is_deeply(\@errors, [], 'META.json is valid PGXN META 1.0.0') or diag(join("\n", @errors));

# The validator refuses what the spec forbids.
my %broken = (
    'no license'             => sub { delete $_[0]{license} },
    'unknown license'        => sub { $_[0]{license} = 'PostgreSQL License' },
    'version not semver'     => sub { $_[0]{version} = '0.4' },
    'provides without file'  => sub { delete $_[0]{provides}{migrations_schema}{file} },
    'provided version 1.0'   => sub { $_[0]{provides}{migrations_schema}{version} = '1.0' },
    'unknown top-level key'  => sub { $_[0]{homepage} = 'https://example.org' },
    'meta-spec 2.0.0'        => sub { $_[0]{'meta-spec'}{version} = '2.0.0' },
    'prereq range not semver'=> sub { $_[0]{prereqs}{runtime}{requires}{PostgreSQL} = '>= 15' },
    'unknown prereq phase'   => sub { $_[0]{prereqs}{install} = {} },
    'name with a slash'      => sub { $_[0]{name} = 'migrations/schema' },
);
for my $what (sort keys %broken) {
    my $copy = decode_json(encode_json($meta));
    $broken{$what}->($copy);
    ok(scalar pgxn_meta_errors($copy), "the validator refuses META.json with $what");
}

my $control = slurp('migrations_schema.control');
my ($default_version) = $control =~ /^default_version\s*=\s*'([^']+)'/m;

is($meta->{name}, 'migrations_schema', 'name');
is($meta->{version}, $default_version, 'version matches the control file');
my $provided = $meta->{provides}{migrations_schema};
ok(-f $provided->{file}, "provided file $provided->{file} exists");
ok(-f $provided->{docfile}, "docfile $provided->{docfile} exists");
like($provided->{file}, qr/--\Q$default_version\E\.sql$/, 'install script of that version');
is($provided->{version}, $default_version, 'provided version');
ok(($meta->{prereqs}{runtime}{requires}{PostgreSQL} // '') =~ /^15\./,
    'requires PostgreSQL 15 or later');
is($meta->{license}, 'postgresql', 'license is postgresql, as LICENSE says');
like(slurp('LICENSE'), qr/^PostgreSQL License/, 'LICENSE is the PostgreSQL License');

# The Debian packaging: its version is the extension's, and it builds for 15 and 18.
my ($deb_version) = slurp('debian/changelog') =~ /^migrations-schema \(([^)]+)\)/;
is($deb_version, $default_version, 'debian/changelog has the control file version');
is(slurp('debian/pgversions'), "15\n18\n", 'debian/pgversions lists 15 and 18');
like(slurp('debian/control.in'), qr/^Package: postgresql-PGVERSION-migrations-schema$/m,
    'debian/control.in: one extension package per PostgreSQL version');
like(slurp('debian/control.in'), qr/^Package: pg-migrate$/m, 'debian/control.in: pg-migrate');

done_testing();
