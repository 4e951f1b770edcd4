"""A year and a half of a small city's reports, made only through the services
(intake, workflow, survey, audit, SLA sweep, comments) at set times: the history
the aggregates are checked against, for the statistics and the unit performance.

Every edge the counting must get right happens in it: a dispute reopening a done
report, dispositions moving custody (one returned), a coordination, a merge and a
rejection, ratings given to the unit that completed the work, a report received
in one year and completed in the next, reports received either side of midnight
(WIB) at a month's and a year's end, an audit that reopens a closed report, an
adequate audit, automatic closing, an SLA sweep and a hidden comment.
"""

from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group

from complaints.models import Category, Channel, Report
from complaints.services.closing import reports_close_expired
from complaints.services.comments import comment_add, comment_hide
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from complaints.services.satisfaction import ELEMENT_FIELDS, survey_submit
from complaints.workflow import Action, transition
from officers.models import AuditSample, Membership
from officers.permissions import SUPERVISOR_GROUP
from officers.services.audit import audit_decide, audit_samples_draw
from officers.services.sla import sla_sweep
from routing.models import Unit
from tests.factories import KUNINGAN, MONAS, citizen, image_bytes, officer, user

WIB = ZoneInfo("Asia/Jakarta")
GAMBIR = "KEL-31.71.01.1001"
KUNINGAN_TIMUR = "KEL-31.74.02.1008"
KECAMATAN_GAMBIR = "KEC-31.71.01"
SUDIN = "SUDIN-DBM-31.74"


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


@contextmanager
def clock(*args):
    """The services' "now" is this moment (WIB)."""
    moment = wib(*args)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def proof(shade: int = 0) -> list[PhotoUpload]:
    return [PhotoUpload("proof.jpg", image_bytes(color=(10, 120 + shade, 10)))]


class City:
    """The officers of the city's units, and a way to act as them."""

    def __init__(self) -> None:
        self.officers: dict[str, object] = {}
        self.heads: dict[str, object] = {}
        self.supervisor = user()
        self.supervisor.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))

    def officer_of(self, report: Report, *, head: bool = False):
        code = Report.objects.get(pk=report.pk).handling_unit.code
        people = self.heads if head else self.officers
        if code not in people:
            role = Membership.Role.HEAD if head else Membership.Role.OFFICER
            people[code] = officer(unit_code=code, role=role)
        return people[code]

    def act(self, report: Report, action: str, *, by=None, **params) -> None:
        transition(
            actor=by or self.officer_of(report),
            report_id=report.pk,
            action=action,
            **params,
        )

    def file(
        self,
        *,
        point=KUNINGAN,
        category: str = "sampah",
        channel: str = "web",
    ) -> Report:
        return report_submit(
            actor=citizen(),
            channel=Channel.objects.get(code=channel),
            category=Category.objects.get(code=category),
            title="Sampah menumpuk",
            description="Sudah tiga hari.",
            latitude=point[0],
            longitude=point[1],
            photos=[PhotoUpload("evidence.jpg", image_bytes())],
        ).report

    def rate(self, report: Report, score: int) -> None:
        survey_submit(
            actor=report.reporter,
            report_id=report.pk,
            answers=dict.fromkeys(ELEMENT_FIELDS, score),
        )


def city_history() -> dict[str, Report]:
    """Build the history; returns its reports by name."""
    city = City()
    act = city.act
    unit = Unit.objects.get
    reports = {}

    # Disputed once and done again: 10 days after receipt (8–14 days), rated.
    with clock(2025, 3, 10, 9):
        a = reports["disputed"] = city.file(point=MONAS)
    with clock(2025, 3, 10, 11):
        act(a, Action.ACCEPT)
    with clock(2025, 3, 11, 8):
        act(a, Action.FOLLOW_UP, note="Sudah diangkut", photos=proof())
    with clock(2025, 3, 11, 9):
        act(a, Action.COMPLETE)
    with clock(2025, 3, 12, 10):
        act(a, Action.DISPUTE, by=a.reporter, note="Masih menumpuk")
    with clock(2025, 3, 12, 15):
        act(a, Action.ACCEPT)
    with clock(2025, 3, 20, 9):
        act(a, Action.COMPLETE, photos=proof(1))
    with clock(2025, 3, 21, 9):
        act(a, Action.CONFIRM, by=a.reporter)
    with clock(2025, 3, 22, 9):
        city.rate(a, 4)

    # Disposed to the kecamatan, which finishes it and is rated for it.
    with clock(2025, 4, 1, 9):
        b = reports["disposed"] = city.file(point=MONAS)
    with clock(2025, 4, 1, 10):
        act(b, Action.DISPOSE, unit=unit(code=KECAMATAN_GAMBIR), note="Kewenangan")
    with clock(2025, 4, 2, 9):
        act(b, Action.ACCEPT_DISPOSITION)
    with clock(2025, 4, 3, 9):
        act(b, Action.COMPLETE, photos=proof(2))
    with clock(2025, 4, 3, 12):
        act(b, Action.CONFIRM, by=b.reporter)
    with clock(2025, 4, 4, 9):
        city.rate(b, 2)

    # Rejected; merged as a duplicate of the first.
    with clock(2025, 5, 5, 9):
        c = reports["rejected"] = city.file()
    with clock(2025, 5, 5, 20):
        act(c, Action.REJECT, by=city.officer_of(c, head=True), reason="spam")
    with clock(2025, 5, 6, 9):
        d = reports["merged"] = city.file(point=MONAS)
        act(d, Action.MERGE, parent=a.ticket)

    # Another channel and category (routed by rule, maybe to an agency).
    with clock(2025, 6, 1, 9):
        q = reports["qlue"] = city.file(channel="qlue", category="jalan-rusak")
    with clock(2025, 6, 3, 9):
        act(q, Action.ACCEPT)

    # Received on New Year's Eve (WIB; still 31 December in UTC), done in
    # January, rated; then an audit finds the follow-up inadequate and reopens
    # the closed report, which its unit finishes again in February.
    with clock(2025, 12, 31, 23, 30):
        e = reports["new_year"] = city.file()
    with clock(2026, 1, 2, 8):
        act(e, Action.ACCEPT)
    with clock(2026, 1, 5, 8):
        act(e, Action.COMPLETE, photos=proof(3))
    with clock(2026, 1, 6, 8):
        act(e, Action.CONFIRM, by=e.reporter)
    with clock(2026, 1, 7, 8):
        city.rate(e, 3)

    # Either side of midnight (WIB) at the end of January; the first is done
    # 7 × 24 hours after receipt exactly and closes by itself.
    with clock(2026, 1, 31, 23, 59, 59):
        f = reports["january"] = city.file(point=MONAS)
    with clock(2026, 2, 1, 0, 0, 1):
        g = reports["february"] = city.file(point=MONAS)
        act(f, Action.ACCEPT)
    with clock(2026, 2, 7, 23, 59, 59):
        act(f, Action.COMPLETE, photos=proof(4))

    # Disposed to another kelurahan, which returns it; coordinated with the
    # suku dinas, then done.
    with clock(2026, 2, 10, 9):
        h = reports["returned"] = city.file(point=MONAS)
    with clock(2026, 2, 10, 10):
        act(h, Action.DISPOSE, unit=unit(code=KUNINGAN_TIMUR), note="Salah wilayah")
    with clock(2026, 2, 11, 10):
        act(h, Action.RETURN_DISPOSITION, note="Bukan wilayah kami")
    with clock(2026, 2, 11, 12):
        act(h, Action.ACCEPT)
    with clock(2026, 2, 12, 12):
        act(h, Action.COORDINATE, units=[unit(code=SUDIN)])
    with clock(2026, 2, 25, 12):
        act(h, Action.COMPLETE, photos=proof(5))

    with clock(2026, 2, 15, 9) as now:
        reports_close_expired(now=now)
        # January's completions are audited: the one found wanting reopens.
        audit_samples_draw(month=date(2026, 1, 1), size=5)
        audit_samples_draw(month=date(2025, 3, 1), size=5)
        for sample in AuditSample.objects.order_by("pk"):
            audit_decide(
                actor=city.supervisor,
                sample_id=sample.pk,
                adequate=sample.report_id != e.pk,
                note="" if sample.report_id != e.pk else "Foto tidak sesuai",
            )
    with clock(2026, 2, 16, 9):
        act(e, Action.ACCEPT)
    with clock(2026, 2, 20, 9):
        act(e, Action.COMPLETE, photos=proof(6))

    # Late reports warned and escalated; a comment hidden: events that change
    # no figure.
    with clock(2026, 2, 20, 10) as now:
        sla_sweep(now=now)
        said = comment_add(actor=g.reporter, report=g, body="Tolong segera")
        comment_hide(actor=city.officer_of(g), comment=said, reason="Uji")
    return reports
