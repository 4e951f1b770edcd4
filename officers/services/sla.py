"""SLA clocks: warn a late unit, escalate up the chain, warn by hand.

Two clocks run on every open report, both stored on it: the response deadline
(``response_due_at``: the unit has to accept, dispose or otherwise act) and the
completion deadline (``completion_due_at``, moved only by an approved extension).
Past a deadline the ladder starts: rung 0 warns the unit holding the report; every
``WARGA_ESCALATE_AFTER_HOURS`` after that one more unit up is told (kelurahan ->
kecamatan -> kota, suku dinas -> dinas). Each rung is recorded once per deadline,
however often the sweep runs, and lands on the timeline and in the units' notices.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Report
from complaints.services.events import event_record
from officers.models import SlaWarning
from officers.permissions import can_monitor
from routing.models import Unit

log = logging.getLogger(__name__)
S = Report.Status
Clock = SlaWarning.Clock
# Waiting for the unit to act on it: the response clock runs.
AWAITING = (S.NEW, S.DISPOSED, S.REOPENED)
# Not yet done: the completion clock runs.
UNFINISHED = (S.NEW, S.DISPOSED, S.IN_PROCESS, S.COORDINATED, S.REOPENED)


class WarningRefused(Exception):
    """A hand-sent warning that may not be sent; ``status`` for the view."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class SweepResult:
    warnings: int = 0
    escalations: int = 0


def chain_of(unit: Unit, units: dict[int, Unit]) -> list[Unit]:
    """The unit and the units above it that the ladder may reach."""
    chain = [unit]
    while len(chain) <= settings.WARGA_ESCALATION_LEVELS:
        parent = units.get(chain[-1].parent_id)
        if parent is None or parent.kind == Unit.Kind.PROVINSI:
            break
        chain.append(parent)
    return chain


def rung_reached(due_at: datetime, now: datetime) -> int:
    """Which rung of the ladder a report past ``due_at`` has reached by ``now``."""
    step = timedelta(hours=settings.WARGA_ESCALATE_AFTER_HOURS)
    return int((now - due_at) / step)


def sla_sweep(*, now: datetime | None = None) -> SweepResult:
    """Record every rung of the ladder that late reports have reached and that is
    not recorded yet. Safe to run as often as wanted, and concurrently."""
    now = now or timezone.now()
    units = {u.pk: u for u in Unit.objects.all()}
    result = SweepResult()
    candidates = [
        (Clock.RESPONSE, "response_due_at", AWAITING),
        (Clock.COMPLETION, "completion_due_at", UNFINISHED),
    ]
    for clock, due_field, statuses in candidates:
        overdue = Report.objects.filter(
            status__in=statuses, **{f"{due_field}__lte": now}
        )
        late = list(
            overdue.values_list("pk", "handling_unit_id", due_field, "assigned_at")
            .order_by(due_field)
            .iterator(chunk_size=2000)
        )
        recorded = set(
            SlaWarning.objects.filter(
                clock=clock, is_manual=False, report__in=overdue.values("pk")
            ).values_list("report_id", "late_unit_id", "level", "due_at")
        )
        for report_id, unit_id, due_at, assigned_at in late:
            chain = chain_of(units[unit_id], units)
            # A unit that got a report already late climbs the ladder from the
            # moment it got it, not from a deadline it never had a chance at.
            start = max(due_at, assigned_at or due_at)
            top = min(rung_reached(start, now), len(chain) - 1)
            for level in range(top + 1):
                if (report_id, unit_id, level, due_at) in recorded:
                    continue
                if _rung_record(
                    report_id=report_id,
                    clock=clock,
                    level=level,
                    due_at=due_at,
                    chain=chain,
                    now=now,
                ):
                    if level == 0:
                        result.warnings += 1
                    else:
                        result.escalations += 1
    return result


def _rung_record(
    *, report_id: int, clock: str, level: int, due_at, chain: list[Unit], now
) -> bool:
    try:
        with transaction.atomic():
            report = Report.objects.select_for_update(of=("self",)).get(pk=report_id)
            due_field = f"{clock}_due_at"
            # Re-check under the lock: the unit may have acted meanwhile.
            statuses = AWAITING if clock == Clock.RESPONSE else UNFINISHED
            if (
                report.status not in statuses
                or getattr(report, due_field) != due_at
                or report.handling_unit_id != chain[0].pk
            ):
                return False
            _warning_write(
                report=report,
                clock=clock,
                level=level,
                due_at=due_at,
                late_unit=chain[0],
                to_unit=chain[level],
                now=now,
            )
    except IntegrityError:
        return False  # another sweep recorded it first
    return True


def _warning_write(
    *,
    report: Report,
    clock: str,
    level: int,
    due_at,
    late_unit: Unit,
    to_unit: Unit,
    now,
    actor=None,
    note: str = "",
    manual: bool = False,
) -> SlaWarning:
    event = event_record(
        report=report,
        action="sla_warning" if level == 0 else "sla_escalation",
        at=now,
        actor=actor,
        target_unit=to_unit,
        note=note,
        data={
            "clock": clock,
            "level": level,
            "late_unit": late_unit.name,
            "due_at": due_at.isoformat(),
            "manual": manual,
        },
    )
    return SlaWarning.objects.create(
        report=report,
        late_unit=late_unit,
        unit=to_unit,
        clock=clock,
        level=level,
        due_at=due_at,
        is_manual=manual,
        sent_by=actor if manual else None,
        note=note,
        event=event,
        created_at=now,
    )


def warning_send(*, actor, report_id: int, note: str) -> SlaWarning:
    """The monitoring room warns the unit holding a report, by hand, with a note."""
    if not can_monitor(actor):
        raise WarningRefused(
            _("Only the monitoring room can send warnings."), status=403
        )
    note = (note or "").strip()
    if not note:
        raise WarningRefused(_("Say what the unit should do."))
    if len(note) > 2000:
        raise WarningRefused(_("At most 2000 characters."))
    now = timezone.now()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("handling_unit")
            .get(pk=report_id)
        )
        if report.status not in UNFINISHED:
            raise WarningRefused(
                _("This report is no longer waiting for its unit."), status=409
            )
        if report.status in AWAITING:
            clock, due_at = Clock.RESPONSE, report.response_due_at
        else:
            clock, due_at = Clock.COMPLETION, report.completion_due_at
        return _warning_write(
            report=report,
            clock=clock,
            level=0,
            due_at=due_at,
            late_unit=report.handling_unit,
            to_unit=report.handling_unit,
            now=now,
            actor=actor,
            note=note,
            manual=True,
        )
