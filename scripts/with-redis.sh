#!/usr/bin/env bash
# Run a command with REDIS_URL pointing at a throwaway Redis server in a temporary
# folder, reachable only through a private Unix socket, keeping nothing on disk;
# stopped and deleted afterwards.
#   scripts/with-redis.sh .venv/bin/python -m pytest tests/config
set -euo pipefail

REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
if [ ! -x "$REDIS_SERVER" ]; then
  echo "redis-server is missing: installing the Debian package." >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  # The package starts a system-wide server on port 6379; this script never uses it.
fi

TMP="$(mktemp -d /tmp/warga-redis.XXXXXX)"
SOCKET="$TMP/redis.sock"
REDIS_PID=
cleanup() {
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# No TCP port, no snapshots, no append-only file: memory only. A child of this
# script (not daemonized), so that it is stopped and reaped here.
"$REDIS_SERVER" --port 0 --unixsocket "$SOCKET" --unixsocketperm 700 \
  --save "" --appendonly no --dir "$TMP" --logfile "$TMP/log" \
  --maxmemory-policy noeviction &
REDIS_PID=$!

for _ in $(seq 100); do
  [ -S "$SOCKET" ] && break
  kill -0 "$REDIS_PID" 2>/dev/null || break
  sleep 0.1
done
if [ ! -S "$SOCKET" ]; then
  echo "Redis did not start:" >&2
  cat "$TMP/log" >&2 || true
  exit 1
fi

export REDIS_URL="unix://$SOCKET?db=0"
echo "Redis $("$REDIS_SERVER" --version | awk '{print $3}' | sed 's/v=//') at $SOCKET" >&2
"$@"
