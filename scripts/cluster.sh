# Sourced by the scripts: a throwaway PostgreSQL 15 cluster in a temporary folder, on a unix
# socket only. The server refuses to run as root, so under root it runs as `postgres`.
PG_BIN=$(pg_config --bindir)

as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# cluster_start DIR PORT: initdb and start; sets PGHOST, PGPORT, PGUSER for psql.
cluster_start() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_server_user "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log"; return 1; }
    as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >/dev/null ||
        { cat "$dir/server.log"; return 1; }
    export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

# Stopping a cluster that already stopped is not an error (the test stops it early).
cluster_stop() {
    local dir=$1
    if [ -d "$dir/data" ]; then
        as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}
