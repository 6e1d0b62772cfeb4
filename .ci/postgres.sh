#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of its own, listening only on loopback, on a free port:
#   .ci/postgres.sh start DIR   creates the cluster in DIR/data if needed, starts it, prints its URL
#                               (postgres://postgres@127.0.0.1:PORT/postgres; trust auth, loopback only)
#   .ci/postgres.sh stop DIR    stops it (DIR stays; remove it to drop the data)
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root). Extra server
# settings come from POSTGRES_OPTIONS (tests pass fsync=off & co.). Binaries: POSTGRES_BIN, else the
# newest /usr/lib/postgresql/*/bin (Debian's `postgresql` package). Used by .ci/run and by the tests
# (test/support/postgres.ts); also a way to try yusuan on PostgreSQL on one machine (README).
set -euo pipefail
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then echo "usage: $0 start|stop DIR" >&2; exit 2; fi
bin=${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ ! -x "$bin/pg_ctl" ]; then echo "no PostgreSQL binaries (apt-get install postgresql)" >&2; exit 1; fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  runuser -u postgres -- test -w "$dir" || { echo "the postgres user cannot enter $dir (a folder above it is private)" >&2; exit 1; }
fi

case $cmd in
start)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then # running already: its URL
    echo "postgres://postgres@127.0.0.1:$(sed -n 4p "$dir/data/postmaster.pid")/postgres"
    exit 0
  fi
  for _ in 1 2 3; do # a port found free can be taken before the server binds it: try another
    port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir ${POSTGRES_OPTIONS:-}" start >/dev/null; then
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      exit 0
    fi
  done
  tail -20 "$dir/server.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
