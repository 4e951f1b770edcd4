"""The public map's data: clusters or single reports for the visible box, with the
list's filters, and the kelurahan boundary layer."""

import itertools
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Channel, Report
from complaints.services.map_cells import map_cells_rebuild
from routing.models import Area, Unit
from tests.factories import GAMBIR_CODE, KUNINGAN, KUNINGAN_TIMUR_CODE, MONAS, citizen
from transparency.selectors import map as map_selectors

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("transparency:map-data")
BOUNDARIES = reverse("routing:kelurahan-boundaries")
JAKARTA = "106.6,-6.4,107.0,-6.0"
AROUND_MONAS = "106.82,-6.18,106.83,-6.17"
CITY_ZOOM = 11
STREET_ZOOM = 16
_tickets = itertools.count(1)
AREA_OF = {MONAS: GAMBIR_CODE, KUNINGAN: KUNINGAN_TIMUR_CODE}


def reports_at(point, *statuses, category="sampah", title="Jalan berlubang"):
    """Reports in the given statuses, written straight to the table: the map reads
    only stored rows, and hundreds of reports must be cheap to make. Written past
    the services, so the map's cell counts are rebuilt, as after a bulk load."""
    code = AREA_OF.get(point, GAMBIR_CODE)
    area = Area.objects.get(code=code)
    unit = Unit.objects.get(code="KEL-" + code)
    now = timezone.now()
    parent = reports_at(point, "new")[0] if "merged" in statuses else None
    rows = []
    for status in statuses:
        number = next(_tickets)
        rows.append(
            Report(
                ticket=f"JKT-9901-{number:06d}",
                title=title,
                description="Dekat halte.",
                category=Category.objects.get(code=category),
                channel=Channel.objects.get(code="web"),
                status=status,
                latitude=None if point is None else point[0],
                longitude=None if point is None else point[1],
                location_source="area" if point is None else "pin",
                area=area,
                handling_unit=unit,
                created_at=now - timedelta(minutes=number),
                response_due_at=now + timedelta(days=1),
                completion_due_at=now + timedelta(days=7),
                rejection_reason="spam" if status == "rejected" else "",
                parent=parent if status == "merged" else None,
            )
        )
    reports = Report.objects.bulk_create(rows)
    map_cells_rebuild()
    return reports


def get_map(client, *, bbox=JAKARTA, zoom=CITY_ZOOM, **filters):
    response = client.get(URL, {"bbox": bbox, "zoom": zoom, **filters})
    assert response.status_code == 200, response.content
    return response.json()


def cluster_near(data, point):
    """The cluster whose centre is the point (give or take the rounding)."""
    return next(
        c
        for c in data["clusters"]
        if abs(c["lat"] - point[0]) < 0.001 and abs(c["lng"] - point[1]) < 0.001
    )


@pytest.fixture
def few_points_only(monkeypatch):
    """Clusters from the second report on, so that a handful of rows show them."""
    monkeypatch.setattr(map_selectors, "POINTS_UNDER", 1)


def test_zoomed_out_many_reports_come_as_clusters_counted_by_colour(
    client, few_points_only
):
    reports_at(MONAS, "new", "disposed", "reopened", "in_process", "coordinated")
    reports_at(KUNINGAN, "done", "closed", "rejected", "merged")

    data = get_map(client)

    assert data["zoom"] == CITY_ZOOM
    assert data["points"] == []
    assert data["truncated"] is False
    # The merged report's parent is a sixth report at Kuningan, red.
    assert data["total"] == 10
    assert len(data["clusters"]) == 2
    monas, kuningan = cluster_near(data, MONAS), cluster_near(data, KUNINGAN)
    assert monas["count"] == 5
    assert monas["colours"] == {"red": 3, "yellow": 2, "green": 0, "grey": 0}
    assert kuningan["count"] == 5
    assert kuningan["colours"] == {"red": 1, "yellow": 0, "green": 2, "grey": 2}


def test_cluster_centres_are_the_mean_rounded_like_every_public_point(
    client, few_points_only
):
    reports_at((-6.1754321, 106.8272987), "new")
    reports_at((-6.1760123, 106.8280456), "new")

    data = get_map(client)

    (cluster,) = data["clusters"]
    assert cluster["lat"] == round((-6.1754321 - 6.1760123) / 2, 3)
    assert cluster["lng"] == round((106.8272987 + 106.8280456) / 2, 3)
    assert "6.17543" not in json.dumps(data)


def test_zoomed_in_reports_come_one_by_one_with_their_status_and_page(client):
    red, yellow = reports_at(MONAS, "new", "in_process")
    (green,) = reports_at(MONAS, "closed", title="Lampu jalan mati")

    data = get_map(client, bbox=AROUND_MONAS, zoom=STREET_ZOOM)

    assert data["clusters"] == []
    assert data["total"] == 3
    points = {p["ticket"]: p for p in data["points"]}
    assert points[green.ticket] == {
        "ticket": green.ticket,
        "title": "Lampu jalan mati",
        "lat": round(MONAS[0], 3),
        "lng": round(MONAS[1], 3),
        "colour": "green",
        "label": "Done",
        "url": green.get_absolute_url(),
    }
    assert points[red.ticket]["colour"] == "red"
    assert points[red.ticket]["label"] == "Waiting"
    assert points[yellow.ticket]["colour"] == "yellow"
    assert points[yellow.ticket]["label"] == "In process"


def test_a_few_reports_come_one_by_one_even_zoomed_out(client):
    reports_at(MONAS, "new", "rejected")
    reports_at(KUNINGAN, "done")

    data = get_map(client, zoom=9)

    assert data["clusters"] == []
    assert sorted(p["colour"] for p in data["points"]) == ["green", "grey", "red"]


def test_too_many_points_are_cut_to_the_newest_and_say_so(client, monkeypatch):
    monkeypatch.setattr(map_selectors, "POINTS_MAX", 2)
    newest, second, _oldest = reports_at(MONAS, "new", "new", "new")

    data = get_map(client, bbox=AROUND_MONAS, zoom=STREET_ZOOM)

    assert data["total"] == 3
    assert data["truncated"] is True
    assert [p["ticket"] for p in data["points"]] == [newest.ticket, second.ticket]


def test_reports_outside_the_box_or_without_a_place_are_left_out(client):
    (inside,) = reports_at(MONAS, "new")
    reports_at(KUNINGAN, "new")
    reports_at(None, "new", "in_process")

    around_monas = get_map(client, bbox=AROUND_MONAS, zoom=STREET_ZOOM)
    whole_world = get_map(client, bbox="-180,-90,180,90", zoom=0)

    assert [p["ticket"] for p in around_monas["points"]] == [inside.ticket]
    assert around_monas["total"] == 1
    assert whole_world["total"] == 2


def test_the_lists_filters_narrow_the_map(client, few_points_only):
    reports_at(MONAS, "new", "new", "done")
    reports_at(MONAS, "in_process", category="pohon-tumbang")
    reports_at(KUNINGAN, "new", "closed")

    def total(**filters):
        return get_map(client, **filters)["total"]

    assert total() == 6
    assert total(colour="red") == 3
    assert total(colour="green") == 2
    assert total(category="pohon-tumbang") == 1
    assert total(kelurahan=GAMBIR_CODE) == 4
    assert total(kelurahan=KUNINGAN_TIMUR_CODE, colour="green") == 1
    red_at_monas = get_map(client, colour="red", kelurahan=GAMBIR_CODE)
    assert red_at_monas["clusters"][0]["colours"] == {
        "red": 2,
        "yellow": 0,
        "green": 0,
        "grey": 0,
    }


def test_the_map_never_shows_the_reporters_details_nor_the_exact_place(
    client, few_points_only
):
    (report,) = reports_at(MONAS, "new", title="Sampah di depan rumah")
    Report.objects.filter(pk=report.pk).update(
        latitude=-6.1754321,
        longitude=106.8272987,
        address="Jalan Rahasia Nomor 99",
        reporter_name="Zebulon Quixote",
        reporter_email="zebulon.quixote@example.com",
        reporter_phone="081277773333",
        reporter=citizen(email="zebulon.quixote@example.com", last_name="Quixote"),
    )
    reports_at(KUNINGAN, "new")  # rebuilds the cell counts, the moved report's too

    for zoom in (CITY_ZOOM, STREET_ZOOM):
        text = client.get(URL, {"bbox": JAKARTA, "zoom": zoom}).content.decode()
        for secret in (
            "Zebulon",
            "Quixote",
            "zebulon.quixote@example.com",
            "081277773333",
            "Rahasia",
            "6.17543",
            "106.82729",
        ):
            assert secret not in text


@pytest.mark.parametrize(
    "params, field",
    [
        ({"zoom": "11"}, "bbox"),
        ({"bbox": JAKARTA}, "zoom"),
        ({"bbox": "106.6,-6.4,107.0", "zoom": "11"}, "bbox"),
        ({"bbox": "106.6,-6.4,107.0,-6.0,1", "zoom": "11"}, "bbox"),
        ({"bbox": "west,south,east,north", "zoom": "11"}, "bbox"),
        ({"bbox": "nan,-6.4,107.0,-6.0", "zoom": "11"}, "bbox"),
        ({"bbox": "106.6,-inf,107.0,-6.0", "zoom": "11"}, "bbox"),
        ({"bbox": "106.6,-6.4,181,-6.0", "zoom": "11"}, "bbox"),
        ({"bbox": "106.6,-91,107.0,-6.0", "zoom": "11"}, "bbox"),
        ({"bbox": "107.0,-6.4,106.6,-6.0", "zoom": "11"}, "bbox"),
        ({"bbox": "106.6,-6.0,107.0,-6.4", "zoom": "11"}, "bbox"),
        ({"bbox": "106.6,-6.4,106.6,-6.0", "zoom": "11"}, "bbox"),
        ({"bbox": JAKARTA, "zoom": "-1"}, "zoom"),
        ({"bbox": JAKARTA, "zoom": "20"}, "zoom"),
        ({"bbox": JAKARTA, "zoom": "11.5"}, "zoom"),
        ({"bbox": JAKARTA, "zoom": "eleven"}, "zoom"),
        ({"bbox": JAKARTA, "zoom": "11", "colour": "purple"}, "colour"),
        ({"bbox": JAKARTA, "zoom": "11", "category": "no-such"}, "category"),
        ({"bbox": JAKARTA, "zoom": "11", "kelurahan": "99.99"}, "kelurahan"),
        ({"bbox": JAKARTA, "zoom": "11", "date_from": "2026-13-01"}, "date_from"),
        ({"bbox": JAKARTA, "zoom": "11", "q": "x" * 101}, "q"),
        (
            {
                "bbox": JAKARTA,
                "zoom": "11",
                "date_from": "2026-02-01",
                "date_to": "2026-01-01",
            },
            "__all__",
        ),
    ],
)
def test_bad_input_is_refused_with_the_reason(client, params, field):
    reports_at(MONAS, "new")

    response = client.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_bad_box_and_bad_filter_are_reported_together(client):
    response = client.get(URL, {"bbox": "1,2", "zoom": "11", "colour": "purple"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"bbox", "colour"}


def queries_for(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        get_map(client, **params)
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {"zoom": CITY_ZOOM},
        {"zoom": STREET_ZOOM},
        {"zoom": CITY_ZOOM, "colour": "red", "kelurahan": GAMBIR_CODE},
    ],
    ids=["clusters", "points", "filtered"],
)
def test_the_number_of_queries_does_not_grow_with_the_reports(
    client, few_points_only, params, django_assert_max_num_queries
):
    statuses = ["new", "in_process", "done", "rejected", "closed"]
    reports_at(MONAS, "new", "new", "in_process", "done")
    with django_assert_max_num_queries(4):
        few = queries_for(client, **params)
    for i in range(26):
        step = 0.0007 * i
        reports_at((MONAS[0] + step, MONAS[1] + step), statuses[i % 5])

    with django_assert_max_num_queries(4):
        many = queries_for(client, **params)

    assert many == few


def test_the_map_data_may_be_cached_for_a_minute(client):
    response = client.get(URL, {"bbox": JAKARTA, "zoom": CITY_ZOOM})

    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    assert "Accept-Language" in response["Vary"]


def test_the_home_page_shows_the_map_beside_the_latest_reports(client):
    html = client.get("/").content.decode()

    assert "data-portal-map" in html
    assert f'data-data-url="{URL}"' in html
    assert f'data-boundaries-url="{BOUNDARIES}"' in html
    assert "js/portal-map.js" in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "<script>" not in html  # no inline script: a CSP will forbid it


def _positions(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def test_the_kelurahan_boundaries_are_valid_geojson_kept_small(
    client, django_assert_max_num_queries
):
    # Read the cache, read the areas, write the cache (five statements).
    with django_assert_max_num_queries(7):
        response = client.get(BOUNDARIES)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=86400" in response["Cache-Control"]
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 267
    gambir = next(f for f in features if f["properties"]["code"] == GAMBIR_CODE)
    assert gambir["properties"] == {
        "code": GAMBIR_CODE,
        "name": "Gambir",
        "kecamatan": "Gambir",
        "kota": Area.objects.get(code=GAMBIR_CODE).parent.parent.name,
    }
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        for polygon in _positions(feature["geometry"]):
            for ring in polygon:
                assert len(ring) >= 4
                assert ring[0] == ring[-1]
                for lng, lat in ring:
                    assert 106 < lng < 107.2 and -6.5 < lat < -5
                    assert round(lng, 5) == lng and round(lat, 5) == lat


def test_the_boundaries_are_read_once_then_served_from_the_cache(
    client, django_assert_max_num_queries
):
    first = client.get(BOUNDARIES).content

    with django_assert_max_num_queries(1):
        again = client.get(BOUNDARIES).content

    assert again == first


@pytest.mark.parametrize("zoom", [11, 16, 19])
def test_tiny_boxes_learn_nothing_finer_than_the_rounded_position(client, zoom):
    exact = (-6.176356, 106.827844)  # public: (-6.176, 106.828)
    reports_at(exact, "new")

    def total(west, south, east, north):
        bbox = f"{west},{south},{east},{north}"
        return get_map(client, bbox=bbox, zoom=zoom)["total"]

    # A box around the exact point but not the rounded one finds nothing...
    assert total(106.82784, -6.17636, 106.82785, -6.17635) == 0
    assert total(106.8275, -6.1765, 106.8279, -6.1761) == 0
    # ...and a box around the rounded point finds it, wherever the exact one is.
    assert total(106.8279, -6.1761, 106.8281, -6.1759) == 1


@pytest.mark.parametrize("zoom", [11, 13, 15])
def test_cells_follow_the_rounded_position_not_the_exact_one(client, monkeypatch, zoom):
    monkeypatch.setattr(map_selectors, "POINTS_UNDER", 0)
    # Far apart exactly, the same public position: always one cluster.
    reports_at((-6.17551, 106.82749), "new")
    reports_at((-6.17649, 106.82651), "new")
    body = get_map(client, zoom=zoom)
    assert [c["count"] for c in body["clusters"]] == [2]
