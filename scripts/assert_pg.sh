# Sourced by the scripts: an assertion-enabled PostgreSQL 15 built from Debian's own source
# package, in a prefix outside the tree, cached between runs on the same machine. Errors the
# packaged server forgives (a security context left switched, a leaked snapshot, a resource
# owner not released) fail an Assert there.
#
# MS_ASSERT_PG_CACHE overrides where it is kept (default /var/cache/migrations_schema, or
# ~/.cache/migrations_schema without root).

assert_pg_cache_dir() {
    if [ -n "${MS_ASSERT_PG_CACHE:-}" ]; then echo "$MS_ASSERT_PG_CACHE"
    elif [ "$(id -u)" -eq 0 ]; then echo /var/cache/migrations_schema
    else echo "$HOME/.cache/migrations_schema"; fi
}

# deb-src entries taken from the machine's own Debian sources, so the source matches the
# archive the binary packages come from; no host is named here.
ensure_deb_src() {
    local list=/etc/apt/sources.list.d/migrations_schema-src.sources
    apt-cache showsrc postgresql-15 >/dev/null 2>&1 && return 0
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
            $SUDO tee "$list" >/dev/null
    elif [ -f /etc/apt/sources.list ]; then
        grep -E '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' |
            $SUDO tee /etc/apt/sources.list.d/migrations_schema-src.list >/dev/null
    else
        echo "no Debian sources file to derive a deb-src entry from" >&2
        return 1
    fi
    $SUDO apt-get update -q >/dev/null
}

# ensure_assert_pg: builds (once) and prints the prefix's bin directory on the last line.
ensure_assert_pg() {
    local cache prefix build version
    cache=$(assert_pg_cache_dir)
    ensure_deb_src || return 1
    # A finished build of any 15.x is good: its assertions are what the tests need. The r4
    # in the name changes when what is built changes (the contrib modules the tests use).
    prefix=$(ls -d "$cache"/pg15-cassert-r4-*/.complete 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$prefix" ]; then
        echo "$(dirname "$prefix")/bin"
        return 0
    fi
    {
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            dpkg-dev bison flex zlib1g-dev libreadline-dev libssl-dev >/dev/null
        mkdir -p "$cache"
        build=$(mktemp -d "$cache/build.XXXXXX")
        # The newest source the mirror still serves (a security update may list a version
        # whose source has already moved on).
        for version in $(apt-cache showsrc postgresql-15 | sed -n 's/^Version: //p' | sort -rV); do
            rm -rf "${build:?}"/*
            (cd "$build" && apt-get source -q --download-only "postgresql-15=$version" \
                >/dev/null 2>&1) && break
            version=
        done
        [ -n "$version" ] || { echo "no postgresql-15 source package could be fetched" >&2; return 1; }
        prefix="$cache/pg15-cassert-r4-$version"
        echo "== building assertion-enabled PostgreSQL $version into $prefix (cached afterwards)" >&2
        (cd "$build" && dpkg-source -x --skip-patches ./*.dsc src >/dev/null) || return 1
        (cd "$build/src" &&
            ./configure --prefix="$prefix" --enable-cassert --enable-debug --enable-tap-tests \
                --without-icu --without-llvm --with-ssl=openssl CFLAGS="-O1 -g" >"$build/configure.log" 2>&1 &&
            make -j"$(nproc)" -s >"$build/make.log" 2>&1 &&
            make -s install >"$build/install.log" 2>&1 &&
            for c in citext dblink pgcrypto postgres_fdw; do
                make -C "contrib/$c" -s install >>"$build/install.log" 2>&1 || exit 1
            done) ||
            { tail -n 40 "$build"/*.log >&2; return 1; }
        touch "$prefix/.complete"
        rm -rf "$build"
    }
    echo "$prefix/bin"
}
