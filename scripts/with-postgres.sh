#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 cluster on a free loopback port, and stops and
# removes the cluster afterwards, whatever happens:
#
#   scripts/with-postgres.sh cargo test -p scope-registry-server
#
# The command sees SCOPE_REGISTRY_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT (no database:
# tests create their own, one per test). initdb refuses to run as root, so the cluster belongs to
# the `postgres` user.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$PG_BIN/initdb" ]; then
    echo "with-postgres: no PostgreSQL at $PG_BIN (apt-get install postgresql)" >&2
    exit 2
fi

dir="$(mktemp -d /tmp/scope-registry-pg.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"

stop() {
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 2; }
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 2; }

export SCOPE_REGISTRY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port" >&2
"$@"
