"""The photo store checked against the database: orphan files and missing files.

Intake writes a photo's files before its transaction opens and deletes them if the
transaction fails (``photos.files_delete``). A crash between the two (the process
killed, the machine lost) would still leave files that no row names; a file lost
from storage would leave a row that names nothing. This audit finds both, month by
month under ``reports/YYYY/MM/``, through the storage API so that it works on the
file system and on object storage alike.

Files younger than the grace period are left out: they may belong to an intake
whose transaction has not committed yet.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

ROOT = "reports"
GRACE = timedelta(hours=1)
# How many names the log lines list (the counts are always complete).
LOGGED_NAMES = 20


@dataclass
class PhotoAudit:
    """What one pass found. ``orphans`` are stored files no photo row names;
    ``missing`` are names a photo row holds that storage does not have."""

    files_checked: int = 0
    rows_checked: int = 0
    orphans: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "files_checked": self.files_checked,
            "rows_checked": self.rows_checked,
            "orphans": len(self.orphans),
            "missing": len(self.missing),
            "deleted": len(self.deleted),
        }


def _files_under(prefix: str) -> list[str]:
    directories, files = default_storage.listdir(prefix)
    names = [f"{prefix}/{name}" for name in files]
    for directory in directories:
        names.extend(_files_under(f"{prefix}/{directory}"))
    return names


def _stored_months() -> set[tuple[int, int]]:
    """The (year, month) folders present under ``reports/``."""
    if not default_storage.exists(ROOT):
        return set()
    months = set()
    years, _files = default_storage.listdir(ROOT)
    for year in years:
        month_dirs, _files = default_storage.listdir(f"{ROOT}/{year}")
        for month in month_dirs:
            if year.isdigit() and month.isdigit():
                months.add((int(year), int(month)))
    return months


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _rows_of_month(year: int, month: int) -> set[str]:
    """The names the photo rows of reports filed that (UTC) month hold; the folder
    is the report's ``created_at`` (``models.photo_upload_to``). A day either side
    is read as well, and the rows are matched by name, so no clock can split them."""
    from complaints.models import ReportPhoto

    start, end = _month_bounds(year, month)
    prefix = f"{ROOT}/{year:04d}/{month:02d}/"
    names = set()
    rows = ReportPhoto.objects.filter(
        report__created_at__gte=start - timedelta(days=1),
        report__created_at__lt=end + timedelta(days=1),
    ).values_list("image", "thumbnail")
    for image, thumbnail in rows.iterator(chunk_size=5000):
        names.update(name for name in (image, thumbnail) if name.startswith(prefix))
    return names


def _row_months() -> set[tuple[int, int]]:
    from complaints.models import Report

    return {
        (day.year, day.month)
        for day in Report.objects.filter(photos__isnull=False).datetimes(
            "created_at", "month", tzinfo=UTC
        )
    }


def photo_files_audit(*, delete_orphans: bool = False, grace=GRACE) -> PhotoAudit:
    """Compare the stored photo files with the photo rows, month by month.

    Orphans older than ``grace`` are reported and, with ``delete_orphans``, deleted;
    missing files are reported (there is nothing to restore them from here: that is
    what the media backup is for, see docs/deployment.md)."""
    audit = PhotoAudit()
    now = timezone.now()
    for year, month in sorted(_stored_months() | _row_months()):
        prefix = f"{ROOT}/{year:04d}/{month:02d}"
        stored = _files_under(prefix) if default_storage.exists(prefix) else []
        named = _rows_of_month(year, month)
        audit.files_checked += len(stored)
        audit.rows_checked += len(named)
        for name in stored:
            if name in named:
                continue
            if now - default_storage.get_modified_time(name) < grace:
                continue
            audit.orphans.append(name)
        stored_set = set(stored)
        audit.missing.extend(sorted(named - stored_set))
    if delete_orphans:
        for name in audit.orphans:
            default_storage.delete(name)
            audit.deleted.append(name)
    if audit.orphans:
        logger.error(
            "Photo store: %d orphan file(s) no photo row names%s: %s",
            len(audit.orphans),
            " (deleted)" if delete_orphans else "",
            ", ".join(audit.orphans[:LOGGED_NAMES]),
        )
    if audit.missing:
        logger.error(
            "Photo store: %d photo row file(s) missing from storage: %s",
            len(audit.missing),
            ", ".join(audit.missing[:LOGGED_NAMES]),
        )
    return audit
