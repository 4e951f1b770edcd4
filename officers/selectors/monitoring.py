"""The monitoring room: every unit's late work at a glance, and the warnings'
effect. Three queries whatever the number of units or reports."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from complaints.models import Report, ReportEvent
from officers.kpis import HANDLING_ACTIONS
from officers.models import SlaWarning
from officers.services.sla import AWAITING, UNFINISHED
from routing.models import Unit

S = Report.Status
PROBLEMS = {
    "untouched": _("Untouched for more than a day"),
    "overdue": _("Overdue"),
    "reopened": _("Reopened"),
    "ping_pong": _("Ping-pong dispositions"),
    "warned": _("Warned, not yet acted on"),
}


def _problem_filters(now: datetime) -> dict[str, Q]:
    untouched_since = now - timedelta(hours=settings.WARGA_UNTOUCHED_HOURS)
    return {
        "untouched": Q(status__in=AWAITING, assigned_at__lt=untouched_since),
        "overdue": Q(status__in=AWAITING, response_due_at__lt=now)
        | Q(status__in=UNFINISHED, completion_due_at__lt=now),
        "reopened": Q(status=S.REOPENED),
        "ping_pong": Q(status__in=UNFINISHED, ping_pong=True),
    }


@dataclass
class UnitBoardRow:
    unit: Unit
    open: int = 0
    untouched: int = 0
    overdue: int = 0
    reopened: int = 0
    ping_pong: int = 0
    warnings: int = 0
    acted_on: int = 0
    problems: dict = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, int]]:
        """The problem counts in board order, each linking to its reports."""
        return [
            ("untouched", self.untouched),
            ("overdue", self.overdue),
            ("reopened", self.reopened),
            ("ping_pong", self.ping_pong),
        ]

    @property
    def effect(self) -> int | None:
        """Share (%) of the warnings after which the unit acted on the report."""
        if not self.warnings:
            return None
        return round(100 * self.acted_on / self.warnings)


def _acted_after() -> Exists:
    return Exists(
        ReportEvent.objects.filter(
            report_id=OuterRef("report_id"),
            unit_id=OuterRef("late_unit_id"),
            created_at__gt=OuterRef("created_at"),
            action__in=HANDLING_ACTIONS,
        )
    )


def monitoring_board(
    *, now: datetime, since: datetime, kind: str = "", q: str = ""
) -> list[UnitBoardRow]:
    """One row per unit with open work or warnings since ``since``, worst first."""
    filters = _problem_filters(now)
    open_work = (
        Report.objects.filter(status__in=UNFINISHED)
        .values("handling_unit_id")
        .annotate(
            open=Count("pk"),
            **{
                name: Count("pk", filter=condition)
                for name, condition in filters.items()
            },
        )
    )
    warned = (
        SlaWarning.objects.filter(created_at__gte=since, level=0)
        .annotate(acted=_acted_after())
        .values("late_unit_id")
        .annotate(
            warnings=Count("pk"),
            acted_on=Sum(Cast("acted", IntegerField())),
        )
    )
    rows: dict[int, dict] = {}
    for item in open_work:
        rows.setdefault(item.pop("handling_unit_id"), {}).update(item)
    for item in warned:
        rows.setdefault(item.pop("late_unit_id"), {}).update(item)
    units = Unit.objects.filter(pk__in=list(rows)).select_related("area")
    if kind:
        units = units.filter(kind=kind)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__icontains=q))
    board = [
        UnitBoardRow(unit=unit, **{k: v or 0 for k, v in rows[unit.pk].items()})
        for unit in units
    ]
    board.sort(
        key=lambda r: (-r.overdue, -r.untouched, -r.reopened, -r.ping_pong, r.unit.name)
    )
    return board


def monitoring_totals(board: list[UnitBoardRow]) -> UnitBoardRow:
    total = UnitBoardRow(unit=None)
    for row in board:
        for name in (
            "open",
            "untouched",
            "overdue",
            "reopened",
            "ping_pong",
            "warnings",
            "acted_on",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def monitoring_reports(*, unit: Unit, problem: str, now: datetime) -> QuerySet:
    """The reports behind one cell of the board."""
    reports = Report.objects.filter(handling_unit=unit)
    if problem == "warned":
        warned = (
            SlaWarning.objects.filter(late_unit=unit, level=0)
            .annotate(acted=_acted_after())
            .filter(acted=False)
        )
        reports = reports.filter(
            status__in=UNFINISHED, pk__in=warned.values("report_id")
        )
    else:
        reports = reports.filter(_problem_filters(now)[problem])
    return reports.select_related(
        "category", "area__parent", "handling_unit", "channel"
    ).order_by("response_due_at", "id")
