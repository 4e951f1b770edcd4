"""The public statistics: what the city received and how it was handled, per year.

Every figure is a SQL aggregate over the reports received in the period, so a page
costs the same handful of queries whether the city has a hundred reports or a
million. Every figure can also be recomputed from the open-data export (the
definitions are printed at the bottom of the statistics page, and a test does the
recomputation):

- a report belongs to the period in which it was *received* (``created_at``),
  counted in WIB;
- received = every report; not followed up = rejected or merged; followed up =
  received − not followed up; done = done or closed;
- completion rate (a unit's productivity) = done / followed up;
- completion time = completed_at − created_at of a done report, bucketed as
  ≤ 7×24 h, ≤ 14×24 h, longer; responsiveness = done within 7 days / done;
- responsibility = done reports never disputed / done;
- IKM = the satisfaction surveys of the period's reports, by the unit they rated.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import get_language

from complaints.models import Report, SatisfactionSurvey
from complaints.selectors import start_of_day
from complaints.services.satisfaction import (
    ELEMENT_FIELDS,
    QUALITY,
    ikm_from_totals,
)

S = Report.Status
NOT_FOLLOWED_UP = [S.REJECTED, S.MERGED]
DONE = [S.DONE, S.CLOSED]
WITHIN_7_DAYS = timedelta(days=7)
WITHIN_14_DAYS = timedelta(days=14)
YEAR_MIN, YEAR_MAX = 2000, 2100


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def _city_tz():
    return timezone.get_default_timezone()


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """Midnight WIB of 1 January of ``year`` and of the next year."""
    return start_of_day(date(year, 1, 1)), start_of_day(date(year + 1, 1, 1))


@dataclass(frozen=True)
class Tally:
    """The counts every figure is made of, for one group of reports."""

    received: int = 0
    not_followed_up: int = 0
    done: int = 0
    # Done reports completed within 7×24 h and within 14×24 h of receipt.
    within_7: int = 0
    within_14: int = 0
    # Done reports never disputed.
    undisputed: int = 0

    @property
    def followed_up(self) -> int:
        return self.received - self.not_followed_up

    @property
    def completion_rate(self) -> float | None:
        return share(self.done, self.followed_up)

    @property
    def buckets(self) -> tuple[int, int, int]:
        """Done reports by completion time: 0–7 days, 8–14 days, > 14 days."""
        return (
            self.within_7,
            self.within_14 - self.within_7,
            self.done - self.within_14,
        )

    @property
    def within_7_share(self) -> float | None:
        return share(self.within_7, self.done)

    @property
    def undisputed_share(self) -> float | None:
        return share(self.undisputed, self.done)


TALLY_FIELDS = [
    "received",
    "not_followed_up",
    "done",
    "within_7",
    "within_14",
    "undisputed",
]


def _tally_aggregates(prefix: str = "", where: Q | None = None) -> dict:
    """The SQL aggregates of a Tally, each restricted to ``where`` if given."""
    is_done = Q(status__in=DONE)

    def count(condition: Q | None):
        parts = [c for c in (where, condition) if c is not None]
        if not parts:
            return Count("pk")
        combined = parts[0]
        for part in parts[1:]:
            combined &= part
        return Count("pk", filter=combined)

    return {
        f"{prefix}received": count(None),
        f"{prefix}not_followed_up": count(Q(status__in=NOT_FOLLOWED_UP)),
        f"{prefix}done": count(is_done),
        f"{prefix}within_7": count(
            is_done & Q(completed_at__lte=F("created_at") + WITHIN_7_DAYS)
        ),
        f"{prefix}within_14": count(
            is_done & Q(completed_at__lte=F("created_at") + WITHIN_14_DAYS)
        ),
        f"{prefix}undisputed": count(is_done & Q(dispute_count=0)),
    }


def _tally(values: dict, prefix: str = "") -> Tally:
    return Tally(**{f: values[f"{prefix}{f}"] or 0 for f in TALLY_FIELDS})


@dataclass(frozen=True)
class MonthRow:
    month: date  # the first day of the month
    tally: Tally


@dataclass(frozen=True)
class GroupRow:
    code: str
    name: str
    tally: Tally


@dataclass(frozen=True)
class Ikm:
    respondents: int
    score_sum: int
    index: object  # Decimal, to 2 places
    grade: str

    @property
    def quality(self) -> str:
        return QUALITY[self.grade]


@dataclass(frozen=True)
class UnitRow:
    """A line of the league table: the unit handling the period's reports now."""

    code: str
    name: str
    tally: Tally
    ikm: Ikm | None

    @property
    def productivity(self) -> float | None:
        return self.tally.completion_rate

    @property
    def responsiveness(self) -> float | None:
        return self.tally.within_7_share

    @property
    def responsibility(self) -> float | None:
        return self.tally.undisputed_share


@dataclass(frozen=True)
class YearStats:
    year: int
    totals: Tally
    months: list[MonthRow]
    channels: list[GroupRow]
    categories: list[GroupRow]
    kotas: list[GroupRow]
    units: list[UnitRow]


def report_years() -> list[int]:
    """The years that have reports, newest first, always with the current one.

    Taken from the first and the last report (two index look-ups) rather than a
    scan of every report's year: a year in between without a report is unlikely
    and harmless (it shows zeros).
    """
    bounds = Report.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    current = timezone.localdate(timezone=_city_tz()).year
    years = {current}
    if bounds["first"] is not None:
        first = timezone.localtime(bounds["first"], _city_tz()).year
        last = timezone.localtime(bounds["last"], _city_tz()).year
        years.update(range(max(first, YEAR_MIN), min(last, YEAR_MAX) + 1))
    return sorted(years, reverse=True)


def reports_received_in(reports: QuerySet, *, year: int) -> QuerySet:
    start, end = year_bounds(year)
    return reports.filter(created_at__gte=start, created_at__lt=end).order_by()


def _groups(reports: QuerySet, code: str, *names: str) -> list[dict]:
    return list(
        reports.values(code, *names).annotate(**_tally_aggregates()).order_by(code)
    )


def _rows(values: list[dict], code: str, name: str) -> list[GroupRow]:
    rows = [GroupRow(code=v[code], name=v[name], tally=_tally(v)) for v in values]
    return sorted(rows, key=lambda r: (-r.tally.received, r.name, r.code))


def _category_name(values: dict) -> str:
    if values["category__name_en"] and get_language() == "en":
        return values["category__name_en"]
    return values["category__name"]


def _survey_score():
    return sum((F(f) for f in ELEMENT_FIELDS[1:]), F(ELEMENT_FIELDS[0]))


def stats_for(*, reports: QuerySet, year: int) -> YearStats:
    """The figures of the reports (already filtered as the public chose) received
    in ``year`` (WIB). Seven queries, whatever the number of reports."""
    period = reports_received_in(reports, year=year)
    totals = _tally(period.aggregate(**_tally_aggregates()))

    by_month = {
        v["month"]: _tally(v)
        for v in period.annotate(month=ExtractMonth("created_at", tzinfo=_city_tz()))
        .values("month")
        .annotate(**_tally_aggregates())
        .order_by("month")
    }
    months = [
        MonthRow(month=date(year, m, 1), tally=by_month.get(m, Tally()))
        for m in range(1, 13)
    ]

    channels = _rows(
        _groups(period, "channel__code", "channel__name"),
        "channel__code",
        "channel__name",
    )
    categories = sorted(
        (
            GroupRow(code=v["category__code"], name=_category_name(v), tally=_tally(v))
            for v in _groups(
                period, "category__code", "category__name", "category__name_en"
            )
        ),
        key=lambda r: (-r.tally.received, r.name, r.code),
    )
    kotas = _rows(
        _groups(period, "area__parent__parent__code", "area__parent__parent__name"),
        "area__parent__parent__code",
        "area__parent__parent__name",
    )

    handled = {
        v["handling_unit__code"]: v
        for v in _groups(period, "handling_unit__code", "handling_unit__name")
    }
    rated = {
        v["unit__code"]: v
        for v in SatisfactionSurvey.objects.filter(report_id__in=period.values("pk"))
        .values("unit__code", "unit__name")
        .annotate(respondents=Count("pk"), score_sum=Sum(_survey_score()))
        .order_by("unit__code")
    }
    units = []
    for code in handled.keys() | rated.keys():
        facts, survey = handled.get(code), rated.get(code)
        ikm = None
        if survey is not None:
            index, grade = ikm_from_totals(
                respondents=survey["respondents"], score_sum=survey["score_sum"]
            )
            ikm = Ikm(survey["respondents"], survey["score_sum"], index, grade)
        units.append(
            UnitRow(
                code=code,
                name=facts["handling_unit__name"] if facts else survey["unit__name"],
                tally=_tally(facts) if facts else Tally(),
                ikm=ikm,
            )
        )
    return YearStats(
        year=year,
        totals=totals,
        months=months,
        channels=channels,
        categories=categories,
        kotas=kotas,
        units=league_sorted(units),
    )


def league_sorted(units: list[UnitRow]) -> list[UnitRow]:
    """Most productive first (no figure last), then the one that followed up
    more, then by unit code: every key is in the export, so the order can be
    checked against it too."""
    return sorted(
        units,
        key=lambda u: (
            u.productivity is None,
            -(u.productivity or 0),
            -u.tally.followed_up,
            u.code,
        ),
    )


@dataclass(frozen=True)
class Headline:
    month: date  # the first day of the current month (WIB)
    year: int
    this_month: Tally
    this_year: Tally


def headline_figures(*, now: datetime) -> Headline:
    """This month's and this year's figures (WIB), for the home page: one query."""
    today = timezone.localtime(now, _city_tz()).date()
    start, end = year_bounds(today.year)
    month_start = start_of_day(today.replace(day=1))
    month_end = (
        start_of_day(date(today.year, today.month + 1, 1)) if today.month < 12 else end
    )
    values = (
        Report.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .aggregate(
            **_tally_aggregates("y_"),
            **_tally_aggregates(
                "m_", where=Q(created_at__gte=month_start, created_at__lt=month_end)
            ),
        )
    )
    return Headline(
        month=month_start.date(),
        year=today.year,
        this_month=_tally(values, "m_"),
        this_year=_tally(values, "y_"),
    )
