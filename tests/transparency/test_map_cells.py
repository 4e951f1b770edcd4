"""The map's cell counts summary: kept current by the services, rebuilt set-based
after a bulk load, and summed into the same clusters as grouping the reports."""

import io
import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Channel, MapCell, Report
from complaints.services.map_cells import (
    map_cells_rebuild,
    step_expression,
    step_of,
)
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from officers.models import Membership
from routing.models import Area, Unit
from tests.factories import (
    GAMBIR_CODE,
    KUNINGAN,
    KUNINGAN_TIMUR_CODE,
    MONAS,
    image_bytes,
    officer,
    report_filed,
)
from transparency.filters import PublicReportFilter
from transparency.selectors import map as map_selectors
from transparency.selectors.map import BBox, report_map

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("transparency:map-data")
JAKARTA = BBox(west=106.6, south=-6.4, east=107.0, north=-6.0)
KUNINGAN_HOME = "KEL-" + KUNINGAN_TIMUR_CODE
WIB = timezone.get_default_timezone()


KEY = ("view", "grid", "y", "x", "kelurahan_id", "category_id", "channel_id", "period")
VALUES = tuple(
    f"{colour}{suffix}"
    for colour in ("red", "yellow", "green", "grey")
    for suffix in ("", "_lat_sum", "_lng_sum")
)


def cells() -> dict[tuple, tuple]:
    """Every row of the summary: key → counts and position sums."""
    return {
        row[: len(KEY)]: row[len(KEY) :]
        for row in MapCell.objects.values_list(*KEY, *VALUES)
    }


def proof():
    return [PhotoUpload("after.jpg", image_bytes(color=(10, 200, 10)))]


def test_filing_and_moving_reports_keeps_the_counts_as_a_rebuild_makes_them():
    clerk = officer(unit_code=KUNINGAN_HOME)
    head = officer(unit_code=KUNINGAN_HOME, role=Membership.Role.HEAD)
    filed = [
        report_filed(point=(KUNINGAN[0] + 0.0004 * i, KUNINGAN[1] - 0.0007 * i))
        for i in range(4)
    ]
    filed.append(report_filed(category_code="jalan-rusak", point=KUNINGAN))

    def act(actor, report, action, **params):
        transition(actor=actor, report_id=report.pk, action=action, **params)

    act(clerk, filed[0], Action.ACCEPT)  # red → yellow
    act(clerk, filed[1], Action.ACCEPT)
    act(clerk, filed[1], Action.COMPLETE, photos=proof())  # → green
    act(filed[1].reporter, filed[1], Action.DISPUTE, note="Belum")  # → red again
    act(clerk, filed[1], Action.ACCEPT)  # → yellow
    act(head, filed[2], Action.REJECT, reason="spam")  # red → grey
    act(clerk, filed[3], Action.REPLY, note="Segera")  # no change of colour
    kept = cells()

    assert sum(sum(v[0::3]) for k, v in kept.items() if k[:2] == (0, 1)) == 5
    map_cells_rebuild()

    assert cells() == kept


def test_a_report_without_a_place_is_not_counted():
    report = report_filed(point=KUNINGAN)
    Report.objects.filter(pk=report.pk).update(latitude=None, longitude=None)

    assert map_cells_rebuild() == 0
    assert not MapCell.objects.exists()


def test_the_rebuild_command_recomputes_the_counts_and_can_leave_them_be():
    report_filed(point=KUNINGAN)
    kept = cells()
    MapCell.objects.all().delete()

    call_command("rebuild_map_cells", stdout=io.StringIO())
    assert cells() == kept

    MapCell.objects.update(red=99)
    out = io.StringIO()
    call_command("rebuild_map_cells", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert set(MapCell.objects.values_list("red", flat=True)) == {99}


# -- the summary's clusters are the reports' clusters -------------------------


def scattered(count: int, *, seed: int = 7) -> list[Report]:
    """Reports all over Jakarta, in every status, over three years, a few exactly
    on a rounding tie, written in bulk (then the counts rebuilt)."""
    rng = random.Random(seed)
    kelurahan = list(Area.objects.filter(level=Area.Level.KELURAHAN))
    units = {u.area_id: u for u in Unit.objects.filter(kind=Unit.Kind.KELURAHAN)}
    categories = list(Category.objects.all())
    channels = list(Channel.objects.all())
    statuses = [s for s in Report.Status.values if s != "merged"]
    now = timezone.now()
    rows = []
    for n in range(count):
        area = rng.choice(kelurahan)
        latitude = rng.uniform(-6.37, -6.09)
        longitude = rng.uniform(106.69, 106.97)
        if n % 10 == 0:  # on a tie between two rounding steps
            latitude = round(latitude, 3) + 0.0005
            longitude = round(longitude, 3) - 0.0005
        status = rng.choice(statuses)
        rows.append(
            Report(
                ticket=f"JKT-9902-{n:06d}",
                title="Jalan berlubang",
                description="Dekat halte.",
                category=rng.choice(categories),
                channel=rng.choice(channels),
                status=status,
                latitude=latitude,
                longitude=longitude,
                location_source="pin",
                area=area,
                handling_unit=units[area.id],
                created_at=now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
                response_due_at=now,
                completion_due_at=now,
                rejection_reason="spam" if status == "rejected" else "",
            )
        )
    reports = Report.objects.bulk_create(rows)
    map_cells_rebuild()
    return reports


def both(params: dict, *, bbox: BBox = JAKARTA, zoom: int = 11) -> tuple[dict, dict]:
    """The map for the filters ``params``: from the summary, and from the
    reports."""
    filters = PublicReportFilter(params, queryset=Report.objects.all())
    assert filters.is_valid(), filters.errors
    summed = report_map(
        reports=filters.qs, bbox=bbox, zoom=zoom, criteria=filters.form.cleaned_data
    )
    grouped = report_map(reports=filters.qs, bbox=bbox, zoom=zoom)
    return summed.as_json(), grouped.as_json()


@pytest.fixture
def many(monkeypatch):
    monkeypatch.setattr(map_selectors, "POINTS_UNDER", 0)
    return scattered(400)


FILTERS = [
    {},
    {"colour": "red"},
    {"colour": "grey"},
    {"category": "sampah"},
    {"category": "jalan-rusak", "colour": "green"},
    {"kota": "31.74"},
    {"kecamatan": "31.71.01", "colour": "yellow"},
    {"kelurahan": GAMBIR_CODE},
    {"channel": "qlue"},
    {"channel": "web", "kota": "31.75"},
    {"kota": "31.73", "category": "sampah"},
    # Answered from the reports: no view splits by these.
    {"unit": "KEL-" + GAMBIR_CODE},
    {"q": "berlubang"},
    {"category": "sampah", "channel": "qlue"},
]


@pytest.mark.parametrize(
    "bbox, zoom",
    [
        (JAKARTA, 11),
        (BBox(west=106.75, south=-6.3, east=106.9, north=-6.15), 12),
        (BBox(west=106.7912, south=-6.2481, east=106.8643, north=-6.1717), 13),
        (BBox(west=106.8104, south=-6.1896, east=106.8398, north=-6.1652), 15),
        # A box wider than 64 cells at its zoom: cells widened to 1/64 of it.
        (BBox(west=106.7, south=-6.35, east=106.95, north=-6.1), 15),
        (BBox(west=-180, south=-90, east=180, north=90), 0),
        (JAKARTA, 5),
    ],
    ids=["city", "zoom12", "zoom13", "kelurahan", "widened", "world", "zoom5"],
)
def test_the_summary_draws_the_same_map_as_the_reports(many, bbox, zoom):
    for params in FILTERS:
        summed, grouped = both(params, bbox=bbox, zoom=zoom)

        assert summed == grouped, params
        if bbox == JAKARTA and zoom == 11:
            assert summed["total"] > 0, params


PERIODS = {
    "since": lambda today: {"date_from": today.replace(day=1) - timedelta(days=365)},
    "until": lambda today: {"date_to": today.replace(day=1) - timedelta(days=400)},
    "a-year": lambda today: {
        "date_from": date(today.year - 1, 1, 1),
        "date_to": date(today.year - 1, 12, 31),
    },
    "ragged": lambda today: {
        "date_from": date(today.year - 2, 3, 17),
        "date_to": date(today.year - 1, 8, 2),
    },
    "30-days": lambda today: {"date_from": today - timedelta(days=30)},
    "20-days": lambda today: {
        "date_from": today - timedelta(days=20),
        "date_to": today,
    },
}


@pytest.mark.parametrize("zoom", [11, 13])
def test_a_period_is_its_whole_months_and_the_days_at_its_ends(many, zoom):
    today = timezone.localdate(timezone=WIB)
    for name, period in PERIODS.items():
        for more in (
            {},
            {"colour": "green"},
            {"category": "sampah"},
            {"kota": "31.74"},
        ):
            params = {k: str(v) for k, v in period(today).items()} | more

            summed, grouped = both(params, zoom=zoom)

            assert summed == grouped, (name, params)


def test_zoomed_in_the_number_of_reports_cut_short_is_summed_or_counted(
    many, monkeypatch
):
    monkeypatch.setattr(map_selectors, "POINTS_MAX", 5)
    for params in FILTERS:
        summed, grouped = both(params, bbox=JAKARTA, zoom=16)

        assert summed == grouped, params
        assert summed["truncated"] == (summed["total"] > 5), params


def test_a_report_on_a_rounding_tie_is_in_the_same_cell_either_way(monkeypatch):
    monkeypatch.setattr(map_selectors, "POINTS_UNDER", 0)
    tie = (-6.1755, 106.8275)  # exactly between two rounding steps
    report = report_filed(point=MONAS)
    Report.objects.filter(pk=report.pk).update(latitude=tie[0], longitude=tie[1])
    map_cells_rebuild()
    y, x = step_of(tie[0]), step_of(tie[1])
    at_the_tie = BBox(
        west=x / 1000 - 0.0001,
        south=y / 1000 - 0.0001,
        east=x / 1000 + 0.0001,
        north=y / 1000 + 0.0001,
    )

    for zoom in (11, 13, 15):
        summed, grouped = both({}, bbox=at_the_tie, zoom=zoom)
        assert summed == grouped
        assert summed["total"] == 1


def test_the_view_splits_a_kota_into_its_kelurahan(many):
    """The kota filter is the kelurahan of the kota: none is counted twice."""
    summed, grouped = both({"kota": "31.71"})
    expected = Report.objects.filter(
        area__parent__parent__code="31.71", latitude__isnull=False
    ).count()

    assert summed["total"] == grouped["total"] == expected


# -- few queries, whatever the number of reports -------------------------------


def queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"bbox": "106.6,-6.4,107.0,-6.0", **params})
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(
    "params, expected",
    [
        # All of Jakarta: the summary alone, grids 44, 11 and 1 cover the box.
        ({"zoom": 11}, 1),
        ({"zoom": 11, "colour": "red"}, 1),
        # The category looked up, the summary, the strips no kept grid covers.
        ({"zoom": 11, "category": "sampah"}, 3),
        # The kota looked up, then the summary alone (its view keeps grid 1).
        ({"zoom": 11, "kota": "31.74"}, 2),
        # The text search: the reports grouped, as without the summary.
        ({"zoom": 11, "q": "berlubang"}, 1),
    ],
)
def test_the_map_takes_a_fixed_number_of_queries(client, many, params, expected):
    sql = queries(client, **params)

    assert len(sql) == expected
    if "q" not in params:
        assert any("complaints_mapcell" in q for q in sql)


def test_the_reports_index_holds_the_steps_the_map_compares():
    """complaints.models writes the expressions out: the same as the map's."""
    query = Report.objects.all().query
    compiler = query.get_compiler(connection=connection)

    def compiled(expression):
        return compiler.compile(expression.resolve_expression(query))

    for name, fields in (
        ("report_map_lat_lng_steps", ("latitude", "longitude")),
        ("report_map_lng_lat_steps", ("longitude", "latitude")),
    ):
        index = next(i for i in Report._meta.indexes if i.name == name)
        for expression, field in zip(index.expressions, fields, strict=False):
            assert compiled(expression) == compiled(step_expression(field))


@pytest.mark.postgres
def test_postgresql_reads_a_box_of_reports_through_the_map_index(many):
    filters = PublicReportFilter({"category": "sampah"}, queryset=Report.objects.all())
    assert filters.is_valid()
    box = BBox(west=106.8104, south=-6.1896, east=106.8398, north=-6.1652)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        with CaptureQueriesContext(connection) as captured:
            report_map(reports=filters.qs, bbox=box, zoom=16)
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "report_map_" in plan
