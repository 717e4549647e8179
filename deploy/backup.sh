#!/usr/bin/env bash
# Nightly backup of Outpost: the database (pg_dump, custom format) and the uploaded files.
#
#   deploy/backup.sh          (run by outpost-backup.service; by hand: as the outpost user with
#                              the variables of /etc/outpost/outpost.env in the environment)
#
# Environment (names as in .env.example):
#   DATABASE_URL       the database to dump (required; PostgreSQL)
#   MEDIA_ROOT         uploaded files: receipts, report documents, lead evidence (required unless
#                      BACKUP_MEDIA=none)
#   BACKUP_DIR         where the files go (default /var/backups/outpost)
#   BACKUP_KEEP_DAYS   backups older than this many days are deleted after a good one (default 14)
#   BACKUP_MEDIA       tar (default): a tar of MEDIA_ROOT each night; none: MEDIA_ROOT is backed up
#                      another way (snapshots or rsync of the shared storage, see docs/deploy.md)
#   PYTHON             the virtualenv's python (default: .venv/bin/python next to this script)
#
# Writes BACKUP_DIR/outpost-YYYYmmdd-HHMMSS.dump and outpost-media-YYYYmmdd-HHMMSS.tar; a file is
# named so only once it is complete and readable. Exits non-zero if any step fails, and then
# deletes nothing old. These files sit next to what they protect: copy them off the machine.
set -euo pipefail
umask 077  # personal data: readable by the backup user only

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-$here/../.venv/bin/python}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/outpost}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
BACKUP_MEDIA="${BACKUP_MEDIA:-tar}"

fail() { echo "backup: $*" >&2; exit 1; }
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set"
[[ "$BACKUP_KEEP_DAYS" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP_DAYS must be a whole number of days ≥ 1"
case "$BACKUP_MEDIA" in
  tar) [ -d "${MEDIA_ROOT:-}" ] || fail "MEDIA_ROOT is not a directory: '${MEDIA_ROOT:-}'" ;;
  none) ;;
  *) fail "BACKUP_MEDIA must be tar or none, not '$BACKUP_MEDIA'" ;;
esac
mkdir -p "$BACKUP_DIR"

# Connection settings through libpq's variables, so the password never appears in `ps`.
unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE PGSERVICE
pgenv="$("$PYTHON" "$here/pgurl.py")" || fail "cannot read DATABASE_URL"
eval "$pgenv"

stamp="$(date +%Y%m%d-%H%M%S)"
dump="$BACKUP_DIR/outpost-$stamp.dump"
media="$BACKUP_DIR/outpost-media-$stamp.tar"
trap 'rm -f "$dump.partial" "$media.partial"' EXIT

# 1. The database. Custom format: compressed, and pg_restore can restore it selectively.
pg_dump --format=custom --file="$dump.partial"
pg_restore --list "$dump.partial" >/dev/null  # the archive is complete and readable
mv "$dump.partial" "$dump"
echo "backup: database → $dump ($(du -h "$dump" | cut -f1))"

# 2. The files, after the database: a file is written before the row naming it is committed, so
#    every file the dump refers to is already there when the tar starts. Not compressed: receipts
#    are JPG and PDF already.
if [ "$BACKUP_MEDIA" = tar ]; then
  # GNU tar exits 1 when a file changed while it was read (an upload at that moment): that file
  # may be cut short in the tar but the rest is good, and the next night takes it whole.
  status=0
  tar --create --file="$media.partial" --directory="$(dirname "$MEDIA_ROOT")" "$(basename "$MEDIA_ROOT")" \
    || status=$?
  [ "$status" -le 1 ] || fail "tar of $MEDIA_ROOT failed (status $status)"
  mv "$media.partial" "$media"
  echo "backup: files → $media ($(du -h "$media" | cut -f1))"
fi

# 3. Only now, with tonight's backup complete, the old ones go (file age ≥ BACKUP_KEEP_DAYS days).
find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'outpost-*.dump' -o -name 'outpost-media-*.tar' \) \
  -mtime +"$((BACKUP_KEEP_DAYS - 1))" -print -delete | sed 's/^/backup: deleted /'
