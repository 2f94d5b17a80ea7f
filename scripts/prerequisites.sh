# Sourced by the scripts: installs the Debian packages the build and the tests need, when
# missing. Works as root, or as a user with sudo.
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# postgresql-15 brings pgbench, which test/t/040_expand_contract.pl and bench/expand_contract.sh
# run (Debian's postgresql-contrib is a name for the same package).
# The -dev packages from liblz4-dev on are what Citus (scripts/citus.sh) builds against.
MS_PACKAGES="postgresql-15 postgresql-server-dev-15 libboost-dev libgtest-dev cmake g++ make nodejs \
libipc-run-perl libio-pty-perl libpq-dev \
liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev"

# ensure_packages PKG...: installs those of the Debian packages that are not installed yet.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing ${missing[*]}"
        $SUDO apt-get update -q >/dev/null
        # Debian's postgresql-15 creates and starts a cluster on port 5432; we use our own.
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
}

ensure_prerequisites() {
    # shellcheck disable=SC2086 # a list of package names
    ensure_packages $MS_PACKAGES
    export PATH="$(pg_config --bindir):$PATH"
}

# Builds the extension and installs it into the server's directories.
build_and_install() {
    local src=$1
    shift
    make -C "$src" -j"$(nproc)" -s "$@"
    $SUDO make -C "$src" -s install "$@"
}
