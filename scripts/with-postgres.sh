#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server in a temporary folder,
# reachable only through a private Unix socket; stopped and deleted afterwards.
#   scripts/with-postgres.sh .venv/bin/python -m pytest
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL 15 server binaries are missing: installing the Debian package." >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi

TMP="$(mktemp -d /tmp/warga-pg.XXXXXX)"
as_pg() {
  # initdb refuses to run as root: run the cluster as the postgres user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$TMP/data" -A trust -U warga -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$TMP/data" -l "$TMP/log" -w \
  -o "-k $TMP -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
  start >/dev/null

export DATABASE_URL="postgres://warga@/postgres?host=$TMP"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $TMP" >&2
"$@"
