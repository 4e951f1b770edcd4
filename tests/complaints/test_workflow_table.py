"""The whole transition table, walked: every status × every action × every role.

For each combination the test asks the workflow to act with valid input and checks
that it is allowed exactly when the table says so, that the report lands in the
table's status and public colour, and that a refusal changes nothing.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from complaints.models import (
    Coordination,
    ExtensionRequest,
    Report,
    ReportEvent,
    ReportPhoto,
    Support,
)
from complaints.public import COLOUR_OF_STATUS, public_state
from complaints.workflow import (
    TRANSITIONS,
    Action,
    Forbidden,
    NotAllowedNow,
    Role,
    transition,
)
from officers.models import Membership
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP
from routing.models import Unit
from tests.factories import citizen, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
S = Report.Status
KUNINGAN_OFFICE = "KEL-31.74.02.1008"
PARTNER = "SUDIN-DBM-31.74"
OTHER = "KEL-31.71.01.1001"


class Rollback(Exception):
    pass


def people(report):
    from django.contrib.auth.models import Group

    supporter = citizen()
    Support.objects.create(report=report, user=supporter)
    # Support given long before any completion counts (see roles_of).
    Support.objects.filter(user=supporter).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    head = officer(unit_code=KUNINGAN_OFFICE, role=Membership.Role.HEAD)
    monitoring = user()
    monitoring.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    supervisor = user()
    supervisor.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    return {
        "anonymous": (None, set()),
        "citizen": (citizen(), set()),
        "reporter": (report.reporter, {Role.REPORTER}),
        "supporter": (supporter, {Role.SUPPORTER}),
        "handling officer": (
            officer(unit_code=KUNINGAN_OFFICE),
            {Role.HANDLING_OFFICER},
        ),
        "unit head": (head, {Role.HANDLING_OFFICER, Role.HANDLING_HEAD}),
        "coordinating officer": (
            officer(unit_code=PARTNER),
            {Role.COORDINATING_OFFICER},
        ),
        "unrelated officer": (officer(unit_code=OTHER), set()),
        "monitoring room": (monitoring, {Role.MONITORING}),
        "supervisor": (supervisor, {Role.SUPERVISOR}),
        "system": ("system", {Role.SYSTEM}),
    }


def put_in(report: Report, status: str, parent: Report) -> Report:
    """Test set-up only: place the report in ``status`` with what that status
    implies (the workflow itself is exercised by the walk)."""
    now = timezone.now()
    extra = {"status": status}
    if status == S.DISPOSED:
        extra["disposed_from"] = Unit.objects.get(code=OTHER)
    if status == S.DONE:
        extra["completed_at"] = now - timedelta(days=1)
    if status == S.REJECTED:
        extra["rejection_reason"] = Report.RejectionReason.SPAM
    if status == S.MERGED:
        extra["parent"] = parent
    Report.objects.filter(pk=report.pk).update(**extra)
    Coordination.objects.create(
        report=report, unit=Unit.objects.get(code=PARTNER), invited_at=now
    )
    return Report.objects.get(pk=report.pk)


def valid_input(report: Report, action: str, parent: Report) -> dict:
    return {
        Action.ACCEPT: {"note": "Kami tangani"},
        Action.REJECT: {"reason": "spam"},
        Action.DISPOSE: {
            "unit": Unit.objects.get(code="KEC-31.74.02"),
            "note": "Wewenang",
        },
        Action.ACCEPT_DISPOSITION: {},
        Action.RETURN_DISPOSITION: {"note": "Bukan wewenang kami"},
        Action.COORDINATE: {"units": [Unit.objects.get(code="SUDIN-DLH-31.74")]},
        Action.FOLLOW_UP: {"note": "Sudah dibersihkan sebagian"},
        Action.COMPLETE: {"note": "Selesai"},
        Action.DISPUTE: {"note": "Belum bersih"},
        Action.CONFIRM: {},
        Action.AUTO_CLOSE: {},
        Action.SUPERVISOR_REOPEN: {"note": "Perlu dikerjakan ulang"},
        Action.SUPERVISOR_CLOSE: {"note": "Sudah memadai"},
        Action.MERGE: {"parent": parent},
        Action.REQUEST_EXTENSION: {
            "note": "Perlu anggaran",
            "new_due_at": report.completion_due_at + timedelta(days=14),
        },
        Action.DECIDE_EXTENSION: {"approve": True},
        Action.REPLY: {"note": "Akan kami cek besok pagi"},
        Action.AUDIT_REOPEN: {"note": "Foto bukti tidak menunjukkan hasil"},
    }[action]


def prepare(report: Report, action: str) -> None:
    """What an action needs beyond its input, set up inside the savepoint."""
    now = timezone.now()
    if action == Action.COMPLETE:
        ReportPhoto.objects.create(
            report=report,
            kind=ReportPhoto.Kind.PROOF,
            image="proof.jpg",
            thumbnail="proof-thumb.jpg",
            width=1,
            height=1,
            original_format="JPEG",
            sha256="proof",
        )
    if action == Action.AUTO_CLOSE:
        Report.objects.filter(pk=report.pk).update(completed_at=now - timedelta(days=8))
    if action in (Action.SUPERVISOR_REOPEN, Action.SUPERVISOR_CLOSE):
        Report.objects.filter(pk=report.pk).update(needs_supervisor=True)
    if action == Action.DECIDE_EXTENSION:
        ExtensionRequest.objects.create(
            report=report,
            unit=report.handling_unit,
            reason="Anggaran",
            new_due_at=report.completion_due_at + timedelta(days=14),
            previous_due_at=report.completion_due_at,
            created_at=now,
        )


@pytest.mark.parametrize("status", S.values)
def test_every_action_by_every_role_in_this_status(status):
    parent = report_filed()
    report = put_in(report_filed(), status, parent)
    cast_of = people(report)
    outcomes = []
    for action in Action.values:
        spec = TRANSITIONS.get((status, action))
        for who, (actor, roles) in cast_of.items():
            events_before = ReportEvent.objects.filter(report=report).count()
            try:
                with transaction.atomic():
                    prepare(report, action)
                    try:
                        event = transition(
                            actor=None if actor == "system" else actor,
                            system=actor == "system",
                            report_id=report.pk,
                            action=action,
                            **valid_input(report, action, parent),
                        )
                    except (NotAllowedNow, Forbidden) as refused:
                        outcome = type(refused).__name__
                        after = Report.objects.get(pk=report.pk)
                        assert after.status == status and after.version == 0
                        assert (
                            ReportEvent.objects.filter(report=report).count()
                            == events_before
                        )
                    else:
                        outcome = "allowed"
                        moved = Report.objects.select_related("parent").get(
                            pk=report.pk
                        )
                        expected = spec.to or status
                        assert moved.status == expected, (action, who)
                        assert event.from_status == status
                        assert event.to_status == expected
                        assert public_state(moved).colour == COLOUR_OF_STATUS[expected]
                        assert moved.version == (0 if action == Action.REPLY else 1)
                    raise Rollback
            except Rollback:
                pass
            if spec is None:
                wanted = "NotAllowedNow"
            elif roles & spec.roles:
                wanted = "allowed"
            else:
                wanted = "Forbidden"
            outcomes.append((action, who, outcome, wanted))
    wrong = [o for o in outcomes if o[2] != o[3]]
    assert wrong == []
    allowed = sum(1 for o in outcomes if o[2] == "allowed")
    assert allowed == sum(
        len(spec.roles & set().union(*(r for _a, r in cast_of.values())))
        and sum(1 for _a, r in cast_of.values() if r & spec.roles)
        for (st, _action), spec in TRANSITIONS.items()
        if st == status
    )
    assert len(outcomes) == len(Action.values) * len(cast_of)


def test_the_table_has_an_exit_from_every_open_status_and_none_from_the_final_ones():
    exits = {status for status, _action in TRANSITIONS}
    assert {S.NEW, S.DISPOSED, S.IN_PROCESS, S.COORDINATED, S.DONE, S.REOPENED} <= exits
    assert not exits & {S.REJECTED, S.MERGED}
    # A closed report reopens only when a supervisor's audit fails its follow-up.
    assert [a for st, a in TRANSITIONS if st == S.CLOSED] == [Action.AUDIT_REOPEN]
    assert TRANSITIONS[(S.CLOSED, Action.AUDIT_REOPEN)].roles == {Role.SUPERVISOR}


H, HD, C = "handling_officer", "handling_head", "coordinating"
REP, SUP, SV, SYS = "reporter", "supporter", "supervisor", "system"
WORK = {H, HD, SV}
OPEN = ["new", "disposed", "in_process", "coordinated", "reopened"]
DISMISSABLE = ["new", "disposed", "in_process", "coordinated"]
# The rules as the issue states them, written out by hand: the walk above proves
# the code obeys TRANSITIONS; this proves TRANSITIONS says what we mean.
EXPECTED = {
    **{(s, "accept"): ("in_process", WORK) for s in ["new", "reopened"]},
    **{(s, "reject"): ("rejected", {HD, SV}) for s in DISMISSABLE},
    **{
        (s, "dispose"): ("disposed", WORK)
        for s in ["new", "reopened", "in_process", "coordinated"]
    },
    ("disposed", "accept_disposition"): ("in_process", WORK),
    ("disposed", "return_disposition"): ("new", WORK),
    **{(s, "coordinate"): ("coordinated", WORK) for s in ["in_process", "coordinated"]},
    **{(s, "follow_up"): (None, WORK | {C}) for s in ["in_process", "coordinated"]},
    **{(s, "complete"): ("done", WORK) for s in ["in_process", "coordinated"]},
    ("done", "dispute"): ("reopened", {REP, SUP}),
    ("done", "confirm"): ("closed", {REP}),
    ("done", "auto_close"): ("closed", {SYS}),
    ("done", "supervisor_reopen"): ("reopened", {SV}),
    ("done", "supervisor_close"): ("closed", {SV}),
    **{(s, "merge"): ("merged", WORK) for s in DISMISSABLE},
    **{
        (s, "request_extension"): (None, WORK)
        for s in ["in_process", "coordinated", "reopened"]
    },
    **{
        (s, "decide_extension"): (None, {HD, SV})
        for s in ["in_process", "coordinated", "reopened"]
    },
    **{(s, "reply"): (None, WORK) for s in [*OPEN, "done"]},
    **{(s, "audit_reopen"): ("reopened", {SV}) for s in ["done", "closed"]},
}


def test_the_table_says_who_may_do_what():
    actual = {
        key: (spec.to, {str(role) for role in spec.roles})
        for key, spec in TRANSITIONS.items()
    }
    assert actual == EXPECTED
