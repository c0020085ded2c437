#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the tests and benchmarks, and prints its URL.
#
#   scripts/postgres_cluster.sh start [DIR] [PORT]   # initdb (if DIR is new) and start; prints postgres://…
#   scripts/postgres_cluster.sh stop  [DIR]
#
# The cluster runs as an unprivileged user (PostgreSQL refuses to run as root): the current user, or, when run as
# root, the user `retainpg`, created if missing. It listens on 127.0.0.1 only, trusts local connections (it holds
# throwaway data), uses the C collation (byte order, as SQLite compares text), and is initialised with
# `--locale=C --encoding=UTF8`. Installs nothing: `.ci/run` installs Debian's `postgresql` package first.
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/retain-pg}
port=${3:-55432}

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/initdb" ]] && bindir=$candidate
done
if [[ -z "$bindir" ]]; then
    echo "postgres_cluster.sh: no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
fi

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u retainpg -- "$@"
    else
        "$@"
    fi
}

case "$action" in
start)
    if [[ $(id -u) -eq 0 ]] && ! id retainpg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin retainpg
    fi
    if [[ ! -f "$dir/PG_VERSION" ]]; then
        mkdir -p "$dir"
        [[ $(id -u) -eq 0 ]] && chown retainpg "$dir"
        as_owner "$bindir/initdb" -D "$dir" --username=retain --auth=trust --locale=C --encoding=UTF8 >"$dir.initdb.log" 2>&1 ||
            { cat "$dir.initdb.log" >&2; exit 1; }
        cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
CONF
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null
    fi
    echo "postgres://retain@127.0.0.1:$port/postgres"
    ;;
stop)
    as_owner "$bindir/pg_ctl" -D "$dir" -m fast stop >/dev/null
    ;;
*)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
