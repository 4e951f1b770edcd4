#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an empty
# (or missing) media folder; refuses anything else rather than mixing two states.
#
#   createdb -O warga warga_restored
#   DATABASE_URL=postgres://warga@db/warga_restored MEDIA_ROOT=/srv/warga/media \
#     scripts/restore.sh /backups/warga-2026-11-22
#
# Then point the application at the restored database and run
# `manage.py migrate` (a no-op unless the code is newer than the backup).
set -euo pipefail

src="${1:?usage: scripts/restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
here="$(cd "$(dirname "$0")/.." && pwd)"
media="${MEDIA_ROOT:-$here/media}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_restore="$PG_BIN/pg_restore"; [ -x "$pg_restore" ] || pg_restore=pg_restore
psql="$PG_BIN/psql"; [ -x "$psql" ] || psql=psql

(cd "$src" && sha256sum --check --quiet SHA256SUMS) || {
  echo "restore: $src fails its checksums; not restoring" >&2
  exit 2
}
tables="$("$psql" -XtAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" "$DATABASE_URL")"
if [ "$tables" != 0 ]; then
  echo "restore: the database already has $tables tables; restore into an empty one" >&2
  exit 2
fi
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  echo "restore: $media is not empty; restore into an empty folder" >&2
  exit 2
fi
# One transaction: a failed restore leaves the database empty, not half-filled.
"$pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$DATABASE_URL" "$src/warga.dump"
mkdir -p "$media"
tar -C "$media" -xf "$src/media.tar"
echo "Restored $src"
