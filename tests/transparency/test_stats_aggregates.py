"""The statistics counted ahead (transparency.aggregates) are the statistics
counted live: after a history made through the services, for every filter and
year, through the page and the API too; kept by the hook, equal to a rebuild;
read in a fixed number of queries."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Channel, Report
from complaints.services.intake import report_submit
from complaints.workflow import Action, transition
from officers.models import (
    PerformanceDelayCount,
    PerformanceFact,
    PerformanceInTime,
    PerformanceSum,
)
from tests.factories import KUNINGAN, officer
from tests.transparency.city_history import (
    GAMBIR,
    KUNINGAN_TIMUR,
    city_history,
    clock,
    wib,
)
from transparency.aggregates import (
    COUNTED,
    DELAY_KEY,
    FACT_KEY,
    IN_TIME_KEY,
    SUMMED,
    aggregates_rebuild,
    aggregates_refresh,
)
from transparency.filters import PublicReportFilter
from transparency.models import (
    StatsCell,
    StatsEntry,
    StatsMonth,
)
from transparency.selectors.stats import (
    headline_figures,
    headline_figures_live,
    stats_for,
    stats_for_live,
)

pytestmark = pytest.mark.usefixtures("ref")

FILTERS = [
    {},
    {"colour": "red"},
    {"colour": "yellow"},
    {"colour": "green"},
    {"colour": "grey"},
    {"kota": "31.71"},
    {"kota": "31.74", "colour": "green"},
    {"kecamatan": "31.71.01"},
    {"kelurahan": "31.71.01.1001"},
    {"category": "sampah"},
    {"category": "jalan-rusak"},
    {"channel": "web"},
    {"channel": "qlue", "colour": "yellow"},
    {"unit": GAMBIR},
    {"unit": KUNINGAN_TIMUR, "colour": "green"},
    # Whole months (read from the months' sums) and single days (the cells).
    {"date_from": "2025-03-01", "date_to": "2025-04-30"},
    {"date_from": "2026-02-01"},
    {"date_to": "2026-01-31", "colour": "green"},
    {"date_from": "2025-12-31", "date_to": "2025-12-31"},
    {"date_from": "2026-01-31", "date_to": "2026-02-01", "colour": "red"},
    # Whole months in between, days either side: both.
    {"date_from": "2025-03-12", "date_to": "2025-05-04"},
    {"date_from": "2025-12-31", "date_to": "2026-02-03", "colour": "green"},
    {"date_from": "2025-04-10", "colour": "grey"},
    # Text is not counted ahead: the live figures answer it.
    {"q": "sampah"},
]
YEARS = (2024, 2025, 2026)


def chosen(params: dict) -> PublicReportFilter:
    filters = PublicReportFilter(params, queryset=Report.objects.all())
    assert filters.is_valid(), filters.errors
    return filters


def assert_stats_match_live() -> None:
    for year in YEARS:
        for params in FILTERS:
            kept = stats_for(filters=chosen(params), year=year)
            live = stats_for_live(reports=chosen(params).qs, year=year)
            assert kept == live, (year, params)
    for now in (
        wib(2025, 3, 31, 23, 59),
        wib(2026, 1, 1, 0, 0),
        wib(2026, 1, 31, 23, 59, 59),
        wib(2026, 2, 1, 0, 0, 1),
        wib(2026, 12, 1),
    ):
        assert headline_figures(now=now) == headline_figures_live(now=now), now


def tables() -> dict:
    """Every aggregate row, as comparable values: cells at zero left out (the
    hook leaves them, a rebuild does not make them), delays in order."""
    kept = {}
    for model, (key, counts) in COUNTED.items():
        kept[model.__name__] = sorted(
            tuple(str(v) for v in row)
            for row in model.objects.values_list(*key, *counts)
            if any(row[len(key) :])
        )
    kept["StatsEntry"] = sorted(
        tuple(str(v) for v in row) for row in StatsEntry.objects.values_list()
    )
    kept["PerformanceFact"] = sorted(
        tuple(str(v) for v in row[1:]) for row in PerformanceFact.objects.values_list()
    )
    for model, key, counts in (
        (PerformanceSum, FACT_KEY, SUMMED),
        (PerformanceDelayCount, DELAY_KEY, ("count",)),
        (PerformanceInTime, IN_TIME_KEY, ("responses", "count")),
    ):
        kept[model.__name__] = sorted(
            tuple(str(v) for v in row)
            for row in model.objects.values_list(*key, *counts)
            if any(row[len(key) :])
        )
    return kept


@pytest.fixture
def history():
    return city_history()


def test_the_figures_kept_are_the_live_figures_for_every_filter_and_year(history):
    assert StatsCell.objects.exists()
    assert_stats_match_live()
    # The history exercised what it meant to: every colour, ratings of two
    # units, a report received in 2025 counted in 2025 though done in 2026.
    totals = stats_for(filters=chosen({}), year=2025)
    assert totals.totals.received == 6
    assert totals.totals.not_followed_up == 2
    assert sum(1 for unit in totals.units if unit.ikm) == 3
    january = stats_for(filters=chosen({}), year=2026).months[0].tally
    assert january.received == 1  # 23:59:59 WIB on 31 January; the next is Feb


def test_the_page_and_the_api_show_the_figures_kept(client, history):
    for params in ({"year": 2025}, {"year": 2026, "kota": "31.71"}):
        page = client.get(reverse("transparency:stats"), params)
        assert page.status_code == 200
        filters = dict(params)
        year = filters.pop("year")
        assert page.context["stats"] == stats_for_live(
            reports=chosen(filters).qs, year=year
        )
        api = client.get(reverse("api:stats"), params)
        assert api.status_code == 200
        assert api.json()["totals"]["received"] == page.context["stats"].totals.received


def test_a_rebuild_makes_what_the_hook_kept(history):
    kept = tables()
    assert kept["PerformanceFact"] and kept["StatsMonthRating"]
    counts = aggregates_rebuild()
    assert counts.entries == Report.objects.count()
    assert tables() == kept
    assert_stats_match_live()


def test_the_command_rebuilds_after_a_bulk_change(history):
    # A load past the services (as a bulk COPY would be) leaves the figures
    # behind until the command runs.
    Report.objects.filter(status="closed").update(dispute_count=3)
    assert stats_for(filters=chosen({}), year=2025) != stats_for_live(
        reports=Report.objects.all(), year=2025
    )
    out = io.StringIO()
    call_command("rebuild_aggregates", stdout=out)
    assert "Aggregates rebuilt" in out.getvalue()
    assert_stats_match_live()


def test_the_command_can_leave_figures_already_kept_be(history):
    # ``make run`` asks for a rebuild only when reports exist and none is counted
    # (a database filled before the counted tables existed).
    Report.objects.filter(status="closed").update(dispute_count=3)
    out = io.StringIO()
    call_command("rebuild_aggregates", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert stats_for(filters=chosen({}), year=2025) != stats_for_live(
        reports=Report.objects.all(), year=2025
    )
    StatsEntry.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_aggregates", "--if-empty", stdout=out)
    assert "Aggregates rebuilt" in out.getvalue()
    assert_stats_match_live()


def test_the_command_has_nothing_to_count_without_reports(db):
    out = io.StringIO()
    call_command("rebuild_aggregates", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert not StatsEntry.objects.exists()


def test_refreshing_a_report_twice_changes_nothing(history):
    kept = tables()
    for report in Report.objects.all():
        aggregates_refresh(report_id=report.pk)
    assert tables() == kept


def test_events_that_change_no_status_leave_the_figures_as_they_are(history):
    from officers.services.sla import sla_sweep

    kept = tables()
    with clock(2026, 3, 15, 9) as now:
        assert sla_sweep(now=now).warnings + sla_sweep(now=now).escalations >= 0
    assert tables() == kept
    assert_stats_match_live()


def test_the_statistics_take_the_same_queries_however_many_reports(
    history, django_assert_num_queries
):
    def measure() -> list[int]:
        counts = []
        # Two over the months' sums or the cells; four when whole months and
        # the days either side are chosen.
        for params, queries in (
            ({}, 2),
            ({"colour": "green"}, 2),
            ({"kota": "31.71"}, 2),
            ({"date_to": "2026-02-03"}, 4),
        ):
            filters = chosen(params)
            with django_assert_num_queries(queries) as captured:
                stats_for(filters=filters, year=2026)
            counts.append(len(captured.captured_queries))
        with django_assert_num_queries(1):
            headline_figures(now=wib(2026, 2, 2))
        return counts

    few = measure()
    with clock(2026, 2, 3, 10):
        for _ in range(5):
            report_submit(
                actor=officer(unit_code=GAMBIR),
                channel=Channel.objects.get(code="desk-kelurahan"),
                category=Category.objects.get(code="sampah"),
                title="Laporan",
                description="Uji",
                latitude=KUNINGAN[0],
                longitude=KUNINGAN[1],
            )
    assert measure() == few
    assert_stats_match_live()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_to_the_same_cells_all_count(ref):
    """Eight transactions at once file reports into the same cells (same day,
    kelurahan, category, channel, unit), then accept them: nothing is lost."""
    category = Category.objects.get(code="sampah")
    channel = Channel.objects.get(code="desk-kelurahan")
    clerk = officer(unit_code=KUNINGAN_TIMUR)
    filed, failures = [], []
    start = threading.Barrier(8)

    def work(n: int) -> None:
        try:
            start.wait()
            mine = []
            for i in range(5):
                mine.append(
                    report_submit(
                        actor=clerk,
                        channel=channel,
                        category=category,
                        title=f"Laporan {n}-{i}",
                        description="Uji serentak",
                        latitude=KUNINGAN[0],
                        longitude=KUNINGAN[1],
                    ).report.pk
                )
            filed.extend(mine)
            for report_id in mine:
                transition(actor=clerk, report_id=report_id, action=Action.ACCEPT)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(filed) == 40
    month = StatsMonth.objects.get(grouping="all")
    assert (month.red, month.yellow) == (0, 40)
    assert sum(StatsCell.objects.values_list("yellow", flat=True)) == 40
    assert sum(PerformanceSum.objects.values_list("received", flat=True)) == 80
    year = timezone.localtime(Report.objects.first().created_at).year
    assert stats_for(filters=chosen({}), year=year) == stats_for_live(
        reports=Report.objects.all(), year=year
    )
    kept = tables()
    aggregates_rebuild()
    assert tables() == kept
