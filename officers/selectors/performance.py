"""The reads behind the unit performance dashboard: a fixed handful of queries
over the period's custody periods and the timelines of their reports."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Custody, ReportEvent, SatisfactionSurvey
from complaints.selectors import start_of_day
from officers.kpis import (
    CustodyRow,
    EventRow,
    Facts,
    Performance,
    facts_by_unit,
    ranked,
    rolled_up,
)
from officers.models import AuditSample
from routing.models import Unit

LEVELS = {
    "kota": (Unit.Kind.KOTA, _("Kota")),
    "kecamatan": (Unit.Kind.KECAMATAN, _("Kecamatan")),
    "kelurahan": (Unit.Kind.KELURAHAN, _("Kelurahan")),
    "dinas": (Unit.Kind.DINAS, _("Agencies (dinas)")),
    "sudin": (Unit.Kind.SUKU_DINAS, _("Suku dinas")),
}


@dataclass(frozen=True)
class Period:
    """A calendar year or month, in the city's time zone."""

    year: int
    month: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``2026`` or ``2026-10``; ValueError otherwise."""
        parts = (text or "").strip().split("-")
        if len(parts) not in (1, 2) or not all(p.isdigit() for p in parts):
            raise ValueError(text)
        year = int(parts[0])
        month = int(parts[1]) if len(parts) == 2 else None
        if not 2000 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
            raise ValueError(text)
        return cls(year, month)

    @classmethod
    def current_month(cls) -> "Period":
        today = timezone.localdate()
        return cls(today.year, today.month)

    @property
    def start(self) -> datetime:
        return start_of_day(date(self.year, self.month or 1, 1))

    @property
    def end(self) -> datetime:
        if self.month is None or self.month == 12:
            first = date(self.year + 1, 1, 1)
        else:
            first = date(self.year, self.month + 1, 1)
        return start_of_day(first)

    def __str__(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"


def unit_facts(period: Period) -> dict:
    """Every unit's own facts for the period (not yet rolled up)."""
    start, end = period.start, period.end
    custody = Custody.objects.filter(started_at__gte=start, started_at__lt=end)
    rows = [
        CustodyRow(*values)
        for values in custody.values_list(
            "report_id",
            "unit_id",
            "started_at",
            "ended_at",
            "report__category__response_hours",
        ).iterator(chunk_size=5000)
    ]
    events: dict[int, list[EventRow]] = defaultdict(list)
    timeline = (
        ReportEvent.objects.filter(
            report_id__in=custody.values("report_id"),
            kind=ReportEvent.Kind.ACTION,
        )
        .exclude(action__in=["sla_warning", "sla_escalation", "reply"])
        .order_by("report_id", "created_at", "id")
        .values_list("report_id", "unit_id", "action", "to_status", "created_at")
    )
    for values in timeline.iterator(chunk_size=5000):
        events[values[0]].append(EventRow(*values))
    audits = list(
        AuditSample.objects.filter(
            completion__created_at__gte=start, completion__created_at__lt=end
        )
        .values("unit_id", "verdict")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "verdict", "n")
    )
    score = sum((F(f"u{i}") for i in range(2, 10)), F("u1"))
    surveys = list(
        SatisfactionSurvey.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("unit_id")
        .annotate(n=Count("pk"), total=Sum(score))
        .values_list("unit_id", "n", "total")
    )
    return facts_by_unit(custody=rows, events=events, audits=audits, surveys=surveys)


def performance_table(
    *, period: Period, level: str, within: Unit | None = None
) -> list[Performance]:
    """The units of one level (optionally those under ``within``), each with the
    figures of its whole subtree, best score first."""
    kind = LEVELS[level][0]
    units = {u.pk: u for u in Unit.objects.select_related("area")}
    parents = {pk: u.parent_id for pk, u in units.items()}
    totals = rolled_up(unit_facts(period), parents)
    chosen = [u for u in units.values() if u.kind == kind]
    if within is not None:
        chosen = [u for u in chosen if _is_below(u.pk, within.pk, parents)]
    return ranked(
        [Performance(facts=totals.get(u.pk, Facts()), unit=u) for u in chosen]
    )


def _is_below(unit_id: int, ancestor_id: int, parents: dict) -> bool:
    current = parents.get(unit_id)
    while current is not None:
        if current == ancestor_id:
            return True
        current = parents.get(current)
    return False
