"""Backup and restore (scripts/backup.sh, scripts/restore.sh, docs/deployment.md).

A backup of a database with reports, timelines and photos, restored into a fresh
database and an empty media folder, holds every report, every event and every photo
file, byte for byte. The restore refuses to mix states: a database that is not empty,
a media folder that is not empty, or a backup that fails its checksums changes
nothing.
"""

import hashlib
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from complaints.models import Report, ReportEvent, ReportPhoto
from complaints.workflow import Action, transition
from tests.factories import KUNINGAN_TIMUR_CODE, officer, report_filed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SCRIPTS = Path(settings.BASE_DIR) / "scripts"


def url_of(name: str) -> str:
    """DATABASE_URL (the server the suite runs on) naming another database."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, folder: Path, *, database: str, media: Path):
    env = {**os.environ, "DATABASE_URL": url_of(database), "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [str(SCRIPTS / script), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def city() -> None:
    clerk = officer(unit_code="KEL-" + KUNINGAN_TIMUR_CODE)
    for _ in range(3):
        report = report_filed()
        transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)


def test_a_restored_backup_holds_every_report_event_and_photo(
    ref, tmp_path, fresh_database
):
    city()
    media = Path(settings.MEDIA_ROOT)
    backup = tmp_path / "backup"
    done = run(
        "backup.sh", backup, database=connection.settings_dict["NAME"], media=media
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "media.tar",
        "warga.dump",
    ]

    restored_media = tmp_path / "restored-media"
    done = run("restore.sh", backup, database=fresh_database, media=restored_media)
    assert done.returncode == 0, done.stderr

    with psycopg.connect(url_of(fresh_database)) as restored:
        tickets = restored.execute(
            "SELECT ticket FROM complaints_report ORDER BY ticket"
        ).fetchall()
        events = restored.execute(
            "SELECT report_id, kind, action, to_status FROM complaints_reportevent"
            " ORDER BY id"
        ).fetchall()
        photos = restored.execute(
            "SELECT image, thumbnail FROM complaints_reportphoto ORDER BY id"
        ).fetchall()
    assert [t for (t,) in tickets] == sorted(
        Report.objects.values_list("ticket", flat=True)
    )
    assert events == list(
        ReportEvent.objects.order_by("id").values_list(
            "report_id", "kind", "action", "to_status"
        )
    )
    assert len(events) >= 6
    assert photos == list(
        ReportPhoto.objects.order_by("id").values_list("image", "thumbnail")
    )
    # Every photo the restored rows name is there, byte for byte.
    original, copied = digests(media), digests(restored_media)
    for image, thumbnail in photos:
        assert copied[image] == original[image]
        assert copied[thumbnail] == original[thumbnail]


def test_a_restore_into_a_database_in_use_changes_nothing(ref, tmp_path):
    city()
    backup = tmp_path / "backup"
    name = connection.settings_dict["NAME"]
    assert run("backup.sh", backup, database=name, media=tmp_path / "m").returncode == 0
    before = Report.objects.count()

    done = run("restore.sh", backup, database=name, media=tmp_path / "empty")
    assert done.returncode == 2
    assert "already has" in done.stderr
    assert Report.objects.count() == before
    assert not (tmp_path / "empty").exists()


def test_a_restore_into_a_media_folder_in_use_changes_nothing(
    ref, tmp_path, fresh_database
):
    city()
    backup = tmp_path / "backup"
    name = connection.settings_dict["NAME"]
    assert run("backup.sh", backup, database=name, media=tmp_path / "m").returncode == 0
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.jpg").write_bytes(b"x")

    done = run("restore.sh", backup, database=fresh_database, media=used)
    assert done.returncode == 2
    assert "not empty" in done.stderr
    assert [p.name for p in used.iterdir()] == ["keep.jpg"]
    with psycopg.connect(url_of(fresh_database)) as restored:
        assert restored.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    ref, tmp_path, fresh_database
):
    city()
    backup = tmp_path / "backup"
    name = connection.settings_dict["NAME"]
    assert run("backup.sh", backup, database=name, media=tmp_path / "m").returncode == 0
    with open(backup / "warga.dump", "r+b") as dump:
        dump.seek(100)
        dump.write(b"\0\0\0\0")

    done = run("restore.sh", backup, database=fresh_database, media=tmp_path / "r")
    assert done.returncode == 2
    assert "checksums" in done.stderr
    assert not (tmp_path / "r").exists()


def test_a_backup_never_overwrites_an_earlier_one(ref, tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "warga.dump").write_bytes(b"last night")
    done = run(
        "backup.sh", backup, database=connection.settings_dict["NAME"], media=tmp_path
    )
    assert done.returncode == 2
    assert (backup / "warga.dump").read_bytes() == b"last night"
