"""Nobody where they don't belong: every back-office URL and every API endpoint,
asked by every kind of visitor, gives the answer in tests/permission_matrix_data.py.

One report, built once for the module through the real services, is being worked
by its handling unit together with a coordinating unit. Each cell runs in a
savepoint rolled back after it, so a cell that succeeds (a disposal, a merge)
leaves the report as the next cell expects it.

Whoever may not open a report gets 404, the same as for a ticket that does not
exist, never 403: a 403 would tell them the report is there.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints.api.actions import ACTIONS
from complaints.models import Comment, Report
from complaints.services.comments import comment_add
from complaints.services.photos import PhotoUpload
from complaints.services.webhooks import webhook_register
from complaints.workflow import Action, transition
from officers.models import AuditSample, Membership, SlaWarning
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP
from officers.services.audit import audit_samples_draw
from routing.models import Area, Unit
from tests import factories
from tests.factories import image_bytes, upload
from tests.permission_matrix_data import API_INTEGRATORS, API_PEOPLE, OFFICE, parse

HOME = "KEL-31.74.02.1008"  # Kuningan Timur: handles a report filed at KUNINGAN
PARTNER = "SUDIN-DBM-31.74"  # Bina Marga, Jakarta Selatan: coordinates
ELSEWHERE = "KEL-31.71.01.1001"  # Gambir: nothing to do with the report
THIRD = "KEC-31.74.02"  # Setiabudi: where a disposal or invitation may go

OFFICE_WHO, OFFICE_ROWS = parse(OFFICE)
PEOPLE_WHO, PEOPLE_ROWS = parse(API_PEOPLE)
INTEGRATORS_WHO, INTEGRATOR_ROWS = parse(API_INTEGRATORS)
API_ACTIONS = [action.replace("_", "-") for action in ACTIONS]


def _expand(rows: dict, prefix: str, names: list[str]) -> dict:
    """A ``<prefix>*`` row stands for the same row of every name."""
    out = {}
    for (case, method), cells in rows.items():
        if case == f"{prefix}*":
            for name in names:
                out.setdefault((f"{prefix}{name}", method), cells)
        else:
            out[(case, method)] = cells
    return out


OFFICE_ROWS = _expand(OFFICE_ROWS, "act:", list(Action.values))
PEOPLE_ROWS = _expand(PEOPLE_ROWS, "action:", API_ACTIONS)


# -- the world: one report, its units and everybody around it ----------------------


class World:
    """Who is who, and the report they are asked about."""


def _person(groups=(), unit_code=None, role=Membership.Role.OFFICER):
    account = factories.user(first_name="Orang")
    if unit_code:
        Membership.objects.create(
            user=account, unit=Unit.objects.get(code=unit_code), role=role
        )
    for name in groups:
        account.groups.add(Group.objects.get(name=name))
    return account


def _completed_and_sampled(handler) -> AuditSample:
    """A report done this month, drawn for the supervisors' audit."""
    done = factories.report_filed()
    transition(actor=handler, report_id=done.pk, action=Action.ACCEPT)
    transition(
        actor=handler,
        report_id=done.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("proof.jpg", image_bytes(color=(1, 99, 1)))],
    )
    audit_samples_draw(month=timezone.localdate().replace(day=1), size=1)
    return AuditSample.objects.get(report=done)


def _build() -> World:
    w = World()
    w.people = {
        "citz": factories.citizen(),
        "rptr": factories.citizen(),
        "hand": _person(unit_code=HOME),
        "coor": _person(unit_code=PARTNER),
        "unrl": _person(unit_code=ELSEWHERE),
        "head": _person(unit_code=HOME, role=Membership.Role.HEAD),
        "mon": _person(groups=[MONITORING_ROOM_GROUP]),
        "sup": _person(groups=[SUPERVISOR_GROUP]),
    }
    hand = w.people["hand"]
    w.home, w.partner, w.third = (
        Unit.objects.get(code=code) for code in (HOME, PARTNER, THIRD)
    )

    report = factories.report_filed(reporter=w.people["rptr"])
    assert report.handling_unit == w.home
    transition(actor=hand, report_id=report.pk, action=Action.ACCEPT)
    transition(
        actor=hand, report_id=report.pk, action=Action.COORDINATE, units=[w.partner]
    )
    transition(
        actor=hand,
        report_id=report.pk,
        action=Action.REQUEST_EXTENSION,
        new_due_at=timezone.now() + timedelta(days=60),
        note="Butuh anggaran",
    )
    w.comment = comment_add(
        actor=w.people["citz"], report=report, body="Kapan diangkut?"
    )
    w.original = factories.report_filed()  # what a merge points to
    w.sample = _completed_and_sampled(hand)
    report.refresh_from_db()
    assert report.status == Report.Status.COORDINATED
    w.report = report
    w.events = report.events.count()

    connector, conn_key = factories.integrator(channel_code="qlue")
    home, home_key = factories.integrator(channel_code=None, unit_code=HOME)
    _part, part_key = factories.integrator(channel_code=None, unit_code=PARTNER)
    _othr, othr_key = factories.integrator(channel_code=None, unit_code=ELSEWHERE)
    inactive, inac_key = factories.integrator(channel_code="qlue", unit_code=HOME)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    w.webhook = webhook_register(actor=home.user, url="http://127.0.0.1:9/hook")

    w.office = {"anon": Client(HTTP_ACCEPT_LANGUAGE="en")}
    for who, account in w.people.items():
        w.office[who] = Client(HTTP_ACCEPT_LANGUAGE="en")
        w.office[who].force_login(account)

    def keyed(key):
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    w.api = {"anon": APIClient(HTTP_ACCEPT_LANGUAGE="en")}
    w.api["sess"] = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    w.api["sess"].force_login(hand)
    for who, account in w.people.items():
        w.api[who] = keyed(Token.objects.create(user=account).key)
    for who, key in {
        "conn": conn_key,
        "home": home_key,
        "part": part_key,
        "othr": othr_key,
        "inac": inac_key,
    }.items():
        w.api[who] = keyed(key)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; every cell's savepoint is rolled back, then this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Area.objects.exists():  # a transactional test flushed it
            call_command("load_reference", stdout=open("/dev/null", "w"))
        with TestCase.captureOnCommitCallbacks(execute=True):
            built = _build()
        yield built
        transaction.set_rollback(True)


# -- the requests ------------------------------------------------------------------


def _photo():
    return upload(image_bytes(color=(0, 90, 0)))


def _version(w) -> int:
    return Report.objects.get(pk=w.report.pk).version


ACT_BODIES = {
    "reject": lambda w: {"reason": Report.RejectionReason.INSUFFICIENT},
    "dispose": lambda w: {"unit": w.third.pk, "note": "Wewenang kecamatan"},
    "return_disposition": lambda w: {"note": "Bukan wewenang kami"},
    "coordinate": lambda w: {"units": [w.third.pk]},
    "follow_up": lambda w: {"note": "Sampah diangkut", "photos": [_photo()]},
    "complete": lambda w: {"note": "Selesai", "photos": [_photo()]},
    "dispute": lambda w: {"note": "Masih ada"},
    "supervisor_reopen": lambda w: {"note": "Belum beres"},
    "supervisor_close": lambda w: {"note": "Sudah beres"},
    "merge": lambda w: {"parent": w.original.ticket},
    "request_extension": lambda w: {
        "note": "Butuh survei",
        "new_due": (timezone.localdate() + timedelta(days=90)).isoformat(),
    },
    "decide_extension": lambda w: {"approve": "1"},
    "reply": lambda w: {"note": "Sedang kami kerjakan"},
}


def office_request(w, case: str, method: str) -> tuple[str, dict]:
    """The URL of a back-office case and the form it POSTs."""
    ticket = {"ticket": w.report.ticket}
    if case.startswith("act:"):
        action = case.removeprefix("act:")
        body = {"version": _version(w), **ACT_BODIES.get(action, lambda w: {})(w)}
        url = reverse("officers:report-act", kwargs={**ticket, "action": action})
        return url, body
    url, body = {
        "inbox": (reverse("officers:inbox"), {}),
        "unit-switch": (reverse("officers:unit-switch"), {"unit": w.home.pk}),
        "notifications": (reverse("officers:notifications"), {}),
        "monitoring": (reverse("officers:monitoring"), {}),
        "monitoring-reports": (
            reverse(
                "officers:monitoring-reports",
                kwargs={"code": HOME, "problem": "overdue"},
            ),
            {},
        ),
        "report-warn": (
            reverse("officers:report-warn", kwargs=ticket),
            {"note": "Segera tangani"},
        ),
        "audits": (reverse("officers:audits"), {}),
        "audit-decide": (
            reverse("officers:audit-decide", kwargs={"sample_id": w.sample.pk}),
            {"adequate": "1", "note": ""},
        ),
        "performance": (reverse("officers:performance"), {}),
        "performance-csv": (reverse("officers:performance-csv"), {}),
        "report": (reverse("officers:report", kwargs=ticket), {}),
        "comment-hide": (
            reverse("officers:comment-hide", kwargs={"pk": w.comment.pk}),
            {"reason": "Tidak sopan"},
        ),
        # An empty form: 400 shows the door opened, 403 that it did not.
        "officer-report-create": (reverse("complaints:officer-report-create"), {}),
    }[case]
    return url, body


API_ACT_BODIES = {
    "reject": lambda w: {"reason": Report.RejectionReason.INSUFFICIENT},
    "dispose": lambda w: {"unit": THIRD, "note": "Wewenang kecamatan"},
    "return-disposition": lambda w: {"note": "Bukan wewenang kami"},
    "coordinate": lambda w: {"units": [THIRD]},
    "follow-up": lambda w: {"note": "Sampah diangkut", "photos": [_photo()]},
    "complete": lambda w: {"note": "Selesai", "photos": [_photo()]},
    "dispute": lambda w: {"note": "Masih ada"},
    "reply": lambda w: {"note": "Sedang kami kerjakan"},
    "merge": lambda w: {"parent": w.original.ticket},
    "request-extension": lambda w: {
        "note": "Butuh survei",
        "new_due": (timezone.localdate() + timedelta(days=90)).isoformat(),
    },
}
NEW_REPORT = {
    "category": "sampah",
    "title": "Sampah menumpuk",
    "description": "Sudah tiga hari.",
    "latitude": factories.KUNINGAN[0],
    "longitude": factories.KUNINGAN[1],
}


def api_request(w, case: str, method: str) -> tuple[str, dict, str]:
    """The URL of an API case, its body and the body's format."""
    ticket = {"ticket": w.report.ticket}
    if case.startswith("action:"):
        action = case.removeprefix("action:")
        body = API_ACT_BODIES.get(action, lambda w: {})(w)
        fmt = "multipart" if "photos" in body else "json"
        return reverse(f"api:report-{action}", kwargs=ticket), body, fmt
    hook = {"id": w.webhook.pk}
    name, kwargs, body = {
        "report-detail": ("report-detail", ticket, {}),
        "report-timeline": ("report-timeline", ticket, {}),
        "report-comments": ("report-comments", ticket, {"body": "Terima kasih"}),
        "report-list": ("report-list", {}, NEW_REPORT),
        "category-detail": ("category-detail", {"code": "sampah"}, {}),
        "area-detail": ("area-detail", {"code": "31.74.02.1008"}, {}),
        "unit-detail": ("unit-detail", {"code": HOME}, {}),
        "webhook-list": ("webhook-list", {}, {"url": "http://127.0.0.1:9/other"}),
        "webhook-detail": ("webhook-detail", hook, {"is_active": False}),
        "webhook-deliveries": ("webhook-deliveries", hook, {}),
    }.get(case, (case, {}, {}))
    return reverse(f"api:{name}", kwargs=kwargs), body, "json"


# -- the cells ---------------------------------------------------------------------


# What a redirect that reports success has done (some pages redirect on a refusal
# too, with a message): checked before the cell's savepoint is rolled back.
DONE = {
    "unit-switch": lambda w, client: client.session.get("office_unit") == w.home.pk,
    "report-warn": lambda w, client: SlaWarning.objects.filter(
        report=w.report
    ).exists(),
    "audit-decide": lambda w, client: (
        AuditSample.objects.get(pk=w.sample.pk).decided_at is not None
    ),
    "comment-hide": lambda w, client: (
        Comment.objects.get(pk=w.comment.pk).hidden_at is not None
    ),
    "act:": lambda w, client: w.report.events.count() > w.events,
}


def _answered(response, expected: str) -> str:
    """The response in the table's words."""
    if response.status_code == 302:
        login = reverse("accounts:login")
        return "login" if response["Location"].startswith(login) else "302"
    return str(response.status_code)


def _cells(rows: dict, identities: list[str]):
    return [
        pytest.param(case, method, who, cells[who], id=f"{case}-{method}-{who}")
        for (case, method), cells in rows.items()
        for who in identities
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case,method,who,expected", _cells(OFFICE_ROWS, OFFICE_WHO))
def test_back_office(world, case, method, who, expected):
    url, body = office_request(world, case, method)
    client = world.office[who]
    if case == "officer-report-create":
        cache.clear()  # its rate limit counts every POST of the session
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, body)
    assert _answered(response, expected) == expected, (url, response.status_code)
    if expected == "302":
        done = DONE.get("act:" if case.startswith("act:") else case)
        assert done is None or done(world, client), f"{case} redirected, undone"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case,method,who,expected",
    _cells(PEOPLE_ROWS, PEOPLE_WHO) + _cells(INTEGRATOR_ROWS, INTEGRATORS_WHO),
)
def test_api(world, case, method, who, expected):
    url, body, fmt = api_request(world, case, method)
    api = world.api[who]
    if method == "GET":
        response = api.get(url)
    else:
        response = getattr(api, method.lower())(url, body, format=fmt)
    assert _answered(response, expected) == expected, (url, response.content[:300])


# -- the tables themselves ---------------------------------------------------------


def _names(patterns, namespace: str = "") -> set[str]:
    """Every named URL pattern under ``patterns``, with its namespaces."""
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            found |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern shows as its route: it has no row, so it fails.
            found.add(f"{namespace}{pattern.name or '?' + str(pattern.pattern)}")
    return found


def _api_methods(pattern_name: str) -> set[str]:
    """The HTTP methods an API view answers (besides HEAD and OPTIONS)."""
    resolver = get_resolver()
    for pattern in _patterns_named(resolver.url_patterns, pattern_name, ""):
        view = pattern.callback
        actions = getattr(view, "actions", None)
        if actions:  # a viewset bound to {method: action}
            return {m.upper() for m in actions} - {"HEAD", "OPTIONS"}
        cls = view.cls
        return {
            m.upper()
            for m in ("get", "post", "put", "patch", "delete")
            if hasattr(cls, m)
        }
    raise AssertionError(pattern_name)


def _patterns_named(patterns, wanted: str, namespace: str):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from _patterns_named(pattern.url_patterns, wanted, inner)
        elif f"{namespace}{pattern.name}" == wanted:
            yield pattern


def _office_case(name: str) -> str:
    return name.removeprefix("officers:").removeprefix("complaints:")


def test_every_back_office_url_has_a_row():
    names = {
        name
        for name in _names(get_resolver().url_patterns)
        if name.startswith("officers:")
    } | {"complaints:officer-report-create"}
    cases = {case for case, _method in OFFICE_ROWS}
    missing = {
        name
        for name in names
        if name != "officers:report-act" and _office_case(name) not in cases
    }
    assert not missing, f"no row in permission_matrix_data.OFFICE for {missing}"
    # Every workflow action, and only they, has its report-act row.
    assert {c.removeprefix("act:") for c in cases if c.startswith("act:")} == set(
        Action.values
    )


def test_every_api_endpoint_and_method_has_a_row():
    names = {
        name for name in _names(get_resolver().url_patterns) if name.startswith("api:")
    }
    assert names, "the API's URLs were not found"
    for table, rows in (
        ("API_PEOPLE", PEOPLE_ROWS),
        ("API_INTEGRATORS", INTEGRATOR_ROWS),
    ):
        for name in sorted(names):
            case = name.removeprefix("api:")
            if case.startswith("report-") and case.removeprefix("report-") in (
                API_ACTIONS
            ):
                case = "action:" + case.removeprefix("report-")
            for method in _api_methods(name):
                assert (case, method) in rows, f"no row in {table} for {case} {method}"


def test_nobody_who_may_not_open_the_report_learns_it_exists():
    """Report-bound back-office URLs answer 404 to whoever may not open the
    report (officers of other units, citizens, the reporter), never 403."""
    bound = {
        "report",
        "report-warn",
        "comment-hide",
        *(f"act:{action}" for action in Action.values),
    }
    for (case, method), cells in OFFICE_ROWS.items():
        if case in bound and (method == "POST" or case == "report"):
            for who in ("citz", "rptr", "unrl"):
                assert cells[who] == "404", (case, who)
    for (case, _method), cells in INTEGRATOR_ROWS.items():
        if case.startswith(("report-detail", "report-timeline", "report-comments")):
            assert cells["conn"] == cells["othr"] == "404", case
        if case.startswith("action:"):
            assert cells["conn"] == cells["othr"] == "404", case


@pytest.mark.django_db
def test_a_hidden_report_answers_as_a_missing_one(world):
    """The unrelated officer's 404 on a real ticket is the one for no ticket."""
    client = world.office["unrl"]
    real = client.get(
        reverse("officers:report", kwargs={"ticket": world.report.ticket})
    )
    missing = client.get(
        reverse("officers:report", kwargs={"ticket": "JKT-0001-000001"})
    )
    assert real.status_code == missing.status_code == 404
    assert [t.name for t in real.templates] == [t.name for t in missing.templates]


@pytest.mark.django_db
def test_a_successful_cell_leaves_nothing_for_the_next(world):
    """The savepoint of each cell is rolled back: the report is as built."""
    report = Report.objects.get(pk=world.report.pk)
    assert report.status == Report.Status.COORDINATED
    assert report.handling_unit_id == world.home.pk
    assert Comment.objects.get(pk=world.comment.pk).hidden_at is None
