# Sourced by the scripts: Citus 12.1.12 built from the vendored source in ../shared/vendor/
# (Debian does not package it and the machines reach no source host), once per PostgreSQL
# build, in a cache outside the tree, then installed into that PostgreSQL. The TAP test
# test/t/010_citus.pl runs against it and skips when it is not installed.
#
# MS_CITUS_CACHE overrides where builds are kept (default: a citus/ folder in the cache of
# scripts/assert_pg.sh); MS_CITUS_TARBALL overrides the source archive.

CITUS_VERSION=12.1.12

citus_cache_dir() {
    if [ -n "${MS_CITUS_CACHE:-}" ]; then echo "$MS_CITUS_CACHE"
    elif [ -n "${MS_ASSERT_PG_CACHE:-}" ]; then echo "$MS_ASSERT_PG_CACHE/citus"
    elif [ "$(id -u)" -eq 0 ]; then echo /var/cache/migrations_schema/citus
    else echo "$HOME/.cache/migrations_schema/citus"; fi
}

citus_tarball() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    echo "${MS_CITUS_TARBALL:-$here/../shared/vendor/citus-$CITUS_VERSION.tar.gz}"
}

# The packages Citus's configure and link need against Debian's PostgreSQL 15 (its pg_config
# --libs names them), as the vendored README lists them.
CITUS_PACKAGES="liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev \
libpam0g-dev libreadline-dev"

# ensure_citus PG_CONFIG: builds Citus for that PostgreSQL (once; a build is kept per
# PostgreSQL version and configure options, so a plain and an assertion-enabled server each
# get their own) and installs it into that PostgreSQL's library and extension folders, with
# $SUDO. Returns non-zero, saying why, when the source is absent or the build fails.
ensure_citus() {
    local pg_config=$1 tarball cache key build stage missing=() p
    tarball=$(citus_tarball)
    if [ ! -f "$tarball" ]; then
        echo "Citus is not installed: its vendored source $tarball is absent" >&2
        return 1
    fi
    "$pg_config" --version >/dev/null 2>&1 || { echo "no usable pg_config: $pg_config" >&2; return 1; }
    cache=$(citus_cache_dir)
    key="citus-$CITUS_VERSION-pg$("$pg_config" --version | awk '{print $2}')-$(
        { "$pg_config" --configure; cksum <"$tarball"; } | cksum | cut -d' ' -f1)"
    if [ ! -f "$cache/$key/.complete" ]; then
        for p in $CITUS_PACKAGES; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
        done
        if [ ${#missing[@]} -gt 0 ]; then
            $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}" >/dev/null || { echo "cannot install ${missing[*]}" >&2; return 1; }
        fi
        echo "== building Citus $CITUS_VERSION for $("$pg_config" --version) into $cache/$key (cached afterwards)" >&2
        mkdir -p "$cache"
        rm -rf "${cache:?}/$key"
        build=$(mktemp -d "$cache/build.XXXXXX")
        stage="$build/stage"
        # No libcurl: it only serves Citus's anonymous usage statistics.
        (tar xzf "$tarball" -C "$build" && cd "$build/citus-$CITUS_VERSION" &&
            ./configure --without-libcurl PG_CONFIG="$pg_config" >"$build/configure.log" 2>&1 &&
            make -j"$(nproc)" -s >"$build/make.log" 2>&1 &&
            make -s install DESTDIR="$stage" >"$build/install.log" 2>&1) ||
            { tail -n 40 "$build"/*.log >&2; rm -rf "$build"; return 1; }
        # Kept without the prefix baked in, so a copy of the same PostgreSQL build in another
        # folder (the tests' private prefixes) uses the same cache entry.
        mkdir -p "$cache/$key/lib" "$cache/$key/extension"
        cp -r "$stage$("$pg_config" --pkglibdir)"/. "$cache/$key/lib/" &&
            cp -r "$stage$("$pg_config" --sharedir)/extension"/. "$cache/$key/extension/" ||
            { rm -rf "$build" "${cache:?}/$key"; return 1; }
        touch "$cache/$key/.complete"
        rm -rf "$build"
    fi
    $SUDO cp -r "$cache/$key/lib"/. "$("$pg_config" --pkglibdir)/" &&
        $SUDO cp -r "$cache/$key/extension"/. "$("$pg_config" --sharedir)/extension/" ||
        { echo "cannot install Citus into $("$pg_config" --pkglibdir)" >&2; return 1; }
    echo "== Citus $CITUS_VERSION installed into $("$pg_config" --pkglibdir)" >&2
}
