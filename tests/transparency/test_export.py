"""Open data: the reports as CSV and GeoJSON, with the list's filters, streamed."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Channel, Report, SatisfactionSurvey
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from tests.factories import KUNINGAN, MONAS, citizen, image_bytes, report_filed
from transparency.selectors.export import COLUMNS

pytestmark = pytest.mark.usefixtures("ref")

CSV_URL = reverse("transparency:export-csv")
GEOJSON_URL = reverse("transparency:export-geojson")
SECRETS = [
    "Sutrisno Rahasiawan",
    "sutrisno.rahasia@example.com",
    "081377766655",
    "Jl. Rahasia Nomor 7",
    "Komentar yang tidak untuk umum",
]


@pytest.fixture
def private_report():
    """A report full of private details, closed and rated."""
    reporter = citizen(email="sutrisno.rahasia@example.com")
    reporter.first_name = "Sutrisno Rahasiawan"
    reporter.save(update_fields=["first_name"])
    report = report_submit(
        actor=reporter,
        channel=Channel.objects.get(code="web"),
        category=Category.objects.get(code="jalan-rusak"),
        title="Jalan berlubang di depan sekolah",
        description="Dalam sekali.",
        latitude=MONAS[0] + 0.000444,
        longitude=MONAS[1] - 0.000444,
        address="Jl. Rahasia Nomor 7",
        reporter_name="Sutrisno Rahasiawan",
        reporter_email="sutrisno.rahasia@example.com",
        reporter_phone="081377766655",
        photos=[PhotoUpload("evidence.jpg", image_bytes())],
    ).report
    Report.objects.filter(pk=report.pk).update(
        status="closed",
        completed_at=report.created_at + timedelta(days=2),
        closed_at=report.created_at + timedelta(days=5),
        dispute_count=1,
    )
    SatisfactionSurvey.objects.create(
        report=report,
        respondent=reporter,
        unit=report.handling_unit,
        comment="Komentar yang tidak untuk umum",
        created_at=report.created_at + timedelta(days=6),
        u1=4,
        u2=3,
        u3=4,
        u4=4,
        u5=2,
        u6=4,
        u7=3,
        u8=4,
        u9=1,
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def other_report():
    """A report with no coordinates: the public sees no point for it."""
    report = report_filed(category_code="sampah", point=KUNINGAN)
    Report.objects.filter(pk=report.pk).update(latitude=None, longitude=None)
    report.refresh_from_db()
    return report


# The queries of a streamed export: the reference lists (4), the time zone of the
# reading transaction on PostgreSQL (which writes the times), the reports.
READ_WHILE_SENDING = 4 + (connection.vendor == "postgresql") + 1


def _body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_body(response))))


def test_the_csv_export_streams_every_public_column(
    client, private_report, other_report
):
    response = client.get(CSV_URL)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".csv" in response["Content-Disposition"]
    text = _body(response)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ticket"] for r in rows] == [private_report.ticket, other_report.ticket]
    row = rows[0]
    assert row["received_at"].endswith("+07:00")
    assert row["category_code"] == "jalan-rusak"
    assert row["channel_code"] == "web"
    assert row["kota"] == "Kota Administrasi Jakarta Pusat"
    assert row["kelurahan_code"] == "31.71.01.1001"
    assert row["handling_unit_code"] == private_report.handling_unit.code
    assert (row["status"], row["colour"], row["disputes"]) == ("closed", "green", "1")
    assert row["completed_at"].endswith("+07:00") and row["closed_at"]
    assert row["url"] == f"http://testserver/reports/{private_report.ticket}/"
    assert row["ikm_unit_code"] == private_report.handling_unit.code
    scores = [row[f"ikm_u{i}"] for i in range(1, 10)]
    assert scores == ["4", "3", "4", "4", "2", "4", "3", "4", "1"]


def test_the_export_rounds_coordinates_to_about_100_m(client, private_report):
    row = _csv_rows(client.get(CSV_URL))[0]

    assert row["latitude"] == str(round(MONAS[0] + 0.000444, 3))
    assert row["longitude"] == str(round(MONAS[1] - 0.000444, 3))


def test_a_report_without_a_survey_or_a_point_has_blanks(client, other_report):
    row = _csv_rows(client.get(CSV_URL))[0]

    assert row["latitude"] == row["longitude"] == ""
    assert row["ikm_unit_code"] == row["ikm_u1"] == row["ikm_u9"] == ""
    assert row["completed_at"] == ""


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_the_exports_never_carry_private_details(client, private_report, url):
    text = _body(client.get(url))

    assert private_report.ticket in text
    for secret in SECRETS:
        assert secret not in text
    assert "Dalam sekali." not in text  # the description stays on the report page
    assert str(MONAS[0] + 0.000444) not in text  # only the rounded point


def test_the_geojson_export_is_a_feature_collection_of_points(
    client, private_report, other_report
):
    response = client.get(GEOJSON_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert ".geojson" in response["Content-Disposition"]
    collection = json.loads(_body(response))
    assert collection["type"] == "FeatureCollection"
    with_point, without_point = collection["features"]
    assert with_point["type"] == "Feature"
    assert with_point["geometry"] == {
        "type": "Point",
        "coordinates": [
            round(MONAS[1] - 0.000444, 3),
            round(MONAS[0] + 0.000444, 3),
        ],
    }
    properties = with_point["properties"]
    assert set(properties) == set(COLUMNS) - {"latitude", "longitude"}
    assert properties["ticket"] == private_report.ticket
    assert properties["disputes"] == 1
    assert properties["ikm_u9"] == 1
    assert without_point["geometry"] is None
    assert without_point["properties"]["ikm_u1"] is None


def test_an_empty_export_is_still_well_formed(client):
    assert json.loads(_body(client.get(GEOJSON_URL)))["features"] == []
    assert _body(client.get(CSV_URL)).splitlines() == [",".join(COLUMNS)]


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_the_exports_apply_the_list_filters(client, private_report, other_report, url):
    def tickets(**params):
        text = _body(client.get(url, params))
        return {t for t in (private_report.ticket, other_report.ticket) if t in text}

    assert tickets(category="jalan-rusak") == {private_report.ticket}
    assert tickets(kota="31.74") == {other_report.ticket}
    assert tickets(colour="green") == {private_report.ticket}
    assert tickets(colour="red") == {other_report.ticket}
    assert tickets(q=private_report.ticket.lower()) == {private_report.ticket}
    assert tickets(date_from="2000-01-01", date_to="2000-12-31") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"kota": "99.99"},
        {"date_from": "yesterday"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"colour": "purple"},
    ],
)
def test_a_bad_filter_is_refused_with_the_error_not_a_stream(client, params):
    response = client.get(CSV_URL, params)
    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().strip()

    response = client.get(GEOJSON_URL, params)
    assert response.status_code == 400
    assert not response.streaming
    assert response.json()["errors"]


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_the_exports_may_be_cached_publicly_for_five_minutes(
    client, private_report, url
):
    response = client.get(url)
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_the_export_is_one_streaming_query_whatever_the_number_of_reports(
    client, private_report, url
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _body(client.get(url, {"kota": "31.71", "category": "jalan-rusak"}))
        return len(captured.captured_queries)

    few = queries()
    copies = []
    for i in range(30):
        copy = Report.objects.get(pk=private_report.pk)
        copy.pk, copy.ticket = None, f"JKT-2501-8{i:05d}"
        copies.append(copy)
    Report.objects.bulk_create(copies)

    assert queries() == few
    # The two filter choices looked up, then, as the response is sent: the four
    # reference lists (categories, channels, areas, units), on PostgreSQL the
    # transaction's time zone, and the stream of reports.
    assert few == 2 + READ_WHILE_SENDING
    assert _body(client.get(url)).count("/reports/JKT-2501-8") == 30


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_the_rows_are_read_while_the_response_is_sent_not_before(
    client, private_report, url
):
    with CaptureQueriesContext(connection) as before:
        response = client.get(url)
    with CaptureQueriesContext(connection) as during:
        _body(response)

    assert not any("complaints_report" in q["sql"] for q in before.captured_queries)
    assert len(during.captured_queries) == READ_WHILE_SENDING
    reading_reports = [
        q for q in during.captured_queries if "complaints_report" in q["sql"]
    ]
    assert len(reading_reports) == 1


def test_a_title_that_looks_like_a_formula_is_exported_inert(client, private_report):
    Report.objects.filter(pk=private_report.pk).update(
        title='=HYPERLINK("http://evil.example","klik")'
    )

    row = _csv_rows(client.get(CSV_URL))[0]

    assert row["title"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert row["latitude"].startswith("-")  # numbers are left alone


def test_the_times_are_written_as_python_writes_them_in_wib(client, private_report):
    received = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)  # no microseconds
    completed = datetime(2025, 3, 5, 23, 59, 59, 120, tzinfo=UTC)
    Report.objects.filter(pk=private_report.pk).update(
        created_at=received, completed_at=completed, closed_at=None
    )

    row = _csv_rows(client.get(CSV_URL))[0]

    assert row["received_at"] == "2025-03-04T12:06:07+07:00"
    assert row["completed_at"] == "2025-03-06T06:59:59.000120+07:00"
    assert row["closed_at"] == ""
    for column, value in (("received_at", received), ("completed_at", completed)):
        assert row[column] == timezone.localtime(value).isoformat()


TRICKY = [
    "Jalan rusak, berlubang",
    'Lampu "PJU" mati',
    "Baris satu\nbaris dua",
    "Ada\r\ncarriage return",
    "=SUM(A1:A2)",
    "-5 derajat",
    "@warga",
    "+62 812",
    "\tberawal tab",
    "Żółć ünïcödé 日本",
    ' "kutip" di awal, koma',
]


def test_every_line_is_what_csv_writer_writes_text_made_inert(client, private_report):
    copies = []
    for i, title in enumerate(TRICKY):
        copy = Report.objects.get(pk=private_report.pk)
        copy.pk, copy.ticket, copy.title = None, f"JKT-2501-7{i:05d}", title
        copies.append(copy)
    Report.objects.bulk_create(copies)
    Category.objects.filter(code="jalan-rusak").update(name='Jalan, "rusak"')

    text = _body(client.get(CSV_URL))

    rows = list(csv.reader(io.StringIO(text, newline="")))
    by_ticket = {row[0]: row for row in rows[1:]}
    for i, title in enumerate(TRICKY):
        row = by_ticket[f"JKT-2501-7{i:05d}"]
        inert = "'" + title if title[0] in "=+-@\t\r" else title
        assert row[COLUMNS.index("title")] == inert
        assert row[COLUMNS.index("category")] == 'Jalan, "rusak"'
    rewritten = io.StringIO()
    csv.writer(rewritten).writerows(rows)
    assert rewritten.getvalue() == text
