"""Unit performance: the arithmetic, kept apart from the queries that feed it.

Everything is counted from the report's history (custody periods and timeline
events), never from counters kept on the side, so a figure can always be traced
back to the reports behind it.

For a unit and a period, the cohort is every report the unit *received* in the
period (a custody period that started in it). Of those:

- productivity: received, passed on (disposed or returned to another unit),
  completed by the unit, and the completion rate over the reports it kept;
- responsiveness: the first handling action's delay (median hours, and the share
  within the category's response time); the first completion's delay (median
  days, the share within 7 days, and the 0–7 / 8–14 / > 14 days buckets);
- responsibility: the share of its completions later reopened (a citizen's
  dispute, a supervisor's reopening, a failed audit), the share of its audited
  follow-ups found inadequate, and the citizens' satisfaction index (IKM).

The score weighs quality. A completion earns one point; a completion that is
later reopened earns nothing and costs two, so closing a report carelessly
leaves the unit worse off than not closing it at all::

    quality = (good completions - 2 x reopened completions) / reports kept
    score   = 100 x (0.6 x quality + 0.2 x share responded in time
                     + 0.2 x share of reports kept done within 7 days)
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from statistics import median
from typing import NamedTuple

from django.utils import timezone

from complaints.services.satisfaction import ikm_from_totals
from complaints.workflow import Action

# The unit acting on a report (a reply alone is not handling it).
HANDLING_ACTIONS = frozenset(
    {
        Action.ACCEPT,
        Action.REJECT,
        Action.DISPOSE,
        Action.ACCEPT_DISPOSITION,
        Action.RETURN_DISPOSITION,
        Action.COORDINATE,
        Action.FOLLOW_UP,
        Action.COMPLETE,
        Action.MERGE,
        Action.REQUEST_EXTENSION,
    }
)
PASSING_ON = frozenset({Action.DISPOSE, Action.RETURN_DISPOSITION})
# Timeline actions that are not the unit's work: left out of the timelines read.
NOT_WORK = ("sla_warning", "sla_escalation", "reply")
REOPENED = "reopened"
PENALTY = 2
WEIGHTS = {"quality": 0.6, "in_time": 0.2, "within_7_days": 0.2}


@dataclass
class Facts:
    """Additive raw figures for a unit (or a group of units) over a period."""

    received: int = 0
    passed_on: int = 0
    completed: int = 0
    completions: int = 0
    reopened: int = 0
    responded_in_time: int = 0
    within_7_days: int = 0
    days_8_14: int = 0
    over_14_days: int = 0
    audited: int = 0
    audit_failed: int = 0
    survey_respondents: int = 0
    survey_score_sum: int = 0
    response_hours: list[float] = field(default_factory=list)
    done_days: list[float] = field(default_factory=list)
    # The same delays, exact: whole microseconds (see ``hours`` and ``days``).
    response_us: list[int] = field(default_factory=list)
    done_us: list[int] = field(default_factory=list)

    def copy(self) -> "Facts":
        """A copy whose counts can change alone (the lists are shared)."""
        copied = object.__new__(Facts)
        copied.__dict__.update(self.__dict__)
        return copied

    def add(self, other: "Facts") -> None:
        for name, value in vars(other).items():
            if isinstance(value, list):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)


class CustodyRow(NamedTuple):
    report_id: int
    unit_id: int
    started_at: datetime
    ended_at: datetime | None
    response_hours: int


class EventRow(NamedTuple):
    report_id: int
    unit_id: int | None
    action: str
    to_status: str
    created_at: datetime


@lru_cache(maxsize=65536)
def _ikm(respondents: int, score_sum: int) -> tuple:
    # A pure function of two counts, asked for every unit of every dashboard.
    return ikm_from_totals(respondents=respondents, score_sum=score_sum)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


ONE_MICROSECOND = timedelta(microseconds=1)


def _microseconds(later, earlier) -> int:
    """``later - earlier`` in whole microseconds. Times are datetimes, or whole
    microseconds since the epoch (as the rebuild of the facts reads them): the
    same delays either way."""
    delay = later - earlier
    return delay if isinstance(delay, int) else delay // ONE_MICROSECOND


def hours(microseconds: int) -> float:
    """A delay in hours, computed as from the timedelta itself."""
    return timedelta(microseconds=microseconds).total_seconds() / 3600


def days(microseconds: int) -> float:
    return timedelta(microseconds=microseconds).total_seconds() / 86400


def custody_facts(row: CustodyRow, events: list[EventRow]) -> Facts:
    """What one custody period contributes to its unit. ``events``: the report's
    whole timeline in order (later reopenings count against earlier work)."""
    facts = Facts(received=1)
    end = row.ended_at
    mine = [
        e
        for e in events
        if e.unit_id == row.unit_id
        and e.created_at >= row.started_at
        and (end is None or e.created_at <= end)
    ]
    first = next((e for e in mine if e.action in HANDLING_ACTIONS), None)
    if first is not None:
        delay = _microseconds(first.created_at, row.started_at)
        facts.response_us.append(delay)
        facts.response_hours.append(hours(delay))
        if facts.response_hours[0] <= row.response_hours:
            facts.responded_in_time = 1
    completions = [e for e in mine if e.action == Action.COMPLETE]
    # Passed on: the unit's time with the report ended by handing it to another
    # unit. A report that came back and was finished here is the unit's own.
    if (
        not completions
        and end is not None
        and any(e.action in PASSING_ON and e.created_at == end for e in mine)
    ):
        facts.passed_on = 1
    if completions:
        facts.completed = 1
        delay = _microseconds(completions[0].created_at, row.started_at)
        facts.done_us.append(delay)
        took = days(delay)
        facts.done_days.append(took)
        if took <= 7:
            facts.within_7_days = 1
        elif took <= 14:
            facts.days_8_14 = 1
        else:
            facts.over_14_days = 1
    for completion in completions:
        facts.completions += 1
        later = [e for e in events if e.created_at > completion.created_at]
        for event in later:
            if event.action == Action.COMPLETE:
                break  # completed again before anyone reopened it
            if event.to_status == REOPENED:
                facts.reopened += 1
                break
    return facts


@dataclass
class Performance:
    """The indicators of one unit (or group), derived from its facts. ``medians``
    (hours to respond, days to done), when given, stand for the medians of the
    facts' lists: the figures kept ahead carry the medians, not every delay.
    The costlier indicators are computed once: a row is read many times over by
    the ranking, the page and its charts."""

    facts: Facts
    unit: object = None
    medians: tuple[float | None, float | None] | None = None

    @property
    def kept(self) -> int:
        return self.facts.received - self.facts.passed_on

    @property
    def completion_rate(self) -> float | None:
        return _share(self.facts.completed, self.kept)

    @cached_property
    def median_response_hours(self) -> float | None:
        if self.medians is not None:
            return self.medians[0]
        values = self.facts.response_hours
        return median(values) if values else None

    @property
    def responded_in_time_share(self) -> float | None:
        return _share(self.facts.responded_in_time, self.facts.received)

    @cached_property
    def median_done_days(self) -> float | None:
        if self.medians is not None:
            return self.medians[1]
        values = self.facts.done_days
        return median(values) if values else None

    @property
    def within_7_days_share(self) -> float | None:
        return _share(self.facts.within_7_days, self.facts.completed)

    @property
    def buckets(self) -> tuple[int, int, int]:
        f = self.facts
        return f.within_7_days, f.days_8_14, f.over_14_days

    @property
    def reopened_share(self) -> float | None:
        return _share(self.facts.reopened, self.facts.completions)

    @property
    def audit_failed_share(self) -> float | None:
        return _share(self.facts.audit_failed, self.facts.audited)

    @cached_property
    def ikm(self):
        """(index, grade) or None without answers."""
        if not self.facts.survey_respondents:
            return None
        return _ikm(self.facts.survey_respondents, self.facts.survey_score_sum)

    @cached_property
    def score(self) -> float | None:
        kept = self.kept
        if kept <= 0:
            return None
        f = self.facts
        good = f.completions - f.reopened
        quality = (good - PENALTY * f.reopened) / kept
        in_time = f.responded_in_time / f.received
        quick = f.within_7_days / kept
        return round(
            100
            * (
                WEIGHTS["quality"] * quality
                + WEIGHTS["in_time"] * in_time
                + WEIGHTS["within_7_days"] * quick
            ),
            1,
        )


def _one_per_report_and_unit(custody: list[CustodyRow]) -> list[CustodyRow]:
    """A report that comes back to a unit (returned, or reopened after closing)
    is still one report received: its periods merge, from the first start to the
    last end."""
    merged: dict[tuple[int, int], CustodyRow] = {}
    for row in sorted(custody, key=lambda r: r.started_at):
        key = (row.report_id, row.unit_id)
        first = merged.get(key)
        if first is None:
            merged[key] = row
        else:
            merged[key] = CustodyRow(
                first.report_id,
                first.unit_id,
                first.started_at,
                row.ended_at,
                first.response_hours,
            )
    return list(merged.values())


def facts_by_unit(
    *,
    custody: list[CustodyRow],
    events: dict[int, list[EventRow]],
    audits: list[tuple[int, str, int]],
    surveys: list[tuple[int, int, int]],
) -> dict[int, Facts]:
    """Each unit's own facts. ``audits``: (unit, verdict, count);
    ``surveys``: (unit, respondents, sum of all scores)."""
    by_unit: dict[int, Facts] = {}
    for row in _one_per_report_and_unit(custody):
        by_unit.setdefault(row.unit_id, Facts()).add(
            custody_facts(row, events.get(row.report_id, []))
        )
    for unit_id, verdict, count in audits:
        facts = by_unit.setdefault(unit_id, Facts())
        if verdict in ("adequate", "inadequate"):
            facts.audited += count
        if verdict == "inadequate":
            facts.audit_failed += count
    for unit_id, respondents, total in surveys:
        facts = by_unit.setdefault(unit_id, Facts())
        facts.survey_respondents += respondents
        facts.survey_score_sum += total
    return by_unit


def rolled_up(
    own: dict[int, Facts], parents: dict[int, int | None]
) -> dict[int, Facts]:
    """Each unit's facts with those of every unit below it (kelurahan into
    kecamatan into kota; suku dinas into dinas)."""
    total: dict[int, Facts] = {}
    for unit_id, facts in own.items():
        seen = set()
        current = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            total.setdefault(current, Facts()).add(facts)
            current = parents.get(current)
    return total


def ranked(performances: list[Performance]) -> list[Performance]:
    """Best score first; units without a score last."""
    return sorted(
        performances,
        key=lambda p: (p.score is None, -(p.score or 0), getattr(p.unit, "name", "")),
    )


# The delays kept per unit and period (officers.models.PerformanceDelayCount)
# are counted per bucket of time: whole hours to respond (a category's response
# time is whole hours), whole days to finish. Bucket b holds the delays of more
# than b - 1 and at most b units of time (bucket 0, the delays of none at all).
# delay column of PerformanceFact: (kind of PerformanceDelayCount, bucket width)
MICROSECONDS_PER_HOUR = 3_600_000_000
BUCKETS = {
    "response_us": ("response", MICROSECONDS_PER_HOUR),
    "done_us": ("done", 24 * MICROSECONDS_PER_HOUR),
}


def bucket_of(delay: int, width: int) -> int:
    return -(-delay // width)


def periods_of(at) -> tuple[date, date]:
    """The first day of the month and of the year (WIB) that ``at`` falls in
    (a datetime, or whole microseconds since the epoch)."""
    city = timezone.get_default_timezone()
    if isinstance(at, int):
        local = datetime.fromtimestamp(at // 1_000_000, city)
    else:
        local = timezone.localtime(at, city)
    day = local.date()
    return day.replace(day=1), day.replace(month=1, day=1)


def report_facts(
    *,
    custody: list[CustodyRow],
    events: list[EventRow],
    audits: list[tuple[int, str, datetime]],
    survey: tuple[int, int, datetime] | None,
) -> dict[tuple[bool, date, int], Facts]:
    """What one report adds to each unit in each period, keyed by (is_year, first
    day of the period, unit): what ``facts_by_unit`` makes of the report's rows
    when it reads a whole period (one report has one merged custody period per
    unit and period). ``custody`` in order of start; ``events``: the report's
    timeline in order; ``audits``: (unit, verdict, time of the completion
    audited); ``survey``: (unit, sum of the scores, time answered)."""
    out: dict[tuple[bool, date, int], Facts] = {}
    if len(custody) == 1 and not audits and survey is None:
        # Most reports: one unit held it, nothing else to add. (The rebuild
        # goes through a million of them.)
        row = custody[0]
        month, year = periods_of(row.started_at)
        facts = custody_facts(row, events)
        return {
            (False, month, row.unit_id): facts,
            (True, year, row.unit_id): facts.copy(),
        }
    starts = [periods_of(row.started_at) for row in custody]
    audited = [(unit_id, verdict, periods_of(at)) for unit_id, verdict, at in audits]
    # A unit's time with the report is often the same for its month and its
    # year: worked out once, counted in each (as copies, which audits and
    # ratings then add to).
    worked_out: dict[CustodyRow, Facts] = {}
    for is_year in (False, True):
        custody_in: dict[date, list[CustodyRow]] = defaultdict(list)
        for row, periods in zip(custody, starts, strict=True):
            custody_in[periods[is_year]].append(row)
        for period, rows in custody_in.items():
            for row in _one_per_report_and_unit(rows):
                if row not in worked_out:
                    worked_out[row] = custody_facts(row, events)
                out[(is_year, period, row.unit_id)] = worked_out[row].copy()
        for unit_id, verdict, periods in audited:
            if verdict not in ("adequate", "inadequate"):
                continue
            facts = out.setdefault((is_year, periods[is_year], unit_id), Facts())
            facts.audited += 1
            if verdict == "inadequate":
                facts.audit_failed += 1
        if survey is not None:
            unit_id, score_sum, at = survey
            facts = out.setdefault((is_year, periods_of(at)[is_year], unit_id), Facts())
            facts.survey_respondents += 1
            facts.survey_score_sum += score_sum
    return out
