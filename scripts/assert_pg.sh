# Sourced by the scripts: an assertion-enabled PostgreSQL 18, built from Debian's own
# `postgresql-18` source package, in a prefix outside the tree, cached between runs on the
# same machine. Errors the packaged server forgives (a security context left switched, a
# leaked snapshot, a resource owner not released) fail an Assert there.
#
# Debian's stable suite the machine installs from has no postgresql-18; sid serves it. The
# source is fetched with a private apt state (its own sources list, lists and cache, under
# the cache folder), derived from the machine's Debian sources file (its URI and keyring,
# the suite changed to sid): nothing of the machine's apt setup changes.
#
# MS_ASSERT_PG_CACHE overrides where it is kept (default /var/cache/migrations_schema, or
# ~/.cache/migrations_schema without root).

ASSERT_PG_MAJOR=18
ASSERT_PG_SUITE=sid

assert_pg_cache_dir() {
    if [ -n "${MS_ASSERT_PG_CACHE:-}" ]; then echo "$MS_ASSERT_PG_CACHE"
    elif [ "$(id -u)" -eq 0 ]; then echo /var/cache/migrations_schema
    else echo "$HOME/.cache/migrations_schema"; fi
}

# private_apt_state DIR: writes DIR/sources.list (one deb-src line for $ASSERT_PG_SUITE,
# from the first Debian entry of the machine's sources) and updates DIR/lists.
private_apt_state() {
    local dir=$1 uri keyring
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | grep -v security | head -n 1 | awk '{print $1}')
        keyring=$(sed -n 's/^Signed-By: *//p' /etc/apt/sources.list.d/debian.sources | head -n 1)
    elif [ -f /etc/apt/sources.list ]; then
        uri=$(grep -E '^deb ' /etc/apt/sources.list | grep -v security | head -n 1 |
            sed -e 's/\[[^]]*\]//' | awk '{print $2}')
        keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    fi
    [ -n "${uri:-}" ] || { echo "no Debian sources file to derive a deb-src entry from" >&2; return 1; }
    echo "deb-src ${keyring:+[signed-by=$keyring] }$uri $ASSERT_PG_SUITE main" >"$dir/sources.list"
    private_apt apt-get update -q >/dev/null
}

# private_apt TOOL ARGS: apt-get or apt-cache with the private state of the cache folder.
private_apt() {
    local tool=$1 dir
    shift
    dir="$(assert_pg_cache_dir)/apt-$ASSERT_PG_SUITE"
    "$tool" -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=/dev/null \
        -o Dir::State::lists="$dir/lists" -o Dir::Cache="$dir/cache" "$@"
}

# ensure_assert_pg: builds (once) and prints the prefix's bin directory on the last line.
ensure_assert_pg() {
    local cache prefix build version major=$ASSERT_PG_MAJOR
    cache=$(assert_pg_cache_dir)
    # A finished build of any 18.x is good: its assertions are what the tests need. The r2
    # in the name changes when what is built changes (the contrib modules the tests use, the
    # compiler's flags).
    prefix=$(ls -d "$cache/pg$major-cassert-r2-"*/.complete 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$prefix" ]; then
        echo "$(dirname "$prefix")/bin"
        return 0
    fi
    {
        # (ensure_packages, from scripts/prerequisites.sh: apt only for what is missing, so
        # that this build, started in the background, does not wait on another's apt lock.)
        ensure_packages dpkg-dev bison flex zlib1g-dev libreadline-dev libssl-dev >/dev/null
        mkdir -p "$cache"
        private_apt_state "$cache/apt-$ASSERT_PG_SUITE" || return 1
        build=$(mktemp -d "$cache/build.XXXXXX")
        # The newest source the mirror still serves.
        for version in $(private_apt apt-cache showsrc "postgresql-$major" 2>/dev/null |
            sed -n 's/^Version: //p' | sort -rV); do
            rm -rf "${build:?}"/*
            (cd "$build" && private_apt apt-get source -q --download-only "postgresql-$major=$version" \
                >/dev/null 2>&1) && break
            version=
        done
        [ -n "$version" ] || { echo "no postgresql-$major source package could be fetched" >&2; return 1; }
        prefix="$cache/pg$major-cassert-r2-$version"
        echo "== building assertion-enabled PostgreSQL $version into $prefix (cached afterwards)" >&2
        (cd "$build" && dpkg-source -x --skip-patches ./*.dsc src >/dev/null) || return 1
        (cd "$build/src" &&
            ./configure --prefix="$prefix" --enable-cassert --enable-tap-tests \
                --without-icu --without-llvm --with-ssl=openssl CFLAGS="-O2" >"$build/configure.log" 2>&1 &&
            make -j"$(nproc)" -s >"$build/make.log" 2>&1 &&
            make -s install >"$build/install.log" 2>&1 &&
            for c in citext dblink pgcrypto postgres_fdw pg_trgm; do
                make -C "contrib/$c" -s install >>"$build/install.log" 2>&1 || exit 1
            done) ||
            { tail -n 40 "$build"/*.log >&2; return 1; }
        touch "$prefix/.complete"
        rm -rf "$build"
    }
    echo "$prefix/bin"
}
