"""The unit performance counted ahead (PerformanceFact and PerformanceSum, kept
by transparency.aggregates) is the performance computed live from the custody
periods and timelines: every unit, level and period of a history made through
the services, the medians included; read in a fixed number of queries."""

import csv
import io
from unittest import mock

import pytest
from django.urls import reverse

from complaints.models import Category
from officers.kpis import Performance
from officers.selectors.performance import (
    LEVELS,
    Period,
    performance_table,
    performance_table_live,
)
from routing.models import Unit
from tests.factories import officer
from tests.transparency.city_history import GAMBIR, city_history
from transparency.aggregates import aggregates_rebuild

pytestmark = pytest.mark.usefixtures("ref")

PERIODS = [
    Period(2025),
    Period(2026),
    Period(2025, 3),
    Period(2025, 4),
    Period(2025, 12),
    Period(2026, 1),
    Period(2026, 2),
    Period(2024, 12),
]


def shown(row: Performance) -> tuple:
    """Everything the dashboard and its CSV show of a row."""
    f = row.facts
    return (
        row.unit.code,
        f.received,
        f.passed_on,
        f.completed,
        f.completions,
        f.reopened,
        f.responded_in_time,
        f.within_7_days,
        f.days_8_14,
        f.over_14_days,
        f.audited,
        f.audit_failed,
        f.survey_respondents,
        f.survey_score_sum,
        row.completion_rate,
        row.median_response_hours,
        row.responded_in_time_share,
        row.median_done_days,
        row.within_7_days_share,
        row.reopened_share,
        row.audit_failed_share,
        row.ikm,
        row.score,
    )


def assert_kpis_match_live() -> None:
    kota = Unit.objects.get(code="KOTA-31.71")
    for period in PERIODS:
        for level in LEVELS:
            kept = [shown(r) for r in performance_table(period=period, level=level)]
            live = [
                shown(r) for r in performance_table_live(period=period, level=level)
            ]
            assert kept == live, (period, level)
        kept = performance_table(period=period, level="kelurahan", within=kota)
        live = performance_table_live(period=period, level="kelurahan", within=kota)
        assert [shown(r) for r in kept] == [shown(r) for r in live]


@pytest.fixture
def history():
    return city_history()


def test_every_figure_of_every_unit_level_and_period_is_the_live_one(history):
    assert_kpis_match_live()
    # The history reached what it should: a reopened completion, a report
    # passed on, audits both ways, ratings, medians of an even count.
    year = {
        r.unit.code: r
        for r in performance_table(period=Period(2025), level="kelurahan")
    }
    gambir = year[GAMBIR]
    assert gambir.facts.reopened == 1 and gambir.facts.passed_on == 1
    assert gambir.facts.audited >= 1 and gambir.facts.survey_respondents == 1
    months = {
        r.unit.code: r
        for r in performance_table(period=Period(2026, 1), level="kelurahan")
    }
    assert any(r.facts.audit_failed for r in months.values())
    assert any(r.median_response_hours for r in year.values())


def test_a_rebuild_gives_the_same_figures(history):
    aggregates_rebuild()
    assert_kpis_match_live()


def test_a_new_response_time_counts_at_once(history):
    """Whether a unit responded in time is judged against the category's
    response time as it is when the figures are read, as the live figures do."""
    Category.objects.filter(code="sampah").update(response_hours=1)
    assert_kpis_match_live()


def test_the_dashboard_and_its_csv_show_the_live_figures(client, history):
    clerk = officer(unit_code=GAMBIR)
    client.force_login(clerk)
    query = {"period": "2026", "level": "kelurahan"}
    exported = client.get(reverse("officers:performance-csv"), query).content
    page = client.get(reverse("officers:performance"), query).context["rows"]
    with mock.patch(
        "officers.views.performance.performance_table", performance_table_live
    ):
        assert client.get(reverse("officers:performance-csv"), query).content == (
            exported
        )
        live = client.get(reverse("officers:performance"), query).context["rows"]
    assert [shown(r) for r in page] == [shown(r) for r in live]
    assert [r.score_shown for r in page] == [r.score_shown for r in live]
    rows = list(csv.reader(io.StringIO(exported.decode())))
    assert len(rows) == 1 + 267


def test_the_dashboard_reads_the_same_queries_however_many_reports(
    history, django_assert_num_queries
):
    for period in (Period(2025), Period(2026, 2)):
        for level in ("kota", "kelurahan"):
            with django_assert_num_queries(5):
                performance_table(period=period, level=level)
