"""The public statistics: what the city received and how it was handled, per year.

Every figure is a sum of the cells kept by transparency.aggregates (one per day,
kelurahan, category, channel and handling unit), so a page costs the same handful
of queries, each over at most a year of cells, whether the city has a hundred
reports or a million. Only a free-text search cannot be counted ahead: it is
answered from the reports themselves, by ``stats_for_live``, the reference the
cells are tested against. Every figure can also be recomputed from the open-data
export (the definitions are printed at the bottom of the statistics page, and a
test does the recomputation):

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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db import connections, router
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import get_language

from complaints.models import Category, Channel, Report, SatisfactionSurvey
from complaints.selectors import start_of_day
from complaints.services.satisfaction import (
    ELEMENT_FIELDS,
    QUALITY,
    ikm_from_totals,
)
from routing.models import Area, Unit
from transparency.models import (
    COLOURS,
    StatsCell,
    StatsMonth,
    StatsMonthRating,
    StatsRatingCell,
)

S = Report.Status
NOT_FOLLOWED_UP = [S.REJECTED, S.MERGED]
DONE = [S.DONE, S.CLOSED]
WITHIN_7_DAYS = timedelta(days=7)
WITHIN_14_DAYS = timedelta(days=14)
YEAR_MIN, YEAR_MAX = 2000, 2100


def _reading():
    """The connection the public reads go to: a replica when there is one
    (config.routers), like the ORM's reads of the same request."""
    return connections[router.db_for_read(StatsCell)]


@lru_cache(maxsize=65536)
def _ikm(respondents: int, score_sum: int) -> tuple:
    # A pure function of two counts, called for every unit of every page.
    return ikm_from_totals(respondents=respondents, score_sum=score_sum)


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


def stats_for_live(*, reports: QuerySet, year: int) -> YearStats:
    """The figures of the reports (already filtered as the public chose) received
    in ``year`` (WIB), counted from the reports themselves: seven queries, each
    over every report of the year."""
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


def headline_figures_live(*, now: datetime) -> Headline:
    """This month's and this year's figures (WIB), counted from the reports."""
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


# -- the same figures, from the cells kept ahead -------------------------------

# The public filters as conditions on a cell's key.
CELL_FILTERS = {
    "category": "category",
    "channel": "channel",
    "unit": "unit",
    "kelurahan": "area",
    "kecamatan": "area__parent",
    "kota": "area__parent__parent",
}


def _days(*, year: int, chosen: Mapping) -> tuple[date, date]:
    """The first and last day received of ``year`` that the dates chosen keep."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    if chosen.get("date_from"):
        first = max(first, chosen["date_from"])
    if chosen.get("date_to"):
        last = min(last, chosen["date_to"])
    return first, last


def _cells(model, *, days: list[tuple[date, date]], chosen: Mapping) -> QuerySet:
    """The cells of the reports received in the ranges of ``days`` that the
    filters keep (all but the colour, which picks counters, and the text)."""
    received = Q()
    for first, last in days:
        received |= Q(day__gte=first, day__lte=last)
    cells = model.objects.filter(received).order_by()
    for name, lookup in CELL_FILTERS.items():
        if chosen.get(name) is not None:
            cells = cells.filter(**{lookup: chosen[name]})
    return cells


def _cell_counts(colour: str | None) -> dict:
    """What a cell adds to each figure of a Tally (those it adds nothing to are
    left out); only its reports of ``colour`` when given. Green is done, grey is
    not followed up."""
    red, yellow, green, grey = (F(c) for c in COLOURS)
    quick = {
        "within_7": F("within_7"),
        "within_14": F("within_14"),
        "undisputed": F("undisputed"),
    }
    if colour is None:
        return {
            "received": red + yellow + green + grey,
            "not_followed_up": grey,
            "done": green,
            **quick,
        }
    if colour == "green":
        return {"received": green, "done": green, **quick}
    if colour == "grey":
        return {"received": grey, "not_followed_up": grey}
    return {"received": F(colour)}


def _cell_sums(colour: str | None, prefix: str = "", where: Q | None = None) -> dict:
    return {
        f"{prefix}{name}": Sum(count, filter=where)
        for name, count in _cell_counts(colour).items()
    }


def _tally_from(values: Mapping, prefix: str = "") -> Tally:
    return Tally(**{f: values.get(f"{prefix}{f}") or 0 for f in TALLY_FIELDS})


def _tally_total(tallies: list[Tally]) -> Tally:
    return Tally(**{f: sum(getattr(t, f) for t in tallies) for f in TALLY_FIELDS})


# The groups of the page, and the names a group's row shows.
GROUPINGS = {
    "month": ("day", None, ()),
    "channel": ("channel", Channel, ("code", "name")),
    "category": ("category", Category, ("code", "name", "name_en")),
    "kota": ("area__parent__parent", Area, ("code", "name")),
    "unit": ("unit", Unit, ("code", "name")),
}


def _cell_groups(cells: QuerySet, colour: str | None) -> dict[str, list]:
    """{grouping: [(names, tally)]} for every group with reports, in one query:
    one pass over the cells with GROUPING SETS on PostgreSQL, a UNION of the
    groupings elsewhere."""
    counts = _cell_counts(colour)
    keys = {
        f"g_{name}": ExtractMonth(field) if name == "month" else F(field)
        for name, (field, _model, _names) in GROUPINGS.items()
    }
    inner, params = (
        cells.annotate(**keys, **{f"x_{n}": count for n, count in counts.items()})
        .values(*keys, *(f"x_{n}" for n in counts))
        .query.sql_with_params()
    )
    sums = ", ".join(f"SUM(c.x_{n}) AS x_{n}" for n in counts)
    if _reading().vendor == "postgresql":
        which = " ".join(
            f"WHEN GROUPING(c.g_{name}) = 0 THEN '{name}'" for name in GROUPINGS
        )
        grouped = (
            f"SELECT CASE {which} END AS what, "
            f"{', '.join(f'c.g_{name}' for name in GROUPINGS)}, {sums} FROM c "
            f"GROUP BY GROUPING SETS ({', '.join(f'(c.g_{n})' for n in GROUPINGS)})"
        )
    else:
        grouped = " UNION ALL ".join(
            f"SELECT '{name}' AS what, "
            + ", ".join(
                f"c.g_{other}" if other == name else f"NULL AS g_{other}"
                for other in GROUPINGS
            )
            + f", {sums} FROM c GROUP BY c.g_{name}"
            for name in GROUPINGS
        )
    return _named_groups(inner, params, grouped, counts)


def _month_groups(first: date, last: date, colour: str | None) -> dict[str, list]:
    """The same as ``_cell_groups`` for whole months without other filters, from
    the months' sums (StatsMonth): a few hundred rows a year."""
    counts = _cell_counts(colour)
    months = StatsMonth.objects.filter(month__gte=first, month__lte=last).order_by()
    keys = {
        "what": Case(
            When(grouping="all", then=Value("month")),
            default=F("grouping"),
            output_field=CharField(),
        )
    }
    for name in GROUPINGS:
        grouping = "all" if name == "month" else name
        value = ExtractMonth("month") if name == "month" else F("key")
        condition = Q(grouping=grouping) & (Q() if name != "kota" else ~Q(key=0))
        keys[f"g_{name}"] = Case(When(condition, then=value))
    inner, params = (
        months.annotate(**keys, **{f"x_{n}": count for n, count in counts.items()})
        .values(*keys, *(f"x_{n}" for n in counts))
        .query.sql_with_params()
    )
    sums = ", ".join(f"SUM(c.x_{n}) AS x_{n}" for n in counts)
    key_columns = ", ".join(f"c.g_{name}" for name in GROUPINGS)
    grouped = (
        f"SELECT c.what, {key_columns}, {sums} FROM c GROUP BY c.what, {key_columns}"
    )
    return _named_groups(inner, params, grouped, counts)


def _named_groups(inner: str, params, grouped: str, counts: dict) -> dict:
    """Run ``grouped`` (over ``inner`` as ``c``), naming each group's key."""
    quote = _reading().ops.quote_name
    columns, joins = ["g.what", "g.g_month"], []
    for name, (_field, model, names) in GROUPINGS.items():
        if model is None:
            continue
        columns += [f"j_{name}.{quote(n)}" for n in names]
        joins.append(
            f"LEFT JOIN {quote(model._meta.db_table)} j_{name} "
            f"ON j_{name}.id = g.g_{name}"
        )
    columns += [f"g.x_{n}" for n in counts]
    sql = (
        f"WITH c AS ({inner}), g AS ({grouped}) "
        f"SELECT {', '.join(columns)} FROM g {' '.join(joins)}"
    )
    with _reading().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # A row: what, month, every grouping's names, the counts (a few hundred
    # rows: each is read with one zip).
    keys = ["month"] + [
        f"{name}__{f}"
        for name, (_field, model, fields) in GROUPINGS.items()
        if model is not None
        for f in fields
    ]
    counted = list(counts)
    at = [counted.index(f) if f in counts else None for f in TALLY_FIELDS]
    groups: dict[str, list] = {name: [] for name in GROUPINGS}
    for row in rows:
        names = dict(zip(keys, row[1 : 1 + len(keys)], strict=True))
        sums = row[1 + len(keys) :]
        tally = Tally(
            **{
                field: 0 if i is None else (sums[i] or 0)
                for field, i in zip(TALLY_FIELDS, at, strict=True)
            }
        )
        if tally.received:
            groups[row[0]].append((names, tally))
    return groups


def _whole_months(first: date, last: date) -> tuple[list, list]:
    """The days from ``first`` to ``last`` as whole months ([(first day, first
    day of the last month)] or []) and the days either side of them."""
    following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    start = first if first.day == 1 else following
    after = last + timedelta(days=1)
    end = after if after.day == 1 else last.replace(day=1)
    if start >= end:  # not one whole month
        return [], [(first, last)]
    edges = []
    if first < start:
        edges.append((first, start - timedelta(days=1)))
    if end <= last:
        edges.append((end, last))
    last_month = (end - timedelta(days=1)).replace(day=1)
    return [(start, last_month)], edges


def _merged(*sources: dict[str, list]) -> dict[str, list]:
    """Groups of several sources with the same names added up."""
    merged: dict[str, dict] = {name: {} for name in GROUPINGS}
    for groups in sources:
        for what, rows in groups.items():
            for names, tally in rows:
                key = tuple(sorted(names.items(), key=lambda item: item[0]))
                if key in merged[what]:
                    tally = _tally_total([merged[what][key][1], tally])
                merged[what][key] = (names, tally)
    return {what: list(rows.values()) for what, rows in merged.items()}


def _rated(ratings: QuerySet, colour: str | None, into: dict | None = None) -> dict:
    """{unit code: {respondents, score_sum, name}} of some rating cells, added to
    ``into``."""
    rated = dict(into or {})
    if colour is not None:
        ratings = ratings.filter(colour=colour)
    for values in (
        ratings.values("rated_unit__code", "rated_unit__name")
        .annotate(respondents=Sum("respondents"), score_sum=Sum("score_sum"))
        .order_by("rated_unit__code")
    ):
        if not values["respondents"]:
            continue
        code = values["rated_unit__code"]
        if code in rated:
            values["respondents"] += rated[code]["respondents"]
            values["score_sum"] += rated[code]["score_sum"]
        rated[code] = values
    return rated


def _by_received(rows: list[GroupRow]) -> list[GroupRow]:
    return sorted(rows, key=lambda r: (-r.tally.received, r.name, r.code))


def stats_for(*, filters, year: int) -> YearStats:
    """The figures of the reports that a valid PublicReportFilter keeps, received
    in ``year`` (WIB), whatever the number of reports: two queries over the
    year's cells, or, when nothing but the colour and the dates is chosen, two
    over the months' sums for the whole months and two over the cells of the
    days either side. A text search is answered from the reports
    (``stats_for_live``)."""
    chosen = filters.form.cleaned_data
    if chosen.get("q"):
        return stats_for_live(reports=filters.qs, year=year)
    colour = chosen.get("colour") or None
    first, last = _days(year=year, chosen=chosen)
    whole, edges = [], [(first, last)]
    if not any(chosen.get(name) is not None for name in CELL_FILTERS):
        # The whole months from the months' sums, the days either side of them
        # (when the dates chosen are not whole months) from the cells.
        whole, edges = _whole_months(first, last)
    groups, rated = {name: [] for name in GROUPINGS}, {}
    if whole:
        months = (whole[0][0], whole[-1][1])
        groups = _month_groups(*months, colour)
        rated = _rated(
            StatsMonthRating.objects.filter(month__gte=months[0], month__lte=months[1]),
            colour,
        )
    if edges:
        groups = _merged(
            groups,
            _cell_groups(_cells(StatsCell, days=edges, chosen=chosen), colour),
        )
        rated = _rated(
            _cells(StatsRatingCell, days=edges, chosen=chosen), colour, rated
        )
    by_month = {int(names["month"]): tally for names, tally in groups["month"]}
    months = [
        MonthRow(month=date(year, m, 1), tally=by_month.get(m, Tally()))
        for m in range(1, 13)
    ]

    def rows(grouping: str, name=lambda names, g: names[f"{g}__name"]) -> list:
        return _by_received(
            [
                GroupRow(
                    code=names[f"{grouping}__code"], name=name(names, grouping), tally=t
                )
                for names, t in groups[grouping]
            ]
        )

    channels = rows("channel")
    categories = rows("category", lambda names, g: _category_name(names))
    kotas = rows("kota")
    handled = {
        names["unit__code"]: (names["unit__name"], tally)
        for names, tally in groups["unit"]
    }
    units = []
    for code in handled.keys() | rated.keys():
        survey = rated.get(code)
        ikm = None
        if survey is not None:
            index, grade = _ikm(survey["respondents"], survey["score_sum"])
            ikm = Ikm(survey["respondents"], survey["score_sum"], index, grade)
        name, tally = handled.get(code) or (survey["rated_unit__name"], Tally())
        units.append(UnitRow(code=code, name=name, tally=tally, ikm=ikm))
    return YearStats(
        year=year,
        totals=_tally_total([row.tally for row in months]),
        months=months,
        channels=channels,
        categories=categories,
        kotas=kotas,
        units=league_sorted(units),
    )


def headline_figures(*, now: datetime) -> Headline:
    """This month's and this year's figures (WIB), for the home page: one query
    over the year's twelve monthly sums."""
    today = timezone.localtime(now, _city_tz()).date()
    month = today.replace(day=1)
    values = StatsMonth.objects.filter(
        grouping=StatsMonth.Grouping.ALL,
        month__gte=date(today.year, 1, 1),
        month__lte=date(today.year, 12, 1),
    ).aggregate(
        **_cell_sums(None, "y_"), **_cell_sums(None, "m_", where=Q(month=month))
    )
    return Headline(
        month=month,
        year=today.year,
        this_month=_tally_from(values, "m_"),
        this_year=_tally_from(values, "y_"),
    )
