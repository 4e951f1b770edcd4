"""The daily photo-store audit: orphan files and rows whose file is missing.

A failed intake deletes the files it wrote (see test_intake_web / test_intake_api);
these tests cover what no cleanup can: a process killed between writing a file and
committing its row, and a file lost from storage.
"""

import logging
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_q.models import Schedule

from complaints.models import ReportPhoto
from complaints.services.photo_audit import photo_files_audit
from complaints.tasks import photo_files_audit as photo_files_audit_task
from tests.factories import report_filed

pytestmark = pytest.mark.usefixtures("ref")
TWO_HOURS = 2 * 3600


def stray(relative: str, *, age_seconds: int = TWO_HOURS) -> Path:
    """A file left under MEDIA_ROOT as if by a process killed before its commit."""
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0 half a photo")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def folder_of(report) -> str:
    return f"reports/{report.created_at:%Y/%m}"


def test_a_clean_store_has_no_orphans_and_nothing_missing(media_files):
    first = report_filed()
    report_filed()

    audit = photo_files_audit()

    assert audit.orphans == [] and audit.missing == []
    # Two reports, one photo each: an image and a thumbnail per photo.
    assert audit.files_checked == 4 == len(media_files())
    assert audit.rows_checked == 4
    assert ReportPhoto.objects.filter(report=first).count() == 1


def test_an_old_stray_file_is_reported_and_only_deleted_when_asked(media_files, caplog):
    report = report_filed()
    orphan = stray(f"{folder_of(report)}/killed-mid-intake.jpg")
    thumb = stray(f"{folder_of(report)}/thumbs/killed-mid-intake.jpg")

    with caplog.at_level(logging.ERROR, logger="complaints.services.photo_audit"):
        audit = photo_files_audit()

    expected = sorted(
        [
            f"{folder_of(report)}/killed-mid-intake.jpg",
            f"{folder_of(report)}/thumbs/killed-mid-intake.jpg",
        ]
    )
    assert sorted(audit.orphans) == expected
    assert audit.missing == [] and audit.deleted == []
    assert orphan.exists() and thumb.exists(), "reporting deletes nothing"
    assert "2 orphan file(s)" in caplog.text
    assert "killed-mid-intake.jpg" in caplog.text

    audit = photo_files_audit(delete_orphans=True)

    assert sorted(audit.deleted) == expected
    assert not orphan.exists() and not thumb.exists()
    photo = ReportPhoto.objects.get(report=report)
    assert photo.image.storage.exists(photo.image.name), "the report's own photo stays"
    assert photo_files_audit().orphans == []


def test_a_young_file_may_still_be_committed_and_is_left_alone(media_files):
    report = report_filed()
    young = stray(f"{folder_of(report)}/intake-in-flight.jpg", age_seconds=60)

    audit = photo_files_audit(delete_orphans=True)

    assert audit.orphans == [] and young.exists()


def test_a_stray_file_in_a_month_without_reports_is_found(media_files):
    report_filed()
    stray("reports/2019/03/left-over.jpg")

    assert photo_files_audit().orphans == ["reports/2019/03/left-over.jpg"]


def test_a_row_whose_file_is_gone_is_reported_missing(media_files, caplog):
    report = report_filed()
    photo = ReportPhoto.objects.get(report=report)
    (Path(settings.MEDIA_ROOT) / photo.image.name).unlink()

    with caplog.at_level(logging.ERROR, logger="complaints.services.photo_audit"):
        audit = photo_files_audit(delete_orphans=True)

    assert audit.missing == [photo.image.name]
    assert audit.orphans == []
    assert "1 photo row file(s) missing" in caplog.text
    assert ReportPhoto.objects.filter(pk=photo.pk).exists(), "the row is kept"


def test_an_empty_store_is_fine(media_files):
    audit = photo_files_audit()

    assert audit.as_dict() == {
        "files_checked": 0,
        "rows_checked": 0,
        "orphans": 0,
        "missing": 0,
        "deleted": 0,
    }


def test_the_worker_runs_the_audit_daily_and_it_deletes_nothing(media_files):
    schedule = Schedule.objects.get(func="complaints.tasks.photo_files_audit")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1

    report = report_filed()
    orphan = stray(f"{folder_of(report)}/killed.jpg")

    assert photo_files_audit_task() == {
        "files_checked": 3,
        "rows_checked": 2,
        "orphans": 1,
        "missing": 0,
        "deleted": 0,
    }
    assert orphan.exists()


def test_the_command_lists_what_it_finds_and_deletes_on_request(media_files):
    report = report_filed()
    orphan = stray(f"{folder_of(report)}/killed.jpg")
    out = StringIO()

    call_command("photo_files_audit", stdout=out)

    assert f"orphan  {folder_of(report)}/killed.jpg" in out.getvalue()
    assert "orphans: 1" in out.getvalue()
    assert orphan.exists()

    out = StringIO()
    call_command("photo_files_audit", "--delete-orphans", stdout=out)

    assert "deleted: 1" in out.getvalue()
    assert not orphan.exists()

    out = StringIO()
    call_command("photo_files_audit", "--grace-minutes", "0", stdout=out)
    assert "orphans: 0, missing: 0" in out.getvalue()
