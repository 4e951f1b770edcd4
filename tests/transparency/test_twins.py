"""Fewer twins: before filing, a citizen sees the open reports of the same category
near their pin, as the public may see them."""

import json
import math

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from complaints.models import Category, Channel
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from complaints.services.support import support_add
from complaints.workflow import Action, transition
from officers.models import Membership
from tests.factories import MONAS, citizen, image_bytes, officer

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("transparency:nearby")
# A point on the public grid (3 decimals) in Kuningan Timur, so that the distances
# the public sees (measured between rounded points) are exact in these tests.
HERE = (-6.230, 106.830)
# 0.001° of latitude is about 111 m: one step is inside the 150 m radius, two are not.
ONE_STEP = (-6.231, 106.830)
TWO_STEPS = (-6.232, 106.830)
SECRETS = [
    "Zebulon Quackenbush",
    "zebulon.secret@example.com",
    "0811-9999-1234",
    "Gang Rahasia No. 77",
]


@pytest.fixture(autouse=True)
def radius(settings):
    settings.WARGA_TWIN_RADIUS_METRES = 150


def filed(*, point=HERE, category="sampah", title="Sampah menumpuk", actor=None):
    return report_submit(
        actor=actor or AnonymousUser(),
        channel=Channel.objects.get(code="web"),
        category=Category.objects.get(code=category),
        title=title,
        description="Sudah tiga hari.",
        latitude=point[0],
        longitude=point[1],
        photos=[PhotoUpload("evidence.jpg", image_bytes())],
        reporter_name=SECRETS[0],
        reporter_email=SECRETS[1],
        reporter_phone=SECRETS[2],
        address=SECRETS[3],
        public_name="",
    ).report


def nearby(client, *, category="sampah", point=HERE):
    return client.get(URL, {"category": category, "lat": point[0], "lng": point[1]})


def tickets(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [twin["ticket"] for twin in response.json()["reports"]]


def act(report, action, *, role=Membership.Role.OFFICER, **params):
    actor = officer(unit_code=report.handling_unit.code, role=role)
    return transition(actor=actor, report_id=report.pk, action=action, **params)


def test_open_reports_of_the_category_within_the_radius_are_listed_nearest_first(
    client,
):
    farther = filed(point=ONE_STEP, title="Agak jauh")
    nearer = filed(point=HERE, title="Di sini")
    response = nearby(client)
    assert tickets(response) == [nearer.ticket, farther.ticket]
    twins = response.json()["reports"]
    assert twins[0]["distance"] == 0
    assert 100 <= twins[1]["distance"] <= 120
    assert twins[0]["colour"] == "red" and twins[0]["label"] == "Waiting"
    assert twins[0]["reason"].startswith("waiting for")
    assert twins[0]["url"] == nearer.get_absolute_url()
    assert twins[0]["support_url"] == reverse(
        "transparency:report-act", kwargs={"ticket": nearer.ticket, "action": "support"}
    )
    assert "/thumbs/" in twins[0]["thumbnail"]
    assert response["Cache-Control"] in (
        "public, max-age=60",
        "max-age=60, public",
    )


def test_reports_in_process_are_listed_with_their_support_count(client):
    report = filed()
    act(report, Action.ACCEPT)
    support_add(actor=citizen(), report=report)
    support_add(actor=citizen(), report=report)
    [twin] = nearby(client).json()["reports"]
    assert twin["colour"] == "yellow"
    assert twin["supports"] == 2


def test_other_categories_and_far_away_reports_are_not_twins(client):
    filed(category="jalan-rusak")
    filed(point=TWO_STEPS)
    filed(point=MONAS)
    assert tickets(nearby(client)) == []


def test_done_closed_rejected_and_merged_reports_are_not_twins(client):
    original = filed(title="Yang asli")
    done = filed()
    act(done, Action.ACCEPT)
    act(
        done,
        Action.COMPLETE,
        note="Selesai",
        photos=[PhotoUpload("after.jpg", image_bytes(color=(10, 200, 10)))],
    )
    reporter = citizen()
    closed = filed(actor=reporter)
    act(closed, Action.ACCEPT)
    act(
        closed,
        Action.COMPLETE,
        note="Selesai",
        photos=[PhotoUpload("after.jpg", image_bytes(color=(10, 180, 30)))],
    )
    transition(actor=reporter, report_id=closed.pk, action=Action.CONFIRM)
    rejected = filed()
    act(rejected, Action.REJECT, role=Membership.Role.HEAD, reason="spam")
    merged = filed()
    act(merged, Action.MERGE, parent=original.ticket)
    for report in (done, closed, rejected, merged):
        report.refresh_from_db()
    assert [r.status for r in (done, closed, rejected, merged)] == [
        "done",
        "closed",
        "rejected",
        "merged",
    ]
    assert tickets(nearby(client)) == [original.ticket]


def test_at_most_five_twins_are_shown(client):
    for _ in range(7):
        filed()
    assert len(tickets(nearby(client))) == 5


def test_twins_carry_only_public_fields(client):
    filed()
    response = nearby(client)
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text
        assert json.dumps(secret)[1:-1] not in text
    [twin] = response.json()["reports"]
    assert set(twin) == {
        "ticket",
        "title",
        "thumbnail",
        "colour",
        "label",
        "reason",
        "distance",
        "supports",
        "created",
        "url",
        "support_url",
    }


def test_distances_are_measured_from_the_public_rounded_point(client):
    # Exactly at HERE but asked from a point 40 m away: the public learns no more
    # than the rounded point tells, whatever the exact location.
    filed(point=(-6.2304, 106.8304))
    [twin] = nearby(client).json()["reports"]
    assert twin["distance"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "-6.23", "lng": "106.83"}, "category"),
        ({"category": "no-such-thing", "lat": "-6.23", "lng": "106.83"}, "category"),
        ({"category": "sampah", "lng": "106.83"}, "lat"),
        ({"category": "sampah", "lat": "-6.23"}, "lng"),
        ({"category": "sampah", "lat": "abc", "lng": "106.83"}, "lat"),
        ({"category": "sampah", "lat": "nan", "lng": "106.83"}, "lat"),
        ({"category": "sampah", "lat": "-6.23", "lng": "inf"}, "lng"),
        ({"category": "sampah", "lat": "91", "lng": "106.83"}, "lat"),
        ({"category": "sampah", "lat": "-6.23", "lng": "-181"}, "lng"),
        ({"category": "sampah", "lat": "1e400", "lng": "106.83"}, "lat"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, params, field):
    filed()
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_only_get_is_allowed(client):
    assert client.post(URL, {"category": "sampah"}).status_code == 405


@pytest.mark.parametrize("count", [2, 8])
def test_the_number_of_queries_does_not_grow_with_the_twins(
    client, count, django_assert_max_num_queries
):
    for n in range(count):
        report = filed(point=(HERE[0] - 0.0001 * n, HERE[1]))
        if n % 2:
            act(report, Action.ACCEPT)
            support_add(actor=citizen(), report=report)
    with django_assert_max_num_queries(3):
        response = nearby(client)
    assert len(tickets(response)) == min(count, 5)


def test_the_report_form_carries_the_hidden_twins_panel(client):
    html = client.get(reverse("complaints:report-create")).content.decode()
    assert f'data-url="{URL}"' in html
    assert 'id="twins" class="twins" hidden' in html
    assert "Already reported nearby? Support it instead of filing a new one" in html
    sampah = Category.objects.get(code="sampah")
    assert f"{sampah.pk}=sampah" in html
    assert 'aria-live="polite"' in html


def test_the_box_and_the_haversine_agree_at_jakartas_latitude():
    from routing.geo import bounding_box, distance_metres

    box = bounding_box(latitude=HERE[0], longitude=HERE[1], metres=150)
    north = distance_metres(HERE[0], HERE[1], box.max_latitude, HERE[1])
    east = distance_metres(HERE[0], HERE[1], HERE[0], box.max_longitude)
    assert math.isclose(north, 150, rel_tol=1e-6)
    assert 150 <= east <= 151
