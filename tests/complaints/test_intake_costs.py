"""What filing a report costs: its queries, and that the shortcuts it takes (counting
from the objects in hand, one idempotency lookup, files written before the
transaction) give what the long way gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Category, Report, ReportPhoto
from complaints.services import intake
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from tests.factories import KUNINGAN, image_bytes, integrator
from transparency.aggregates import aggregates_refresh

pytestmark = pytest.mark.usefixtures("ref")


def _file(connector=None, **overrides):
    connector = connector or integrator(channel_code="qlue")[0]
    arguments = {
        "actor": connector.user,
        "channel": connector.channel,
        "title": "Jalan berlubang",
        "description": "Lubang besar di lajur kiri.",
        "photos": [PhotoUpload("a.jpg", image_bytes())],
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        "integrator": connector,
        "external_id": "QLUE-1",
    }
    arguments.update(overrides)
    if "category" not in arguments:
        arguments["category"] = Category.objects.get(code="jalan-rusak")
    return report_submit(**arguments)


def test_a_filed_report_is_counted_as_a_full_refresh_would_count_it():
    report = _file().report

    with CaptureQueriesContext(connection) as refresh:
        aggregates_refresh(report_id=report.pk)

    # The refresh recomputed the report from the database and found every
    # statistics cell, performance fact and sum already right: it wrote nothing.
    writes = [
        q["sql"]
        for q in refresh.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []


def test_filing_a_report_with_a_photo_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    connector = integrator(channel_code="qlue")[0]
    category = Category.objects.get(code="jalan-rusak")
    _file(connector, external_id="QLUE-0")  # this month's ticket counter exists

    # Idempotency (1), kelurahan with its parents (1), routing rules and offices
    # (2), followers (1); in the transaction: ticket (1), report, photos,
    # custody, events (4), map cells (1), statistics (3), performance (2); and
    # the savepoint the test's own transaction turns it into (2). It was 29.
    with django_assert_max_num_queries(18):
        _file(connector, category=category, external_id="QLUE-2")


def test_the_external_id_wins_when_it_and_the_key_name_different_reports():
    connector = integrator(channel_code="qlue")[0]
    by_id = _file(connector, external_id="QLUE-7", idempotency_key="k-1").report
    by_key = _file(connector, external_id="", idempotency_key="k-2").report

    again = _file(connector, external_id="QLUE-7", idempotency_key="k-2")

    assert not again.created
    assert again.report == by_id != by_key


def test_a_report_that_fails_to_save_leaves_no_photo_file(monkeypatch, media_files):
    def broken(**_kwargs):
        raise RuntimeError("the counting failed")

    monkeypatch.setattr(intake, "map_cells_report_filed", broken)

    with pytest.raises(RuntimeError):
        _file()

    assert media_files() == []
    assert not Report.objects.exists()
    assert not ReportPhoto.objects.exists()


def test_the_photo_files_are_stored_under_the_reports_month():
    report = _file().report

    photo = report.photos.get()
    folder = f"reports/{report.created_at:%Y/%m}/"
    assert photo.image.name.startswith(folder)
    assert photo.thumbnail.name.startswith(folder + "thumbs/")
    assert photo.position == 0


def test_tickets_follow_each_other_within_the_month():
    connector = integrator(channel_code="qlue")[0]
    first = _file(connector, external_id="QLUE-A").report.ticket
    second = _file(connector, external_id="QLUE-B").report.ticket

    assert first[:-6] == second[:-6]
    assert int(second[-6:]) == int(first[-6:]) + 1
    assert Report.objects.filter(channel__code="qlue").count() == 2
