"""Supervisor audit: a monthly random sample of each unit's completions, checked
by a supervisor; a follow-up found inadequate reopens the report and counts
against the unit that completed it."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Report, ReportEvent
from complaints.selectors import start_of_day
from complaints.workflow import Action, transition
from officers.models import AuditSample
from officers.permissions import is_supervisor
from transparency.aggregates import aggregates_refresh

S = Report.Status


class AuditRefused(Exception):
    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in the city's time zone."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return start_of_day(first), start_of_day(following)


def audit_samples_draw(
    *,
    month: date | None = None,
    size: int | None = None,
    rng: random.Random | None = None,
) -> int:
    """Draw up to ``size`` completions per unit from ``month`` (by default the
    previous month) that are still done or closed. A unit already sampled for
    that month is left alone, so running the draw twice draws nothing new.
    Returns the number of samples queued."""
    if month is None:
        month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    month = month.replace(day=1)
    size = settings.WARGA_AUDIT_SAMPLE_SIZE if size is None else size
    rng = rng or random.SystemRandom()
    start, end = month_bounds(month)
    completions = ReportEvent.objects.filter(
        action=Action.COMPLETE,
        created_at__gte=start,
        created_at__lt=end,
        unit__isnull=False,
        report__status__in=[S.DONE, S.CLOSED],
        audit_sample__isnull=True,
    ).values_list("pk", "report_id", "unit_id")
    sampled_units = set(
        AuditSample.objects.filter(month=month).values_list("unit_id", flat=True)
    )
    by_unit: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for event_id, report_id, unit_id in completions.iterator(chunk_size=5000):
        if unit_id not in sampled_units:
            by_unit[unit_id].append((event_id, report_id))
    now = timezone.now()
    samples = []
    for unit_id, events in sorted(by_unit.items()):
        # One sample per report: a report completed twice is checked once.
        latest: dict[int, int] = {}
        for event_id, report_id in sorted(events):
            latest[report_id] = event_id
        chosen = rng.sample(sorted(latest.items()), min(size, len(latest)))
        samples += [
            AuditSample(
                report_id=report_id,
                completion_id=event_id,
                unit_id=unit_id,
                month=month,
                created_at=now,
            )
            for report_id, event_id in chosen
        ]
    AuditSample.objects.bulk_create(samples, ignore_conflicts=True)
    return len(samples)


def audit_decide(*, actor, sample_id: int, adequate: bool, note: str) -> AuditSample:
    """A supervisor's verdict on a sampled follow-up. Not adequate: the report
    reopens (if it is still done or closed) and the unit answers for it."""
    if not is_supervisor(actor):
        raise AuditRefused(_("Only supervisors audit follow-ups."), status=403)
    note = (note or "").strip()
    if not adequate and not note:
        raise AuditRefused(_("Say what is inadequate about the follow-up."))
    if len(note) > 5000:
        raise AuditRefused(_("At most 5000 characters."))
    with transaction.atomic():
        try:
            sample = (
                AuditSample.objects.select_for_update()
                .select_related("report")
                .get(pk=sample_id)
            )
        except AuditSample.DoesNotExist as exc:
            raise AuditRefused(_("No such audit sample."), status=404) from exc
        if sample.verdict != AuditSample.Verdict.PENDING:
            raise AuditRefused(_("This sample has already been audited."), status=409)
        sample.verdict = (
            AuditSample.Verdict.ADEQUATE if adequate else AuditSample.Verdict.INADEQUATE
        )
        sample.note = note
        sample.decided_by = actor
        sample.decided_at = timezone.now()
        sample.save(update_fields=["verdict", "note", "decided_by", "decided_at"])
        if not adequate and sample.report.status in (S.DONE, S.CLOSED):
            transition(
                actor=actor,
                report_id=sample.report_id,
                action=Action.AUDIT_REOPEN,
                note=note,
            )
        aggregates_refresh(report_id=sample.report_id)
    return sample
