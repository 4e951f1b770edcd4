"""The reads behind the unit performance dashboard.

``performance_table`` sums the facts kept ahead per report, unit and period
(officers.models.PerformanceFact, kept by transparency.aggregates) and picks the
median delays from them: three queries, each over one period's rows, whatever
the number of reports. ``performance_table_live`` computes the same from the
period's custody periods and the timelines of their reports: the reference the
facts are tested against.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median

from django.db import connection
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Custody, ReportEvent, SatisfactionSurvey
from complaints.selectors import start_of_day
from officers.kpis import (
    BUCKETS,
    MICROSECONDS_PER_HOUR,
    NOT_WORK,
    CustodyRow,
    EventRow,
    Facts,
    Performance,
    days,
    facts_by_unit,
    hours,
    ranked,
    rolled_up,
)
from officers.models import (
    AuditSample,
    PerformanceDelayCount,
    PerformanceFact,
    PerformanceInTime,
    PerformanceSum,
)
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


def unit_facts_live(period: Period) -> dict:
    """Every unit's own facts for the period (not yet rolled up), from the
    custody periods and timelines."""
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
        .exclude(action__in=NOT_WORK)
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


def performance_table_live(
    *, period: Period, level: str, within: Unit | None = None
) -> list[Performance]:
    """``performance_table`` computed from the custody periods and timelines."""
    kind = LEVELS[level][0]
    units = {u.pk: u for u in Unit.objects.select_related("area")}
    parents = {pk: u.parent_id for pk, u in units.items()}
    totals = rolled_up(unit_facts_live(period), parents)
    chosen = [u for u in units.values() if u.kind == kind]
    if within is not None:
        chosen = [u for u in chosen if _is_below(u.pk, within.pk, parents)]
    return ranked(
        [Performance(facts=totals.get(u.pk, Facts()), unit=u) for u in chosen]
    )


def performance_table(
    *, period: Period, level: str, within: Unit | None = None
) -> list[Performance]:
    """The units of one level (optionally those under ``within``), each with the
    figures of its whole subtree, best score first."""
    kind = LEVELS[level][0]
    # Not the units' areas: their boundaries weigh far more than the page.
    units = {u.pk: u for u in Unit.objects.all()}
    parents = {pk: u.parent_id for pk, u in units.items()}
    chosen = [u for u in units.values() if u.kind == kind]
    if within is not None:
        chosen = [u for u in chosen if _is_below(u.pk, within.pk, parents)]
    figures = _group_figures(period, _subtrees([u.pk for u in chosen], parents))
    return ranked(
        [
            Performance(facts=facts, unit=u, medians=medians)
            for u in chosen
            for facts, medians in [figures.get(u.pk, (Facts(), (None, None)))]
        ]
    )


# Whole microseconds in an hour.
SUMMED = (
    "received",
    "passed_on",
    "completed",
    "completions",
    "reopened",
    "within_7_days",
    "days_8_14",
    "over_14_days",
    "audited",
    "audit_failed",
    "survey_respondents",
    "survey_score_sum",
)


def _subtrees(chosen: list[int], parents: dict[int, int | None]) -> dict:
    """For each chosen unit, the units whose figures roll up into it (itself
    included), as ``rolled_up`` adds them."""
    wanted = set(chosen)
    below: dict[int, set[int]] = {pk: set() for pk in chosen}
    for unit_id in parents:
        seen = set()
        current = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            if current in wanted:
                below[current].add(unit_id)
            current = parents.get(current)
    return below


def _group_figures(period: Period, subtrees: dict[int, set[int]]) -> dict:
    """Each group's facts summed over the units below it, and its medians (hours
    to respond, days to done): the sums, the responses in time and the delays
    counted per bucket are added up per group in SQL, which also finds the
    bucket of each median; the median delays themselves are read from
    PerformanceFact. Four queries whatever the number of reports (five after a
    category's response time changed, until a rebuild)."""
    pairs = sorted(
        (int(unit_id), int(group)) for group, ids in subtrees.items() for unit_id in ids
    )
    if not pairs:
        return {}
    quote = connection.ops.quote_name
    groups = "unit_group (unit_id, grp) AS (VALUES {})".format(
        ", ".join(f"({unit_id}, {group})" for unit_id, group in pairs)
    )
    totals: dict[int, list] = {}
    in_time: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {groups} SELECT g.grp, "
            + ", ".join(f"SUM(s.{quote(name)})" for name in SUMMED)
            + f" FROM {quote(PerformanceSum._meta.db_table)} s "
            "JOIN unit_group g ON g.unit_id = s.unit_id "
            "WHERE s.is_year = %s AND s.period = %s GROUP BY g.grp",
            _period_params(period),
        )
        for group, *sums in cursor.fetchall():
            totals[group] = sums
        in_time.update(_in_time(cursor, groups, period))
        # Of the delays counted per bucket, only the buckets of the one or two
        # middle delays of each group come back, with the delays before them.
        lower, upper = "(c.total + 1) / 2", "c.total / 2 + 1"
        # Added up apart (PostgreSQL then hashes the year's few thousand
        # counts into a few hundred groups instead of sorting them all).
        apart = "MATERIALIZED " if connection.vendor == "postgresql" else ""
        cursor.execute(
            f"WITH {groups}, counted AS {apart}(SELECT g.grp, d.kind, d.bucket, "
            "SUM(d.count) AS n "
            f"FROM {quote(PerformanceDelayCount._meta.db_table)} d "
            "JOIN unit_group g ON g.unit_id = d.unit_id "
            "WHERE d.is_year = %s AND d.period = %s "
            "GROUP BY g.grp, d.kind, d.bucket), "
            # Whole numbers: the ranks below divide them.
            "placed AS (SELECT grp, kind, bucket, n, CAST(SUM(n) OVER "
            "(PARTITION BY grp, kind ORDER BY bucket) - n AS BIGINT) AS before, "
            "CAST(SUM(n) OVER (PARTITION BY grp, kind) AS BIGINT) AS total "
            "FROM counted) "
            "SELECT c.grp, c.kind, c.bucket, c.n, c.before, c.total FROM placed c "
            f"WHERE (c.before < {lower} AND {lower} <= c.before + c.n) "
            f"OR (c.before < {upper} AND {upper} <= c.before + c.n)",
            _period_params(period),
        )
        # (bucket, rank within the bucket) of each group's middle delays.
        picks: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        kinds = {kind: delay for delay, (kind, _width) in BUCKETS.items()}
        for group, kind, bucket, *counts in cursor.fetchall():
            # (Sums of sums come as decimals on PostgreSQL.)
            n, before, total = (int(c) for c in counts)
            for rank in ((total + 1) // 2, total // 2 + 1):
                if before < rank <= before + n:
                    picks[(group, kinds[kind])].append((bucket, rank - before))
    found = _ranked_delays(period, subtrees, picks)
    out = {}
    for group, sums in totals.items():
        medians = []
        for delay, convert in (("response_us", hours), ("done_us", days)):
            middle = [
                found[(group, delay, bucket, rank)]
                for bucket, rank in picks.get((group, delay), [])
            ]
            medians.append(median([convert(v) for v in middle]) if middle else None)
        facts = Facts(
            **{name: n or 0 for name, n in zip(SUMMED, sums, strict=True)},
            responded_in_time=in_time[group],
        )
        out[group] = (facts, (medians[0], medians[1]))
    return out


def _in_time(cursor, groups: str, period: Period) -> dict[int, int]:
    """Each group's responses in time, judged against each category's response
    time as it is now: the counts kept with those hours; for a category whose
    hours have changed since some of its responses were counted, its responses
    themselves (PerformanceFact), compared with the new hours."""
    quote = connection.ops.quote_name
    # One pass over the period's counts: per group and category, the responses
    # in time counted with the category's hours as they are now, and whether
    # some were counted with other hours (a stale category, whichever unit).
    cursor.execute(
        f"WITH {groups} SELECT g.grp, t.category_id, "
        "SUM(CASE WHEN t.response_hours = k.response_hours THEN t.count ELSE 0 END), "
        "MAX(CASE WHEN t.response_hours <> k.response_hours AND t.responses <> 0 "
        "THEN 1 ELSE 0 END) "
        f"FROM {quote(PerformanceInTime._meta.db_table)} t "
        f"JOIN {quote(Category._meta.db_table)} k ON k.id = t.category_id "
        "LEFT JOIN unit_group g ON g.unit_id = t.unit_id "
        "WHERE t.is_year = %s AND t.period = %s GROUP BY g.grp, t.category_id",
        _period_params(period),
    )
    rows = cursor.fetchall()
    stale = {int(category) for _g, category, _n, old in rows if old}
    in_time: dict[int, int] = defaultdict(int)
    for group, category, n, _old in rows:
        if group is not None and int(category) not in stale:
            in_time[group] += int(n or 0)
    if stale:
        # Within the category's response time (whole hours) is a delay of at
        # most that many hours: what officers.kpis finds comparing hours as
        # floats too, for any delay shorter than some 285 years.
        cursor.execute(
            f"WITH {groups} SELECT g.grp, COUNT(*) "
            f"FROM {quote(PerformanceFact._meta.db_table)} f "
            "JOIN unit_group g ON g.unit_id = f.unit_id "
            f"JOIN {quote(Category._meta.db_table)} k ON k.id = f.category_id "
            "WHERE f.is_year = %s AND f.period = %s "
            f"AND f.category_id IN ({', '.join(str(c) for c in sorted(stale))}) "
            f"AND f.response_us <= k.response_hours * {MICROSECONDS_PER_HOUR} "
            "GROUP BY g.grp",
            _period_params(period),
        )
        for group, n in cursor.fetchall():
            in_time[group] += int(n)
    return in_time


def _period_params(period: Period) -> list:
    return [
        period.month is None,
        connection.ops.adapt_datefield_value(period.start.date()),
    ]


def _ranked_delays(period: Period, subtrees: dict, picks: dict) -> dict:
    """{(group, delay column, bucket, rank): the group's delay of that rank among
    its delays in that bucket}, read from PerformanceFact in one query."""
    wanted = sorted(
        (group, delay, bucket, rank)
        for (group, delay), middle in picks.items()
        for bucket, rank in middle
    )
    if not wanted:
        return {}
    quote = connection.ops.quote_name
    table = quote(PerformanceFact._meta.db_table)
    postgres = connection.vendor == "postgresql"
    parts, params = [], []
    for delay, (_kind, width) in BUCKETS.items():
        mine = [(g, b, r) for g, d, b, r in wanted if d == delay]
        if not mine:
            continue
        column = quote(delay)
        if postgres:
            # Only the delays of those ranks come back, found in order along
            # the index of the units' delays: one pass per group's bucket,
            # for its one middle delay or its two (next to each other).
            ranks: dict[tuple[int, int], set[int]] = defaultdict(set)
            for g, b, r in mine:
                ranks[(int(g), int(b))].add(int(r))
            rows = ", ".join(
                f"({g}, {b}, {min(rs)}, {max(rs) - min(rs) + 1}, "
                f"{(b - 1) * width}, {b * width}, {_units_array(subtrees[g])})"
                for (g, b), rs in sorted(ranks.items())
            )
            parts.append(
                f"SELECT '{delay}', w.grp, w.bucket, w.rank, x.delays "
                f"FROM (VALUES {rows}) AS w (grp, bucket, rank, n, low, high, units) "
                "CROSS JOIN LATERAL (SELECT array_agg(s.delay ORDER BY s.delay) "
                f"AS delays FROM (SELECT f.{column} AS delay FROM {table} f "
                "WHERE f.is_year = %s AND f.period = %s "
                f"AND f.unit_id = ANY(w.units) AND f.{column} > w.low "
                f"AND f.{column} <= w.high ORDER BY f.{column} "
                "OFFSET w.rank - 1 LIMIT w.n) s) x"
            )
            params += _period_params(period)
        else:
            parts.append(_bucket_delays(delay, width, mine, subtrees, table, column))
            params += _period_params(period)
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    if postgres:
        for delay, group, bucket, first, values in rows:
            for offset, value in enumerate(values or []):
                found[(group, delay, bucket, first + offset)] = value
        return found
    # Elsewhere every delay of the buckets, ranked here.
    in_bucket: dict[tuple, list[int]] = defaultdict(list)
    for delay, group, bucket, value in rows:
        in_bucket[(group, delay, bucket)].append(value)
    for group, delay, bucket, rank in wanted:
        found[(group, delay, bucket, rank)] = sorted(in_bucket[(group, delay, bucket)])[
            rank - 1
        ]
    return found


def _units_array(unit_ids) -> str:
    return "'{" + ",".join(str(int(u)) for u in sorted(unit_ids)) + "}'::bigint[]"


def _bucket_delays(delay, width, mine, subtrees, table, column) -> str:
    """SQL of every delay of the groups' units in the wanted buckets (for
    databases without LATERAL, where they are ranked in Python)."""
    wanted = " UNION ALL ".join(
        f"SELECT {int(u)} AS unit_id, {int(g)} AS grp, {int(b)} AS bucket, "
        f"{(int(b) - 1) * width} AS low, {int(b) * width} AS high"
        for g, b in sorted({(g, b) for g, b, _rank in mine})
        for u in sorted(subtrees[g])
    )
    return (
        f"SELECT '{delay}', w.grp, w.bucket, f.{column} "
        f"FROM ({wanted}) w JOIN {table} f ON f.unit_id = w.unit_id "
        f"AND f.{column} > w.low AND f.{column} <= w.high "
        "AND f.is_year = %s AND f.period = %s"
    )


def _is_below(unit_id: int, ancestor_id: int, parents: dict) -> bool:
    current = parents.get(unit_id)
    while current is not None:
        if current == ancestor_id:
            return True
        current = parents.get(current)
    return False
