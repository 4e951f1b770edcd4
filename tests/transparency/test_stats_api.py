"""The public statistics through the API: the same figures as the statistics page
for the same year and filters, and the home page's headline figures.

The reports are those of the statistics page's tests (``year_2025``).
"""

from datetime import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import integrator
from tests.routing.test_areas_api import data_queries
from tests.transparency.test_stats import (
    STATS,
    UNIT_A,
    UNIT_B,
    UNIT_C,
    WIB,
    _more_reports,
    wib,
    year_2025,  # noqa: F401 (a fixture)
)
from transparency.selectors.stats import headline_figures

pytestmark = pytest.mark.usefixtures("ref", "year_2025")
API_STATS = reverse("api:stats")
API_HEADLINE = reverse("api:stats-headline")


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def api_stats(api, **params) -> dict:
    response = api.get(API_STATS, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.json()


def _tally(tally) -> dict:
    """A page's figures, written the API's way."""
    fast, middle, slow = tally.buckets
    return {
        "received": tally.received,
        "followed_up": tally.followed_up,
        "not_followed_up": tally.not_followed_up,
        "done": tally.done,
        "completion_rate": tally.completion_rate,
        "done_within_7_days_share": tally.within_7_share,
        "undisputed_share": tally.undisputed_share,
        "time_to_done": {
            "days_0_to_7": fast,
            "days_8_to_14": middle,
            "over_14_days": slow,
        },
    }


def _groups(rows) -> list[dict]:
    return [{"code": r.code, "name": r.name, "figures": _tally(r.tally)} for r in rows]


def _page(client, **params) -> dict:
    """What the statistics page shows for the same parameters, in the API's shape."""
    response = client.get(STATS, params)
    assert response.status_code == 200
    stats = response.context["stats"]
    offered = response.context["year_form"].fields["year"].widget.choices
    return {
        "year": stats.year,
        "years_offered": {value for value, _label in offered},
        "filters": response.context["active_filters"],
        "totals": _tally(stats.totals),
        "months": [
            {"month": row.month.month, "figures": _tally(row.tally)}
            for row in stats.months
        ],
        "channels": _groups(stats.channels),
        "categories": _groups(stats.categories),
        "cities": _groups(stats.kotas),
        "units": [
            {
                "code": unit.code,
                "name": unit.name,
                "figures": _tally(unit.tally),
                "productivity": unit.productivity,
                "responsiveness": unit.responsiveness,
                "responsibility": unit.responsibility,
                "ikm": {
                    "index": float(unit.ikm.index),
                    "grade": unit.ikm.grade,
                    "quality": str(unit.ikm.quality),
                    "respondents": unit.ikm.respondents,
                }
                if unit.ikm
                else None,
            }
            for unit in stats.units
        ],
    }


@pytest.mark.parametrize(
    "params",
    [
        {"year": "2025"},
        {"year": "2025", "kota": "31.71"},
        {"year": "2025", "channel": "qlue", "category": "jalan-rusak"},
        {"year": "2025", "unit": UNIT_B, "colour": "green"},
        {"year": "2025", "date_from": "2025-02-01", "date_to": "2025-03-31"},
        {"year": "2024"},
        {"year": "2030"},
        {},
    ],
)
def test_the_api_gives_the_figures_the_page_shows(api, client, params):
    body = api_stats(api, **params)
    page = _page(client, **params)

    # The page offers the years with reports, and the year chosen if it has none.
    assert {*body.pop("years"), body["year"]} == page.pop("years_offered")
    assert body == page


def test_the_figures_follow_the_definitions(api):
    body = api_stats(api, year=2025)

    assert body["year"] == 2025
    assert {2025, 2024} <= set(body["years"])
    totals = body["totals"]
    assert (totals["received"], totals["followed_up"], totals["done"]) == (9, 7, 4)
    assert totals["completion_rate"] == 4 / 7
    assert totals["time_to_done"] == {
        "days_0_to_7": 2,
        "days_8_to_14": 1,
        "over_14_days": 1,
    }
    assert [m["figures"]["received"] for m in body["months"]] == [
        3,
        1,
        2,
        2,
        1,
        *[0] * 7,
    ]
    a, b, c = body["units"]
    assert (a["code"], b["code"], c["code"]) == (UNIT_A, UNIT_B, UNIT_C)
    assert a["ikm"] == {
        "index": 100.0,
        "grade": "A",
        "quality": "Very good",
        "respondents": 1,
    }
    assert b["ikm"] is None
    assert (c["productivity"], c["ikm"]["grade"]) == (None, "C")
    assert "Komentar pribadi" not in str(body)


def test_the_filters_narrow_the_figures_and_are_echoed(api):
    everything = api_stats(api, year=2025)
    pusat = api_stats(api, year=2025, kota="31.71", page="3", bbox="x")

    assert everything["totals"]["received"] == 9
    assert (pusat["totals"]["received"], pusat["totals"]["done"]) == (2, 2)
    assert [c["code"] for c in pusat["cities"]] == ["31.71"]
    assert pusat["filters"] == {"kota": "31.71"}
    qlue_roads = api_stats(api, year=2025, channel="qlue", category="jalan-rusak")
    assert qlue_roads["totals"]["received"] == 1
    assert [u["code"] for u in qlue_roads["units"]] == [UNIT_B, UNIT_C]


def test_the_year_defaults_to_this_year(api):
    body = api_stats(api)

    assert body["year"] == datetime.now(WIB).year
    assert body["years"][0] == body["year"]


def test_a_year_without_reports_gives_zeros(api):
    body = api_stats(api, year=2030)

    assert body["totals"]["received"] == 0
    assert body["totals"]["completion_rate"] is None
    assert body["units"] == [] and body["channels"] == []


@pytest.mark.parametrize(
    "params, fields",
    [
        ({"year": "abc"}, ["year"]),
        ({"year": "1999"}, ["year"]),
        ({"year": "2101"}, ["year"]),
        ({"year": "2025.5"}, ["year"]),
        ({"kota": "99.99"}, ["kota"]),
        ({"unit": "NO-SUCH-UNIT", "colour": "blue"}, ["colour", "unit"]),
        ({"date_from": "1999-12-31"}, ["date_from"]),
        ({"q": "x" * 101}, ["q"]),
        ({"year": "abc", "channel": "pigeon"}, ["channel", "year"]),
        ({"date_from": "2025-03-01", "date_to": "2025-02-01"}, ["non_field_errors"]),
    ],
)
def test_a_bad_year_or_filter_is_refused_with_every_error(api, client, params, fields):
    response = api.get(API_STATS, params)

    assert response.status_code == 400
    errors = response.json()
    assert sorted(errors) == fields
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    assert client.get(STATS, params).status_code == 400  # as the page


def test_the_headline_is_the_home_pages(api):
    now = wib(2025, 2, 15, 12)
    with mock.patch("django.utils.timezone.now", return_value=now):
        body = api.get(API_HEADLINE).json()
    expected = headline_figures(now=now)

    assert (body["year"], body["month"]) == (2025, 2)
    assert body["this_month"] == _tally(expected.this_month)
    assert body["this_year"] == _tally(expected.this_year)
    assert (body["this_year"]["received"], body["this_year"]["done"]) == (9, 4)


def test_names_and_grades_follow_the_readers_language():
    indonesian = APIClient(HTTP_ACCEPT_LANGUAGE="id")

    body = api_stats(indonesian, year=2025)

    names = {c["code"]: c["name"] for c in body["categories"]}
    assert names == {"sampah": "Sampah", "jalan-rusak": "Jalan rusak"}
    english = api_stats(APIClient(HTTP_ACCEPT_LANGUAGE="en"), year=2025)
    assert {c["name"] for c in english["categories"]} == {"Garbage", "Damaged road"}
    assert english["units"][0]["ikm"]["quality"] == "Very good"
    assert body["units"][0]["ikm"]["quality"] != "Very good"


@pytest.mark.parametrize("url", [API_STATS, API_HEADLINE])
def test_statistics_are_read_with_any_valid_key_but_not_a_wrong_one(api, url):
    _connector, key = integrator(channel_code="qlue")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(url).status_code == 200

    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = api.get(url)
    assert response.status_code == 401
    assert "totals" not in response.json()


def test_the_number_of_queries_does_not_grow_with_the_reports(api):
    def queries(url, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url, params).status_code == 200
        return len(data_queries(captured))

    def all_counts():
        return (
            queries(API_STATS, year=2025),
            queries(API_STATS, year=2025, kota="31.74", channel="qlue"),
            queries(API_HEADLINE),
        )

    few = all_counts()
    _more_reports(40)
    many = all_counts()

    assert many == few
    # The statistics' two (over the cells), the years' one, a look-up per filter
    # code; the headline's one.
    assert few == (3, 5, 1)
