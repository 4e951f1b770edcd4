"""The public statistics and the units' performance figures, counted ahead.

The statistics page (/stats/, its API, the home page's headline) and the officers'
performance dashboard once counted every report of the period (the dashboard, every
custody period and timeline event too) on each request: seconds at a million
reports. They now read tables that this module keeps current and whose sums are
the very figures the live computation gives (the live functions stay, as
``stats_for_live``, ``headline_figures_live`` and ``performance_table_live``, and
the tests compare them after a history made through the services).

What is kept
------------
Statistics (``transparency.models``):

- ``StatsCell``: per day received (WIB), kelurahan, category, channel and handling
  unit, the reports in each public colour, and of the green (done) ones those done
  within 7 and 14 days and those never disputed. Every filter of the page is a
  condition on that key (kecamatan and city through the kelurahan; the colour
  picks counters), every group a sum; only the free text is answered live.
- ``StatsRatingCell``: the same key with the colour and the unit rated: number of
  ratings and sum of their scores, whence the IKM of any group.
- ``StatsMonth`` and ``StatsMonthRating``: the same summed per month and grouping
  (city, channel, category, kota, unit): a year with no filter but the colour or
  whole months (most visits, and the home page) reads a few hundred rows.
- ``StatsEntry``: one row per report, where it is counted now.

Performance (``officers.models``):

- ``PerformanceFact``: per report, unit and month or year, what the report adds
  to the unit (``officers.kpis.report_facts``: custody facts, audits, rating),
  with the delays to respond and to finish in whole microseconds.
- ``PerformanceSum``: those summed per unit and period, and
  ``PerformanceDelayCount``: their delays counted per unit, category, period and
  bucket of time (whole hours to respond, whole days to finish). The dashboard
  adds a period's rows up per group of units (a unit and those below it), counts
  the responses in time against each category's response time as it is now
  (whole hours), and finds each median (which is no sum) in its bucket, then
  reads that bucket's delays alone from the facts.

Upkeep: one hook
----------------
``aggregates_refresh(report_id=...)`` recomputes one report's entry and facts from
the report as it is now (with the functions the live figures use) and applies the
difference to the shared rows. It runs last in the transaction of every service
that changes what a report counts for: ``report_submit`` (intake), every workflow
transition (``complaints.workflow``: accepting, disposing, returning, completing,
disputes, closing, merging, rejecting, an audit's reopening, ...),
``survey_submit`` and ``audit_decide`` (a verdict counts with or without a
transition). It is idempotent: a second call, or one for a report whose rows are
current, changes nothing. ``event_record`` (SLA warnings and escalations, hidden
comments) needs none: its events keep the status and are no unit's handling
action, so they change no figure (a test runs the sweep and checks).

Race safety. The report's row is locked (``select_for_update``) while it is
recomputed, so two refreshes of one report take turns; its entry and facts are
its own. A shared counting row changes only by addition, never overwritten:
``INSERT … ON CONFLICT DO UPDATE SET n = row.n + excluded.n``, one statement per
table, its rows in key order, the tables always in the same order: two
transactions add up and cannot deadlock on them. A row that drops to zero stays
(deleting it could lose a concurrent addition). Adding in place was chosen over
appending delta rows summed at read time: reads stay one pass over a year of rows,
with no compaction task to schedule, and the locks are held only from the end of
the change to its commit.

Rebuild
-------
``aggregates_rebuild`` (``manage.py rebuild_aggregates``) recomputes everything
after a load that bypassed the services, in one transaction: the statistics with
set-based SQL (``INSERT … SELECT … GROUP BY``); the facts report by report, in
batches of report ids, with the same functions as the hook (the custody facts are
too intricate to restate in SQL without the risk of a second definition), worked
out by a few processes while the next batch is read (on PostgreSQL the times are
read as whole microseconds and the rows written with COPY); the sums from the
facts in SQL. The counted tables have no foreign-key constraints: they are
derived, and checking ten million references would cost the rebuild minutes. It
holds its tables until it commits: pages that read them wait meanwhile.

Reference data is read when the figures are (a category's response time, names,
the unit hierarchy); only the kota of a kelurahan is taken when a report is
counted (``StatsMonth``): run the rebuild after moving a kelurahan to another
city.
"""

import multiprocessing
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Func,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from complaints.models import Custody, Report, ReportEvent, SatisfactionSurvey
from complaints.public import COLOUR_OF_STATUS
from complaints.services.satisfaction import ELEMENT_FIELDS
from officers.models import (
    AuditSample,
    PerformanceDelayCount,
    PerformanceFact,
    PerformanceInTime,
    PerformanceSum,
)
from transparency import facts_workers
from transparency.models import (
    COLOURS,
    StatsCell,
    StatsEntry,
    StatsMonth,
    StatsMonthRating,
    StatsRatingCell,
)
from transparency.selectors.stats import DONE, WITHIN_7_DAYS, WITHIN_14_DAYS

CELL_KEY = ("day", "area_id", "category_id", "channel_id", "unit_id")
CELL_COUNTS = (*COLOURS, "within_7", "within_14", "undisputed")
RATING_KEY = (*CELL_KEY, "colour", "rated_unit_id")
RATING_COUNTS = ("respondents", "score_sum")
ENTRY_FIELDS = (
    *CELL_KEY,
    "kota_id",
    "colour",
    "within_7",
    "within_14",
    "undisputed",
    "rated_unit_id",
    "score_sum",
)
MONTH_KEY = ("month", "grouping", "key")
MONTH_RATING_KEY = ("month", "colour", "rated_unit_id")
# The tables of counts, with their keys and counts.
COUNTED = {
    StatsCell: (CELL_KEY, CELL_COUNTS),
    StatsRatingCell: (RATING_KEY, RATING_COUNTS),
    StatsMonth: (MONTH_KEY, CELL_COUNTS),
    StatsMonthRating: (MONTH_RATING_KEY, RATING_COUNTS),
}
FACT_KEY = ("is_year", "period", "unit_id")
DELAYS = ("response_us", "done_us")
FACT_VALUES = (
    "category_id",
    "received",
    "passed_on",
    "completed",
    "completions",
    "reopened",
    "within_7_days",
    "days_8_14",
    "over_14_days",
    "response_us",
    "done_us",
    "audited",
    "audit_failed",
    "survey_respondents",
    "survey_score_sum",
    "responded_in_time",
    "response_hours",
)
REBUILD_BATCH = 20_000


def _city_tz():
    return timezone.get_default_timezone()


# -- what one report counts for ------------------------------------------------


def _entry(report: dict) -> dict:
    """The report's StatsEntry fields, by the definitions of the statistics page
    (transparency.selectors.stats)."""
    created, completed = report["created_at"], report["completed_at"]
    done = report["status"] in DONE
    rated = report["survey__unit_id"]
    return {
        "day": timezone.localtime(created, _city_tz()).date(),
        "area_id": report["area_id"],
        "category_id": report["category_id"],
        "channel_id": report["channel_id"],
        "unit_id": report["handling_unit_id"],
        "kota_id": report["area__parent__parent_id"],
        "colour": COLOUR_OF_STATUS[report["status"]],
        "within_7": done
        and completed is not None
        and completed <= created + WITHIN_7_DAYS,
        "within_14": done
        and completed is not None
        and completed <= created + WITHIN_14_DAYS,
        "undisputed": done and report["dispute_count"] == 0,
        "rated_unit_id": rated,
        "score_sum": (
            sum(report[f"survey__{f}"] for f in ELEMENT_FIELDS)
            if rated is not None
            else None
        ),
    }


def _counts(entry: dict, sign: int) -> dict:
    counts = dict.fromkeys(CELL_COUNTS, 0)
    counts[entry["colour"]] = sign
    for flag in ("within_7", "within_14", "undisputed"):
        counts[flag] = sign if entry[flag] else 0
    return counts


def _contributions(entry: dict, sign: int) -> dict:
    """What an entry adds (sign 1) to or takes (-1) from each table of counts:
    {model: {key: counts}}."""
    counts = _counts(entry, sign)
    month = entry["day"].replace(day=1)
    groupings = {
        StatsMonth.Grouping.ALL: 0,
        StatsMonth.Grouping.CHANNEL: entry["channel_id"],
        StatsMonth.Grouping.CATEGORY: entry["category_id"],
        StatsMonth.Grouping.KOTA: entry["kota_id"] or 0,
        StatsMonth.Grouping.UNIT: entry["unit_id"],
    }
    out = {
        StatsCell: {tuple(entry[k] for k in CELL_KEY): counts},
        StatsMonth: {
            (month, str(grouping), key): counts for grouping, key in groupings.items()
        },
        StatsRatingCell: {},
        StatsMonthRating: {},
    }
    if entry["rated_unit_id"] is not None:
        rating = {"respondents": sign, "score_sum": sign * entry["score_sum"]}
        out[StatsRatingCell][tuple(entry[k] for k in RATING_KEY)] = rating
        key = (month, entry["colour"], entry["rated_unit_id"])
        out[StatsMonthRating][key] = rating
    return out


def _fact_rows(
    *, category_id: int, response_hours: int, facts_by_key: dict
) -> dict[tuple[bool, date, int], tuple]:
    """PerformanceFact values per key, from officers.kpis.report_facts. Keys with
    nothing to add (a pending audit) are left out."""
    rows = {}
    for key, facts in facts_by_key.items():
        if len(facts.response_us) > 1 or len(facts.done_us) > 1:
            raise ValueError(f"one report counts once per unit and period: {key}")
        responded = bool(facts.response_us)
        values = (
            category_id,
            facts.received,
            facts.passed_on,
            facts.completed,
            facts.completions,
            facts.reopened,
            facts.within_7_days,
            facts.days_8_14,
            facts.over_14_days,
            facts.response_us[0] if facts.response_us else None,
            facts.done_us[0] if facts.done_us else None,
            facts.audited,
            facts.audit_failed,
            facts.survey_respondents,
            facts.survey_score_sum,
            facts.responded_in_time,
            response_hours if responded else None,
        )
        if any(v for v in values[1:]) or values[9] is not None:
            rows[key] = values
    return rows


def _report_facts(
    *,
    report_id: int,
    response_hours: int,
    custody: Iterable[tuple],
    events: list,
    audits: Iterable[tuple],
    survey: tuple | None,
):
    """officers.kpis.report_facts of a report's rows: ``custody`` (unit, start,
    end), ``events`` (EventRow, see ``_event``), ``audits`` (unit, verdict, time
    of the completion audited), ``survey`` (unit, sum of scores, time)."""
    from officers.kpis import CustodyRow, report_facts

    return report_facts(
        custody=[CustodyRow(report_id, *row, response_hours) for row in custody],
        events=events,
        audits=[
            (unit_id, verdict, at)
            for unit_id, verdict, at in audits
            if verdict != AuditSample.Verdict.PENDING
        ],
        survey=survey,
    )


def _event(row: tuple):
    """An officers.kpis.EventRow of a ``_timeline`` row."""
    # officers.kpis reads complaints.workflow, which calls this module.
    from officers.kpis import EventRow

    return EventRow._make(row)


def _timeline(reports: Q, *, at=None):
    """The events the performance facts read (as the live dashboard does)."""
    from officers.kpis import NOT_WORK

    return (
        ReportEvent.objects.filter(reports, kind=ReportEvent.Kind.ACTION)
        .exclude(action__in=NOT_WORK)
        .annotate(t_at=at if at is not None else F("created_at"))
        .values_list("report_id", "unit_id", "action", "to_status", "t_at")
    )


# -- the hook ----------------------------------------------------------------------

_REPORT_FIELDS = (
    "created_at",
    "area_id",
    "area__parent__parent_id",
    "category_id",
    "channel_id",
    "handling_unit_id",
    "status",
    "completed_at",
    "dispute_count",
    "category__response_hours",
    "survey__unit_id",
    "survey__created_at",
    *(f"survey__{f}" for f in ELEMENT_FIELDS),
)


def aggregates_refresh(*, report_id: int) -> None:
    """Bring the statistics cells and the performance facts up to date with one
    report, inside the caller's transaction (see the module's docstring)."""
    # No savepoint of its own: a failure here fails the caller's change too.
    with transaction.atomic(savepoint=False):
        report = (
            Report.objects.select_for_update(of=("self",))
            .filter(pk=report_id)
            .values(*_REPORT_FIELDS)
            .first()
        )
        _stats_refresh(report_id, report)
        _facts_refresh(report_id, report)


def aggregates_report_filed(*, report: Report, custody: Custody) -> None:
    """``aggregates_refresh`` for a report just filed in the caller's transaction,
    from the objects in hand instead of reading them back: the report's row (its
    insert already locks it), its first custody period, no timeline action, audit
    or survey yet, and no rows counted for it before (its id is new). Six reads
    fewer on the path every report takes; the figures are the same
    (``_entry`` and ``report_facts`` of the same values)."""
    area = report.area
    values = {
        "created_at": report.created_at,
        "area_id": report.area_id,
        "area__parent__parent_id": area.parent.parent_id if area.parent_id else None,
        "category_id": report.category_id,
        "channel_id": report.channel_id,
        "handling_unit_id": report.handling_unit_id,
        "status": report.status,
        "completed_at": report.completed_at,
        "dispute_count": report.dispute_count,
        "category__response_hours": report.category.response_hours,
        "survey__unit_id": None,
    }
    with transaction.atomic(savepoint=False):
        _stats_apply(report.pk, None, _entry(values))
        facts = _report_facts(
            report_id=report.pk,
            response_hours=values["category__response_hours"],
            custody=[(custody.unit_id, custody.started_at, custody.ended_at)],
            events=[],
            audits=[],
            survey=None,
        )
        new = _fact_rows(
            category_id=report.category_id,
            response_hours=values["category__response_hours"],
            facts_by_key=facts,
        )
        _facts_apply(report.pk, {}, new)


def _stats_refresh(report_id: int, report: dict | None) -> None:
    old = StatsEntry.objects.filter(report_id=report_id).values(*ENTRY_FIELDS).first()
    new = _entry(report) if report is not None else None
    _stats_apply(report_id, old, new)


def _stats_apply(report_id: int, old: dict | None, new: dict | None) -> None:
    if old == new:
        return
    changes: dict = {model: {} for model in COUNTED}
    for entry, sign in ((old, -1), (new, 1)):
        if entry is None:
            continue
        for model, more in _contributions(entry, sign).items():
            for key, counts in more.items():
                total = changes[model].setdefault(key, dict.fromkeys(counts, 0))
                for name, n in counts.items():
                    total[name] += n
    # Always in this order, each table's rows in key order: no deadlocks.
    for model, (key_fields, count_fields) in COUNTED.items():
        _cells_add(model, key_fields, count_fields, changes[model])
    if new is None:
        StatsEntry.objects.filter(report_id=report_id).delete()
    elif old is None:
        StatsEntry.objects.create(report_id=report_id, **new)
    else:
        StatsEntry.objects.filter(report_id=report_id).update(**new)


def _cells_add(model, key_fields, count_fields, changes: dict[tuple, dict]) -> None:
    """Add ``changes`` ({key: {count: n}}) to the cells, creating missing ones, in
    one statement, in key order."""
    rows = sorted(
        (key, counts) for key, counts in changes.items() if any(counts.values())
    )
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_columns = [quote(model._meta.get_field(f).column) for f in key_fields]
    count_columns = [quote(f) for f in count_fields]
    one = "(" + ", ".join(["%s"] * (len(key_fields) + len(count_fields))) + ")"
    params = []
    for key, counts in rows:
        params += [*key, *(counts[f] for f in count_fields)]
    additions = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in count_columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(key_columns + count_columns)}) "
        f"VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {additions}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _facts_refresh(report_id: int, report: dict | None) -> None:
    new = {}
    if report is not None:
        survey = None
        if report["survey__unit_id"] is not None:
            survey = (
                report["survey__unit_id"],
                sum(report[f"survey__{f}"] for f in ELEMENT_FIELDS),
                report["survey__created_at"],
            )
        events = [
            _event(row)
            for row in _timeline(Q(report_id=report_id)).order_by("created_at", "id")
        ]
        audits = []
        # Only a completion is ever audited.
        if any(event.action == "complete" for event in events):
            audits = AuditSample.objects.filter(report_id=report_id).values_list(
                "unit_id", "verdict", "completion__created_at"
            )
        facts = _report_facts(
            report_id=report_id,
            response_hours=report["category__response_hours"],
            custody=Custody.objects.filter(report_id=report_id)
            .order_by("started_at", "id")
            .values_list("unit_id", "started_at", "ended_at"),
            events=events,
            audits=audits,
            survey=survey,
        )
        new = _fact_rows(
            category_id=report["category_id"],
            response_hours=report["category__response_hours"],
            facts_by_key=facts,
        )
    old = {
        row[:3]: row[3:]
        for row in PerformanceFact.objects.filter(report_id=report_id).values_list(
            *FACT_KEY, *FACT_VALUES
        )
    }
    _facts_apply(report_id, old, new)


def _facts_apply(report_id: int, old: dict, new: dict) -> None:
    if old == new:
        return
    if old:
        PerformanceFact.objects.filter(report_id=report_id).delete()
    PerformanceFact.objects.bulk_create(
        _fact_objects(report_id, new.items()), batch_size=500
    )
    _sums_add(
        [(key, values, -1) for key, values in old.items() if new.get(key) != values]
        + [(key, values, 1) for key, values in new.items() if old.get(key) != values]
    )


SUMMED = tuple(
    f
    for f in FACT_VALUES
    if f not in ("category_id", *DELAYS, "responded_in_time", "response_hours")
)


DELAY_KEY = ("is_year", "period", "unit_id", "kind", "bucket")
IN_TIME_KEY = ("is_year", "period", "unit_id", "category_id", "response_hours")


def _sums_add(changes: list[tuple[tuple, tuple, int]]) -> None:
    """Add fact rows to (sign 1) or take them from (-1) their unit's
    PerformanceSum, PerformanceDelayCount and PerformanceInTime rows, by
    addition in place as the statistics cells are."""
    from officers.kpis import BUCKETS, bucket_of

    sums: dict[tuple, dict] = {}
    delays: dict[tuple, dict] = {}
    in_time: dict[tuple, dict] = {}

    def add(into: dict, key: tuple, n: int) -> None:
        into.setdefault(key, {"count": 0})["count"] += n

    for key, values, sign in changes:
        named = dict(zip(FACT_VALUES, values, strict=True))
        total = sums.setdefault(key, dict.fromkeys(SUMMED, 0))
        for name in SUMMED:
            total[name] += sign * named[name]
        for delay, (kind, width) in BUCKETS.items():
            if named[delay] is not None:
                add(delays, (*key, kind, bucket_of(named[delay], width)), sign)
        if named["response_hours"] is not None:
            hours = (*key, named["category_id"], named["response_hours"])
            counted = in_time.setdefault(hours, {"responses": 0, "count": 0})
            counted["responses"] += sign
            counted["count"] += sign * named["responded_in_time"]
    _cells_add(PerformanceSum, FACT_KEY, SUMMED, sums)
    _cells_add(PerformanceDelayCount, DELAY_KEY, ("count",), delays)
    _cells_add(PerformanceInTime, IN_TIME_KEY, ("responses", "count"), in_time)


def _fact_objects(report_id: int, rows: Iterable) -> list[PerformanceFact]:
    return [
        PerformanceFact(
            report_id=report_id,
            **dict(zip(FACT_KEY, key, strict=True)),
            **dict(zip(FACT_VALUES, values, strict=True)),
        )
        for key, values in rows
    ]


# -- the rebuild ---------------------------------------------------------------------


@dataclass
class RebuildCounts:
    entries: int = 0
    cells: int = 0
    rating_cells: int = 0
    facts: int = 0
    # Seconds each step took.
    seconds: dict[str, float] = field(default_factory=dict)


def aggregates_rebuild(
    *, batch: int = REBUILD_BATCH, workers: int = 1, progress=None
) -> RebuildCounts:
    """Recompute every aggregate table from the reports, their custody, timelines,
    audits and ratings, in one transaction. ``workers``: processes that work out
    the performance facts (they take longest). ``progress(message)`` is told of
    each step done, and of how far the facts are."""
    counts = RebuildCounts()
    tell = progress or (lambda message: None)

    def step(name: str, work):
        started = time.monotonic()
        done = work()
        counts.seconds[name] = time.monotonic() - started
        tell(f"{name}: {counts.seconds[name]:.1f} s")
        return done

    tables = [
        *COUNTED,
        StatsEntry,
        PerformanceFact,
        PerformanceSum,
        PerformanceDelayCount,
        PerformanceInTime,
    ]
    nested = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Room to sort a batch's timelines and group the cells in memory.
                cursor.execute("SET LOCAL work_mem = '256MB'")
        step("clear", lambda: _clear(tables, truncate=not nested))
        counts.entries = step(
            "statistics entries",
            lambda: _insert_from(
                StatsEntry, ("report_id", *ENTRY_FIELDS), _entries_query()
            ),
        )
        counts.cells = step(
            "statistics cells",
            lambda: _insert_from(StatsCell, (*CELL_KEY, *CELL_COUNTS), _cells_query()),
        )
        counts.rating_cells = step(
            "rating cells",
            lambda: _insert_from(
                StatsRatingCell, (*RATING_KEY, *RATING_COUNTS), _rating_cells_query()
            ),
        )
        step("months", _months_rebuild)
        counts.facts = step(
            "performance facts",
            lambda: _facts_rebuild(batch=batch, progress=tell, workers=workers),
        )
        step("performance sums", _sums_rebuild)
        if connection.vendor == "postgresql":

            def analyze():
                with connection.cursor() as cursor:
                    for model in tables:
                        cursor.execute(f"ANALYZE {_table(model)}")

            step("analyze", analyze)
    return counts


def _months_rebuild() -> None:
    for grouping in StatsMonth.Grouping:
        _insert_from(StatsMonth, (*MONTH_KEY, *CELL_COUNTS), _months_query(grouping))
    _insert_from(
        StatsMonthRating, (*MONTH_RATING_KEY, *RATING_COUNTS), _month_ratings_query()
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _clear(tables, *, truncate: bool) -> None:
    with connection.cursor() as cursor:
        # TRUNCATE is refused in a transaction that has written to the tables
        # (their foreign keys' checks are deferred to its end): DELETE there.
        if truncate and connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(_table(m) for m in tables)}")
        else:
            for model in tables:
                cursor.execute(f"DELETE FROM {_table(model)}")


def _insert_from(model, fields, query) -> int:
    """INSERT INTO the model's table the rows of a values() query over
    annotations, its columns being ``fields`` in order."""
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(f).column) for f in fields
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(model)} ({columns}) {sql}", params)
        return cursor.rowcount


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _entries_query():
    done = Q(status__in=DONE)
    colour = Case(
        *(
            When(
                status__in=[s for s, c in COLOUR_OF_STATUS.items() if c == name],
                then=Value(name),
            )
            for name in COLOURS
        ),
        output_field=CharField(),
    )
    score = sum((F(f"survey__{f}") for f in ELEMENT_FIELDS[1:]), F("survey__u1"))
    columns = {
        "a_report": F("pk"),
        "a_day": TruncDate("created_at", tzinfo=_city_tz()),
        "a_area": F("area"),
        "a_category": F("category"),
        "a_channel": F("channel"),
        "a_unit": F("handling_unit"),
        "a_kota": F("area__parent__parent"),
        "a_colour": colour,
        "a_within_7": _flag(
            done & Q(completed_at__lte=F("created_at") + WITHIN_7_DAYS)
        ),
        "a_within_14": _flag(
            done & Q(completed_at__lte=F("created_at") + WITHIN_14_DAYS)
        ),
        "a_undisputed": _flag(done & Q(dispute_count=0)),
        "a_rated_unit": F("survey__unit"),
        "a_score_sum": score,
    }
    return Report.objects.order_by().annotate(**columns).values(*columns)


def _grouped(entries, key_fields, **totals):
    """The entries summed per key: the key's fields, then ``totals``."""
    key = {f"a_{f}": F(f) for f in key_fields}
    # In key order: a day's or a month's rows together on disk.
    return (
        entries.order_by()
        .annotate(**key)
        .values(*key)
        .annotate(**{f"t_{name}": total for name, total in totals.items()})
        .order_by(*key)
    )


def _entry_counts() -> dict:
    return {
        **{c: Count("pk", filter=Q(colour=c)) for c in COLOURS},
        "within_7": Count("pk", filter=Q(within_7=True)),
        "within_14": Count("pk", filter=Q(within_14=True)),
        "undisputed": Count("pk", filter=Q(undisputed=True)),
    }


def _cells_query():
    return _grouped(StatsEntry.objects.all(), CELL_KEY, **_entry_counts())


def _months_query(grouping: str):
    key = {
        StatsMonth.Grouping.ALL: Value(0),
        StatsMonth.Grouping.CHANNEL: F("channel_id"),
        StatsMonth.Grouping.CATEGORY: F("category_id"),
        StatsMonth.Grouping.KOTA: Coalesce(F("kota_id"), Value(0)),
        StatsMonth.Grouping.UNIT: F("unit_id"),
    }[grouping]
    entries = StatsEntry.objects.annotate(
        month=TruncMonth("day"), grouping=Value(str(grouping)), key=key
    )
    return _grouped(entries, MONTH_KEY, **_entry_counts())


def _month_ratings_query():
    return _grouped(
        StatsEntry.objects.filter(rated_unit__isnull=False).annotate(
            month=TruncMonth("day")
        ),
        MONTH_RATING_KEY,
        respondents=Count("pk"),
        score_sum=Sum("score_sum"),
    )


def _rating_cells_query():
    return _grouped(
        StatsEntry.objects.filter(rated_unit__isnull=False),
        RATING_KEY,
        respondents=Count("pk"),
        score_sum=Sum("score_sum"),
    )


def _sums_rebuild() -> None:
    """PerformanceSum, PerformanceDelayCount and PerformanceInTime from
    PerformanceFact, set-based, written in key order (a period's rows together
    on disk)."""
    from officers.kpis import BUCKETS

    quote = connection.ops.quote_name
    facts = _table(PerformanceFact)
    key = ", ".join(quote(f) for f in FACT_KEY)
    counted, params = [], []
    for delay, (kind, width) in BUCKETS.items():
        bucket = f"({quote(delay)} + {width - 1}) / {width}"
        counted.append(
            f"SELECT {key}, %s AS kind, {bucket} AS bucket, COUNT(*) AS n "
            f"FROM {facts} WHERE {quote(delay)} IS NOT NULL GROUP BY {key}, {bucket}"
        )
        params.append(kind)
    in_time = ", ".join(quote(f) for f in IN_TIME_KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(PerformanceSum)} "
            f"({', '.join(quote(c) for c in (*FACT_KEY, *SUMMED))}) "
            f"SELECT {key}, {', '.join(f'SUM({quote(f)})' for f in SUMMED)} "
            f"FROM {facts} GROUP BY {key} ORDER BY {key}"
        )
        cursor.execute(
            f"INSERT INTO {_table(PerformanceDelayCount)} "
            f"({', '.join(quote(c) for c in (*DELAY_KEY, 'count'))}) "
            f"SELECT * FROM ({' UNION ALL '.join(counted)}) counted "
            f"ORDER BY {', '.join(quote(f) for f in DELAY_KEY)}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {_table(PerformanceInTime)} "
            f"({in_time}, {quote('responses')}, {quote('count')}) "
            f"SELECT {in_time}, COUNT(*), SUM({quote('responded_in_time')}) "
            f"FROM {facts} "
            f"WHERE {quote('response_hours')} IS NOT NULL "
            f"GROUP BY {in_time} ORDER BY {in_time}"
        )


def _facts_rebuild(*, batch: int, progress, workers: int) -> int:
    """The facts of every report, batch by batch of report ids: read here, worked
    out here or, with ``workers`` > 1, by as many processes while the next batch
    is read, and written here."""
    bounds = Report.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return 0
    starts = range(bounds["first"], bounds["last"] + 1, batch)
    total, written, shown = len(starts), 0, time.monotonic()

    def write(rows: list[tuple], done: int) -> None:
        nonlocal written, shown
        _facts_write(rows)
        written += len(rows)
        if time.monotonic() - shown > 15:
            shown = time.monotonic()
            progress(f"performance facts: {done / total:.0%}")

    if workers <= 1 or total == 1:
        for done, start in enumerate(starts, 1):
            write(facts_compute(_facts_read(start, start + batch)), done)
        return written
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=spawn, initializer=facts_workers.ready
    ) as pool:
        pending: deque = deque()
        for done, start in enumerate(starts, 1):
            read = _facts_read(start, start + batch)
            pending.append((pool.submit(facts_workers.compute, read), done))
            while len(pending) > workers:
                future, finished = pending.popleft()
                write(future.result(), finished)
        while pending:
            future, finished = pending.popleft()
            write(future.result(), finished)
    return written


def _by_report(rows, *, make) -> dict[int, list]:
    """Rows (report id first) grouped by report, each made by ``make``."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(make(row))
    return grouped


def _moment(field: str):
    """A time column as the rebuild reads it: on PostgreSQL whole microseconds
    since the epoch (exact, and far quicker to read than datetimes), elsewhere
    the datetime; officers.kpis takes either."""
    if connection.vendor != "postgresql":
        return F(field)
    return Func(
        F(field),
        template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
        output_field=BigIntegerField(),
    )


def _facts_read(first: int, end: int) -> tuple:
    """What the facts of the reports with ids in [first, end) are made of: rows
    as the database gives them (grouped by ``facts_compute``, which may run in
    another process)."""
    ids = Q(report_id__gte=first, report_id__lt=end)
    queries = [
        Report.objects.filter(pk__gte=first, pk__lt=end).values_list(
            "pk", "category_id", "category__response_hours"
        ),
        Custody.objects.filter(ids)
        .annotate(t_start=_moment("started_at"), t_end=_moment("ended_at"))
        .order_by("report_id", "started_at", "id")
        .values_list("report_id", "unit_id", "t_start", "t_end"),
        _timeline(ids, at=_moment("created_at")).order_by(
            "report_id", "created_at", "id"
        ),
        AuditSample.objects.filter(ids)
        .annotate(t_done=_moment("completion__created_at"))
        .values_list("report_id", "unit_id", "verdict", "t_done"),
        SatisfactionSurvey.objects.filter(ids)
        .annotate(t_answered=_moment("created_at"))
        .values_list("report_id", "unit_id", "t_answered", *ELEMENT_FIELDS),
    ]
    if connection.vendor != "postgresql":
        return tuple(list(query) for query in queries)
    read = []
    with connection.cursor() as cursor:
        for query in queries:
            # Straight from the cursor: with the times as whole numbers the rows
            # need no conversion, and the rebuild reads millions of them.
            cursor.execute(*query.query.sql_with_params())
            read.append(cursor.fetchall())
    return tuple(read)


def facts_compute(read: tuple) -> list[tuple]:
    """The PerformanceFact rows of a batch read by ``_facts_read``."""
    reports, custody, events, audits, surveys = read
    custody = _by_report(custody, make=lambda row: row[1:])
    events = _by_report(events, make=tuple)
    audits = _by_report(audits, make=lambda row: row[1:])
    surveys = {
        report_id: (unit_id, sum(scores), at)
        for report_id, unit_id, at, *scores in surveys
    }
    rows = []
    for report_id, category_id, response_hours in reports:
        facts = _report_facts(
            report_id=report_id,
            response_hours=response_hours,
            custody=custody.get(report_id, []),
            events=[_event(row) for row in events.get(report_id, [])],
            audits=audits.get(report_id, []),
            survey=surveys.get(report_id),
        )
        for key, values in _fact_rows(
            category_id=category_id, response_hours=response_hours, facts_by_key=facts
        ).items():
            rows.append((report_id, *key, *values))
    return rows


def _facts_write(rows: list[tuple]) -> None:
    fields = ("report_id", *FACT_KEY, *FACT_VALUES)
    if connection.vendor == "postgresql":
        columns = ", ".join(
            connection.ops.quote_name(PerformanceFact._meta.get_field(f).column)
            for f in fields
        )
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                f"COPY {_table(PerformanceFact)} ({columns}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    PerformanceFact.objects.bulk_create(
        [PerformanceFact(**dict(zip(fields, row, strict=True))) for row in rows],
        batch_size=1000,
    )
