#!/usr/bin/env bash
# Back up Warga into one folder: the PostgreSQL database (pg_dump, custom format)
# and the photos (MEDIA_ROOT), with a checksum list to verify them by.
#
#   DATABASE_URL=postgres://warga@db/warga MEDIA_ROOT=/srv/warga/media \
#     scripts/backup.sh /backups/warga-$(date +%F)
#
# The dump is taken first, the photos second: a photo row in the dump always has its
# file in the archive (photos are never deleted), and a photo filed in between is
# merely an extra file (the daily orphan check names it after a restore).
# Photos on S3 (WARGA_S3_BUCKET) are not copied here: version and replicate the
# bucket instead (docs/deployment.md, "Backups").
set -euo pipefail

dest="${1:?usage: scripts/backup.sh DEST_FOLDER}"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
here="$(cd "$(dirname "$0")/.." && pwd)"
media="${MEDIA_ROOT:-$here/media}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_dump="$PG_BIN/pg_dump"; [ -x "$pg_dump" ] || pg_dump=pg_dump

if [ -e "$dest" ] && [ -n "$(ls -A "$dest")" ]; then
  echo "backup: $dest is not empty; choose a new folder" >&2
  exit 2
fi
mkdir -p "$dest"
"$pg_dump" --format=custom --no-owner --no-privileges \
  --file "$dest/warga.dump" --dbname "$DATABASE_URL"
mkdir -p "$media"
# The photos are JPEGs already: compressing them again gains nothing.
tar -C "$media" -cf "$dest/media.tar" .
(cd "$dest" && sha256sum warga.dump media.tar > SHA256SUMS)
echo "Backed up to $dest: $(du -sh "$dest" | cut -f1)"
