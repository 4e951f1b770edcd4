"""A unit's inbox: its reports by tab, with the clock each one is on."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import Report
from officers.services.sla import AWAITING, UNFINISHED

S = Report.Status
WORKING = (S.IN_PROCESS, S.COORDINATED)
SETTLED = (S.CLOSED, S.REJECTED, S.MERGED)


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    colour: str


TABS = [
    Tab("new", _("New"), "red"),
    Tab("in_process", _("In process"), "yellow"),
    Tab("coordinated", _("Coordinated with us"), "yellow"),
    Tab("awaiting", _("Awaiting confirmation"), "green"),
    Tab("overdue", _("Overdue"), "late"),
    Tab("done", _("Done"), "grey"),
]
TAB_SLUGS = [tab.slug for tab in TABS]


def _late(now: datetime) -> Q:
    return Q(status__in=AWAITING, response_due_at__lt=now) | Q(
        status__in=UNFINISHED, completion_due_at__lt=now
    )


def _tab_filter(tab: str, now: datetime) -> Q:
    return {
        "new": Q(status__in=AWAITING),
        "in_process": Q(status__in=WORKING),
        "awaiting": Q(status=S.DONE),
        "overdue": _late(now),
        "done": Q(status__in=SETTLED),
    }[tab]


def inbox_reports(*, unit, tab: str, now: datetime) -> QuerySet:
    """The unit's reports in one tab, with what a row shows selected."""
    if tab == "coordinated":
        reports = Report.objects.filter(
            coordination__unit=unit, coordination__ended_at__isnull=True
        )
    else:
        reports = Report.objects.filter(handling_unit=unit).filter(
            _tab_filter(tab, now)
        )
    # Never the areas' boundaries: two polygons per row to fetch and decode, for
    # a name each.
    return reports.select_related(
        "category", "area__parent", "handling_unit", "channel"
    ).defer("area__boundary", "area__parent__boundary")


# The settled reports of a busy kelurahan are ten years of work: counting them all
# on every inbox view would read every one. Past this many the tab says "9999+".
SETTLED_COUNT_CAP = 9_999


def inbox_counts(*, unit, now: datetime) -> dict[str, int | str]:
    """How many reports each tab holds: three queries whatever the numbers, each
    reading the unit's open reports only, or at most SETTLED_COUNT_CAP + 1 index
    entries of its settled ones."""
    open_statuses = [s for s in S.values if s not in SETTLED]
    counts: dict[str, int | str] = Report.objects.filter(
        handling_unit=unit, status__in=open_statuses
    ).aggregate(
        **{
            slug: Count("pk", filter=_tab_filter(slug, now))
            for slug in TAB_SLUGS
            if slug not in ("coordinated", "done")
        }
    )
    counts["coordinated"] = Report.objects.filter(
        coordination__unit=unit, coordination__ended_at__isnull=True
    ).count()
    settled = (
        Report.objects.filter(handling_unit=unit, status__in=SETTLED)
        .order_by()
        .values("pk")[: SETTLED_COUNT_CAP + 1]
        .count()
    )
    counts["done"] = f"{SETTLED_COUNT_CAP}+" if settled > SETTLED_COUNT_CAP else settled
    return counts


def clock_of(report: Report) -> tuple[str, datetime | None]:
    """The clock a report is on now: ("response"|"completion"|"", its deadline)."""
    if report.status in AWAITING:
        return "response", report.response_due_at
    if report.status in UNFINISHED:
        return "completion", report.completion_due_at
    return "", None


SORTS = {
    "due": None,  # by the tab's clock
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
}


def inbox_sorted(reports: QuerySet, *, tab: str, sort: str) -> QuerySet:
    if SORTS.get(sort):
        return reports.order_by(*SORTS[sort])
    if tab == "new":
        return reports.order_by("response_due_at", "id")
    if tab in ("in_process", "coordinated", "overdue"):
        return reports.order_by("completion_due_at", "id")
    if tab == "awaiting":
        return reports.order_by("completed_at", "id")
    return reports.order_by("-updated_at", "-id")
