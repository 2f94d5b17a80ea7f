#!/usr/bin/env bash
# The Debian packages at work on this machine's PostgreSQL 15: builds
# postgresql-15-migrations-schema and pg-migrate from debian/ with dpkg-buildpackage in a
# temporary copy of the tree (nothing is written to the checkout), installs them with
# `dpkg -i`, runs debian/tests/smoke against a throwaway cluster (CREATE EXTENSION, a
# migration registered and applied, migrate_status, pg_migrate apply on examples/), then
# `dpkg --purge`s them and checks that every file they installed is gone.
#
# Contract with the machine: installing the packages overwrites what `make install` put
# into /usr/lib/postgresql/15 and /usr/share/postgresql/15 (the purge then removes it), so
# those files are saved first and put back after the purge: the system is left as found.
# Refuses (exit 1) when either package is installed already; skips (exit 0), saying why,
# when neither root nor sudo is at hand. Installs the Debian packages a build needs
# (postgresql-server-dev-all, debhelper, dpkg-dev, fakeroot) when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
version=15
packages="postgresql-$version-migrations-schema pg-migrate"

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=sudo
else
    echo "package test: skipped: installing packages with dpkg needs root or sudo"
    exit 0
fi
. "$here/scripts/cluster.sh"
PG_BIN=/usr/lib/postgresql/$version/bin

for p in $packages; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "installed"; then
        echo "package test: $p is installed on this machine; the test would purge it" >&2
        exit 1
    fi
done

. "$here/scripts/prerequisites.sh"
ensure_packages postgresql-server-dev-all debhelper dpkg-dev fakeroot libboost-dev libgtest-dev \
    libpq-dev cmake g++ "postgresql-$version" "postgresql-server-dev-$version"

work=$(mktemp -d /tmp/migrations_schema_package.XXXXXX)
installed=
cleanup() {
    cluster_stop "$work/cluster"
    if [ -n "$installed" ]; then  # a failure between install and purge
        $SUDO dpkg --purge $packages >/dev/null 2>&1 || true
        [ -f "$work/saved.tar" ] && $SUDO tar -C / -xpf "$work/saved.tar"
    fi
    $SUDO rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

echo "== build the packages (log: build.log)"
mkdir "$work/src"
tar -C "$here" --exclude=./.git --exclude=./build --exclude=./build-client --exclude='*.o' \
    --exclude='*.bc' --exclude='*.so' --exclude='*.d' --exclude=./results \
    --exclude=./tmp_check --exclude='./regression.*' --exclude='./migrations_schema-*.zip' \
    -cf - . | tar -C "$work/src" -xf -
(cd "$work/src" && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck noautodbgsym" dpkg-buildpackage -b -uc -us \
    >"$work/build.log" 2>&1) || { tail -n 60 "$work/build.log"; exit 1; }
debs=()
for p in $packages; do
    deb=$(ls "$work"/"${p}"_*.deb)
    debs+=("$deb")
    echo "ok - built $(basename "$deb")"
done

# What the packages will overwrite is saved, to be put back after the purge.
files=$(for d in "${debs[@]}"; do dpkg-deb --fsys-tarfile "$d" | tar -tf - | grep -v '/$' | sed -e 's|^\./|/|'; done)
existing=$(for f in $files; do [ -e "$f" ] && echo "${f#/}"; done || true)
if [ -n "$existing" ]; then
    echo "$existing" | $SUDO tar -C / -cpf "$work/saved.tar" -T -
fi

echo "== dpkg -i"
installed=1
$SUDO dpkg -i "${debs[@]}" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" | grep -q "ok installed" || { echo "not ok - $p not installed"; exit 1; }
    echo "ok - $p $(dpkg-query -W -f='${Version}' "$p") installed"
done
for f in "/usr/lib/postgresql/$version/lib/migrations_schema.so" \
    "/usr/share/postgresql/$version/extension/migrations_schema.control" /usr/bin/pg_migrate; do
    dpkg -S "$f" >/dev/null 2>&1 || { echo "not ok - no package owns $f"; exit 1; }
done
echo "ok - the packages own the library, the control file and /usr/bin/pg_migrate"

echo "== the extension and the client from the packages"
cluster_start "$work/cluster" 55439
# The smoke test reads examples/ from the source tree, as autopkgtest runs it.
(cd "$work/src" && PATH=/usr/bin:$PATH debian/tests/smoke --here)
cluster_stop "$work/cluster"

echo "== dpkg --purge"
$SUDO dpkg --purge $packages >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
installed=
for p in $packages; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "installed"; then
        echo "not ok - $p is still installed"; exit 1
    fi
done
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done || true)
if [ -n "$left" ]; then
    echo "not ok - files left after the purge:"; echo "$left"; exit 1
fi
echo "ok - purged, none of their $(echo "$files" | wc -l) files is left"

if [ -f "$work/saved.tar" ]; then
    $SUDO tar -C / -xpf "$work/saved.tar"
    echo "ok - the $(echo "$existing" | wc -l) files the packages had overwritten are back"
fi
echo "== package test passed"
