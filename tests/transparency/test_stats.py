"""The public statistics page and the home page's headline figures.

Given reports whose receipt, completion, status, disputes and ratings are set by
hand, every figure on /stats/ is the one its definition gives.
"""

import csv
import io
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Channel, Report, SatisfactionSurvey
from routing.models import Area, Unit
from tests.factories import KUNINGAN, MONAS, report_filed
from transparency.aggregates import aggregates_rebuild
from transparency.selectors.stats import Tally, headline_figures

pytestmark = pytest.mark.usefixtures("ref")

WIB = ZoneInfo("Asia/Jakarta")
UNIT_A = "KEL-31.71.01.1001"  # Kelurahan Gambir
UNIT_B = "SUDIN-DBM-31.74"  # Suku Dinas Bina Marga Jakarta Selatan
UNIT_C = "KEC-31.71.01"  # Kecamatan Gambir: only rated, handles nothing
STATS = reverse("transparency:stats")


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def _report(
    *,
    received: datetime,
    unit: str,
    status: str = "new",
    done_after: timedelta | None = None,
    channel: str = "web",
    category: str = "sampah",
    point=KUNINGAN,
    disputes: int = 0,
    parent: Report | None = None,
) -> Report:
    report = report_filed(point=point)
    Report.objects.filter(pk=report.pk).update(
        created_at=received,
        handling_unit=Unit.objects.get(code=unit),
        status=status,
        completed_at=received + done_after if done_after is not None else None,
        channel=Channel.objects.get(code=channel),
        category=Category.objects.get(code=category),
        dispute_count=disputes,
        rejection_reason="spam" if status == "rejected" else "",
        parent=parent,
    )
    report.refresh_from_db()
    return report


def _rate(report: Report, *, unit: str, score: int) -> None:
    SatisfactionSurvey.objects.create(
        report=report,
        unit=Unit.objects.get(code=unit),
        created_at=report.created_at + timedelta(days=30),
        comment="Komentar pribadi",
        **{f"u{i}": score for i in range(1, 10)},
    )


@pytest.fixture
def year_2025():
    """Ten reports, nine of them received in 2025 (WIB)."""
    day = timedelta(days=1)
    r1 = _report(
        received=wib(2025, 1, 10, 10),
        unit=UNIT_A,
        status="closed",
        done_after=3 * day,
        point=MONAS,
    )
    # 7 × 24 h exactly: still "0–7 days". Disputed once, then done again.
    _report(
        received=wib(2025, 1, 31, 23, 30),
        unit=UNIT_A,
        status="done",
        done_after=7 * day,
        point=MONAS,
        disputes=1,
    )
    # January in UTC, February in Jakarta; one second past 7 days.
    _report(
        received=wib(2025, 2, 1, 0, 30),
        unit=UNIT_B,
        status="done",
        done_after=7 * day + timedelta(seconds=1),
        channel="qlue",
    )
    r4 = _report(
        received=wib(2025, 3, 5, 9),
        unit=UNIT_B,
        status="closed",
        done_after=20 * day,
        channel="qlue",
        category="jalan-rusak",
    )
    _report(received=wib(2025, 3, 6, 9), unit=UNIT_A, status="rejected")
    _report(received=wib(2025, 4, 1, 9), unit=UNIT_B, status="merged", parent=r1)
    _report(received=wib(2025, 4, 2, 9), unit=UNIT_B, status="in_process")
    # 2024 in Jakarta (16:00 UTC on 31 December): not counted in 2025.
    _report(
        received=wib(2024, 12, 31, 23),
        unit=UNIT_A,
        status="closed",
        done_after=day,
    )
    # 2024 in UTC, 2025 in Jakarta.
    _report(received=wib(2025, 1, 1, 0, 30), unit=UNIT_A)
    _report(received=wib(2025, 5, 1, 9), unit=UNIT_B, status="in_process")
    _rate(r1, unit=UNIT_A, score=4)
    # The rating goes to the unit rated, not to the one handling the report.
    _rate(r4, unit=UNIT_C, score=3)
    # Set by hand, past the services that keep the statistics: as after a bulk load.
    aggregates_rebuild()


def _stats(client, **params):
    response = client.get(STATS, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response, response.context["stats"]


def test_the_totals_follow_the_published_definitions(client, year_2025):
    _, stats = _stats(client, year=2025)

    assert stats.totals == Tally(
        received=9,
        not_followed_up=2,
        done=4,
        within_7=2,
        within_14=3,
        undisputed=3,
    )
    assert stats.totals.followed_up == 7
    assert stats.totals.completion_rate == 4 / 7
    assert stats.totals.buckets == (2, 1, 1)
    assert stats.totals.within_7_share == 0.5


def test_months_are_counted_in_jakarta_time(client, year_2025):
    _, stats = _stats(client, year=2025)

    by_month = {
        row.month.month: (row.tally.received, row.tally.done) for row in stats.months
    }
    assert by_month == {
        1: (3, 2),
        2: (1, 1),
        3: (2, 1),
        4: (2, 0),
        5: (1, 0),
        **{m: (0, 0) for m in range(6, 13)},
    }


def test_channels_categories_and_cities_have_their_counts_and_rates(client, year_2025):
    _, stats = _stats(client, year=2025)

    def table(rows):
        return {
            r.code: (r.tally.received, r.tally.done, r.tally.completion_rate)
            for r in rows
        }

    assert table(stats.channels) == {"web": (7, 2, 2 / 5), "qlue": (2, 2, 1.0)}
    assert table(stats.categories) == {
        "sampah": (8, 3, 3 / 6),
        "jalan-rusak": (1, 1, 1.0),
    }
    assert table(stats.kotas) == {"31.71": (2, 2, 1.0), "31.74": (7, 2, 2 / 5)}
    assert [r.code for r in stats.channels] == ["web", "qlue"]  # most received first


def test_the_league_table_ranks_units_by_productivity_with_ikm(client, year_2025):
    _, stats = _stats(client, year=2025)

    a, b, c = stats.units
    assert (a.code, b.code, c.code) == (UNIT_A, UNIT_B, UNIT_C)
    assert (a.tally.followed_up, a.tally.done) == (3, 2)
    assert (a.productivity, a.responsiveness, a.responsibility) == (2 / 3, 1.0, 0.5)
    assert (a.ikm.respondents, a.ikm.index, a.ikm.grade) == (1, Decimal("100.00"), "A")
    assert (b.tally.followed_up, b.tally.done) == (4, 2)
    assert (b.productivity, b.responsiveness, b.responsibility) == (0.5, 0.0, 1.0)
    assert b.ikm is None
    assert c.tally.followed_up == 0 and c.productivity is None
    assert (c.ikm.index, c.ikm.grade) == (Decimal("75.00"), "C")


def test_the_page_shows_percentages_dashes_charts_and_the_definitions(
    client, year_2025
):
    response, _ = _stats(client, year=2025)
    html = response.content.decode()

    assert "57.1%" in html  # completion rate, 4 of 7
    assert "66.7%" in html  # unit A's productivity
    assert "—" in html  # unit C has nothing to divide by
    assert "100.00" in html and "75.00" in html
    assert html.count("<svg") >= 12 + 3 + 2 + 2 + 2
    assert "How these figures are computed" in html
    assert "<script" not in html.split("</main>")[0]  # the figures need no script
    assert "Komentar pribadi" not in html


def test_the_page_links_to_the_export_that_reproduces_it(client, year_2025):
    response, _ = _stats(client, year=2025, kota="31.71")

    assert response.context["export_query"] == (
        "kota=31.71&date_from=2025-01-01&date_to=2025-12-31"
    )
    assert "/reports/export.csv?kota=31.71&amp;date_from=2025-01-01" in (
        response.content.decode()
    )


def test_dates_outside_the_year_offer_no_export_that_would_be_refused(
    client, year_2025
):
    response, _ = _stats(client, year=2025, date_from="2026-03-01")

    assert response.status_code == 200
    assert response.context["export_query"] == ""
    assert "/reports/export.csv" not in response.content.decode()


def test_the_list_filters_narrow_the_figures(client, year_2025):
    _, stats = _stats(client, year=2025, kota="31.71")
    assert (stats.totals.received, stats.totals.done) == (2, 2)

    _, stats = _stats(client, year=2025, channel="qlue", category="jalan-rusak")
    assert (stats.totals.received, stats.totals.done) == (1, 1)
    assert [u.code for u in stats.units] == [UNIT_B, UNIT_C]


def test_filters_the_form_does_not_list_still_work_from_a_link_and_are_kept(
    client, year_2025
):
    response, stats = _stats(client, year=2025, unit=UNIT_B)
    html = response.content.decode()

    assert (stats.totals.received, stats.totals.done) == (5, 2)
    assert f'<input type="hidden" name="unit" value="{UNIT_B}">' in html


def test_a_bad_filter_the_form_does_not_list_is_shown_too(client):
    response = client.get(STATS, {"unit": "NO-SUCH-UNIT"})

    assert response.status_code == 400
    assert "Handling unit: Select a valid choice." in response.content.decode()


def test_the_page_stays_small(client, year_2025):
    response, _ = _stats(client, year=2025)
    assert len(response.content) < 40_000


def test_the_year_defaults_to_this_year_and_the_years_with_reports_are_offered(
    client, year_2025
):
    response, stats = _stats(client)
    this_year = datetime.now(WIB).year

    assert stats.year == this_year
    assert stats.totals.received == 0
    year_field = response.context["year_form"].fields["year"]
    choices = [value for value, _label in year_field.widget.choices]
    assert choices[0] == this_year
    assert 2025 in choices and 2024 in choices


def test_a_year_with_no_reports_shows_dashes_not_errors(client, year_2025):
    response, stats = _stats(client, year=2030)

    assert stats.totals == Tally()
    assert stats.units == []
    assert "—" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "2025.5"])
def test_a_bad_year_is_refused_with_the_error(client, year):
    response = client.get(STATS, {"year": year})

    assert response.status_code == 400
    assert response.context["stats"] is None
    assert response.context["year_form"].errors["year"]
    assert "Please fix the year or the filters above." in response.content.decode()


def test_a_bad_filter_is_refused_with_the_error(client):
    response = client.get(STATS, {"year": "2025", "kota": "99.99"})

    assert response.status_code == 400
    assert response.context["filters"].errors["kota"]


def test_the_stats_page_is_public_and_cacheable(client, year_2025):
    response, _ = _stats(client, year=2025)
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def _more_reports(count: int) -> None:
    """Copies of the existing reports spread over many units, channels, categories
    and cities, some rated: more rows and more groups."""
    template = Report.objects.filter(created_at__year=2025).first()
    units = list(Unit.objects.order_by("code")[:count])
    channels = list(Channel.objects.all())
    categories = list(Category.objects.all())
    areas = list(Area.objects.filter(level="kelurahan").order_by("code"))[::7]
    copies = []
    for i in range(count):
        copy = Report.objects.get(pk=template.pk)
        copy.pk = None
        copy.ticket = f"JKT-2501-9{i:05d}"
        copy.handling_unit = units[i % len(units)]
        copy.channel = channels[i % len(channels)]
        copy.category = categories[i % len(categories)]
        copy.area = areas[i % len(areas)]
        copy.created_at = wib(2025, 1 + i % 12, 1 + i % 28, 12)
        copy.status = "closed"
        copy.completed_at = copy.created_at + timedelta(days=i % 20)
        copy.parent = None
        copies.append(copy)
    Report.objects.bulk_create(copies)
    for i, report in enumerate(Report.objects.filter(ticket__startswith="JKT-2501-9")):
        if i % 2:
            _rate(report, unit=report.handling_unit.code, score=1 + i % 4)
    aggregates_rebuild()


def test_the_number_of_queries_does_not_grow_with_the_reports(client, year_2025):
    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            _stats(client, year=2025, **params)
        return len(captured.captured_queries)

    few = queries(), queries(kota="31.74")
    _more_reports(40)
    many = queries(), queries(kota="31.74")

    assert many == few
    assert max(many) <= 16


def test_the_home_page_shows_this_month_and_this_year(
    client, django_assert_max_num_queries
):
    report_filed()
    with django_assert_max_num_queries(6):
        response = client.get("/")
    html = response.content.decode()

    headline = response.context["headline"]
    assert headline.this_month.received == 1
    assert headline.this_year.received == 1
    assert "This month" in html and "This year" in html
    assert reverse("transparency:stats") in html


def test_the_headline_counts_jakartas_month_and_year(year_2025):
    headline = headline_figures(now=wib(2025, 2, 15, 12))

    assert headline.year == 2025
    assert headline.month.month == 2
    assert headline.this_month == Tally(received=1, done=1, within_14=1, undisputed=1)
    assert headline.this_month.within_7_share == 0.0
    assert (headline.this_year.received, headline.this_year.done) == (9, 4)
    assert headline.this_year.within_7_share == 0.5


def test_the_headline_in_the_first_hour_of_a_jakarta_month(year_2025):
    # 1 February 00:45 WIB is still 31 January in UTC.
    headline = headline_figures(now=wib(2025, 2, 1, 0, 45))

    assert headline.month.month == 2
    assert headline.this_month.received == 1


# -- every figure, recomputed from the open data ------------------------------


def _recomputed_tally(rows: list[dict]) -> dict:
    """A group's figures from export rows alone, by the published definitions."""
    followed = [r for r in rows if r["status"] not in ("rejected", "merged")]
    done = [r for r in rows if r["status"] in ("done", "closed")]
    took = [
        datetime.fromisoformat(r["completed_at"])
        - datetime.fromisoformat(r["received_at"])
        for r in done
    ]
    week, fortnight = timedelta(days=7), timedelta(days=14)
    fast = sum(t <= week for t in took)
    return {
        "received": len(rows),
        "followed_up": len(followed),
        "done": len(done),
        "completion_rate": len(done) / len(followed) if followed else None,
        "buckets": (
            fast,
            sum(week < t <= fortnight for t in took),
            sum(t > fortnight for t in took),
        ),
        "within_7_share": fast / len(done) if done else None,
        "undisputed_share": (
            sum(r["disputes"] == "0" for r in done) / len(done) if done else None
        ),
    }


def _page_tally(tally: Tally) -> dict:
    return {
        "received": tally.received,
        "followed_up": tally.followed_up,
        "done": tally.done,
        "completion_rate": tally.completion_rate,
        "buckets": tally.buckets,
        "within_7_share": tally.within_7_share,
        "undisputed_share": tally.undisputed_share,
    }


def _grouped(rows: list[dict], column: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        if row[column]:
            groups.setdefault(row[column], []).append(row)
    return groups


def _recomputed_ikm(rated: list[dict]) -> tuple[Decimal, str, int]:
    total = sum(int(r[f"ikm_u{i}"]) for r in rated for i in range(1, 10))
    index = (Decimal(total) * 25 / (9 * len(rated))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    grade = next(
        (
            g
            for g, low in (("A", "88.31"), ("B", "76.61"), ("C", "65.00"))
            if index >= Decimal(low)
        ),
        "D",
    )
    return index, grade, len(rated)


def _recomputed(rows: list[dict]) -> dict:
    by_unit, rated = (
        _grouped(rows, "handling_unit_code"),
        _grouped(rows, "ikm_unit_code"),
    )
    units = []
    for code in by_unit.keys() | rated.keys():
        tally = _recomputed_tally(by_unit.get(code, []))
        units.append(
            {
                "code": code,
                **tally,
                "ikm": _recomputed_ikm(rated[code]) if code in rated else None,
            }
        )
    units.sort(
        key=lambda u: (
            u["completion_rate"] is None,
            -(u["completion_rate"] or 0),
            -u["followed_up"],
            u["code"],
        )
    )
    return {
        "totals": _recomputed_tally(rows),
        "months": {
            m: _recomputed_tally([r for r in rows if int(r["received_at"][5:7]) == m])
            for m in range(1, 13)
        },
        "channels": {
            k: _recomputed_tally(v) for k, v in _grouped(rows, "channel_code").items()
        },
        "categories": {
            k: _recomputed_tally(v) for k, v in _grouped(rows, "category_code").items()
        },
        "kotas": {k: _recomputed_tally(v) for k, v in _grouped(rows, "kota").items()},
        "units": units,
    }


def _shown(stats) -> dict:
    """What the statistics page reports, in the same shape."""
    return {
        "totals": _page_tally(stats.totals),
        "months": {row.month.month: _page_tally(row.tally) for row in stats.months},
        "channels": {row.code: _page_tally(row.tally) for row in stats.channels},
        "categories": {row.code: _page_tally(row.tally) for row in stats.categories},
        "kotas": {row.name: _page_tally(row.tally) for row in stats.kotas},
        "units": [
            {
                "code": unit.code,
                **_page_tally(unit.tally),
                "ikm": (unit.ikm.index, unit.ikm.grade, unit.ikm.respondents)
                if unit.ikm
                else None,
            }
            for unit in stats.units
        ],
    }


@pytest.fixture
def demo_city():
    """The demo data (a year of mixed reports), made more varied: some done
    reports disputed, some slow, some ratings given to another unit."""
    call_command("seed_demo", reports=200, stdout=io.StringIO())
    done = list(
        Report.objects.filter(status__in=["done", "closed"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Report.objects.filter(pk__in=done[::5]).update(dispute_count=1)
    Report.objects.filter(pk__in=done[1::7]).update(dispute_count=2)
    Report.objects.filter(pk__in=done[2::6]).update(
        completed_at=F("created_at") + timedelta(days=10)
    )
    Report.objects.filter(pk__in=done[3::6]).update(
        completed_at=F("created_at") + timedelta(days=7)
    )
    Report.objects.filter(pk__in=done[4::9]).update(
        completed_at=F("created_at") + timedelta(days=14, seconds=1)
    )
    surveys = list(
        SatisfactionSurvey.objects.order_by("pk").values_list("pk", flat=True)
    )
    SatisfactionSurvey.objects.filter(pk__in=surveys[::4]).update(
        unit=Unit.objects.get(code=UNIT_C)
    )
    aggregates_rebuild()
    return sorted(
        {
            timezone.localtime(t).year
            for t in Report.objects.values_list("created_at", flat=True)
        }
    )


def test_every_stats_figure_can_be_recomputed_from_the_export(client, demo_city):
    assert len(demo_city) >= 1
    checked = 0
    for year in demo_city:
        for filters in ({}, {"kota": "31.74"}, {"channel": "qlue"}):
            response, stats = _stats(client, year=year, **filters)
            query = {
                **filters,
                "date_from": f"{year}-01-01",
                "date_to": f"{year}-12-31",
            }
            assert response.context["export_query"] == urlencode(query)

            export = client.get(reverse("transparency:export-csv"), query)
            assert export.status_code == 200
            text = b"".join(export.streaming_content).decode()
            rows = list(csv.DictReader(io.StringIO(text)))

            assert all(r["received_at"].startswith(f"{year}-") for r in rows)
            assert _shown(stats) == _recomputed(rows)
            checked += len(rows)
    # The demo data was really exercised: many rows, every kind of figure.
    assert checked >= 200
    _, stats = _stats(client, year=demo_city[-1])
    assert all(b > 0 for b in stats.totals.buckets)
    assert stats.totals.not_followed_up > 0
    assert any(u.ikm for u in stats.units) and len(stats.units) > 10
    assert 0 < stats.totals.undisputed < stats.totals.done


def test_percentages_follow_the_readers_language(client_id, year_2025):
    html = client_id.get(STATS, {"year": 2025}).content.decode()
    assert "57,1%" in html
