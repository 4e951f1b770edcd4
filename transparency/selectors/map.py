"""The public map's markers, clustered in the database.

How it works
------------
The visible box is cut into a grid of square cells. A cell's side, in degrees, is
a quarter of a 256-pixel map tile at the zoom asked for (``360 / 2**zoom / 4``),
so a cluster stands for about 64 × 64 pixels of screen whatever the zoom. The grid
is anchored at latitude 0, longitude 0, not at the box: a report stays in the same
cell while the map is panned, so clusters do not jump about.

Grouping the matching reports in the box by cell,
``FLOOR(latitude / side), FLOOR(longitude / side)``, gives for each cell the
number of reports, their mean position and the number in each public colour. Only
cells with reports come back, so the answer is small however many reports there
are, and nothing but a few numbers per cell leaves the database. The summary below
gives the same numbers without reading the reports.

When the box holds few reports (``POINTS_UNDER`` or fewer), or the map is zoomed
in to street level (``POINTS_ZOOM`` and above), the reports are sent one by one
instead, the newest first, at most ``POINTS_MAX`` of them (``truncated`` says when
more matched).

Why
---
The portal must stay fast with millions of reports. Sending them all to the
browser, or clustering them in Python on each request, reads every row into memory;
a ``GROUP BY`` leaves the work to the database, but still reads every matching
report: at a million reports all of Jakarta took seconds (issue 7).

The cell counts summary
-----------------------
So the counts per cell are kept in a summary table, ``complaints.MapCell`` (kept
current by the services that file and move reports, see
``complaints.services.map_cells``): for a few grids (cells of 1, 3, 11, 44 … rounding
steps) and a few views, each splitting the counts by some of the public filters
(none; category; kelurahan; channel; month or day received; kelurahan × category;
kelurahan × channel; category × month), with the counts and the position sums in
each colour. A zoom's cell is a block of whole cells of any grid that divides its
side, so the map adds up rows instead of reports:

- the filters choose the view: the first that splits by every filter set (the colour
  is always there; a kota or kecamatan is its kelurahan). The text search, the
  handling unit, and filters that no view splits by together, are answered from
  the reports, as before;
- the box is cut into blocks of whole cells of the largest grid of the view that
  divides the zoom's side, then the frame those blocks leave into blocks of smaller
  grids (each dividing the one before), down to grid 1, the rounded position
  itself. What no kept grid covers (a strip along the box's edges, for the views
  without grid 1) is grouped from the reports, with the same filters;
- a period is its whole months from a view split by month, and the days at its
  ends, in months it covers in part, from the view split by day (or from the
  reports). A period to today holds this month whole: nothing is received later.

All of Jakarta at zoom 11 is then a few hundred rows, whatever the filters the
summary splits by; the answer is the same as grouping the reports, cell for cell,
ties between two rounding steps included (the tests compare them). Three queries
at most: the summary, the reports it does not cover, the single reports when few.

Privacy: the public knows a report's place only to ``PUBLIC_COORDINATE_DECIMALS``
(about 100 m), so nothing here may depend on the exact one. Whether a report is in
the box is decided on its rounded position (the box's edges are snapped to the
rounding grid), cells are whole multiples of the rounding step, offset by half a
step, so a report's cell follows from its rounded position alone, and cluster
centres are rounded like every public coordinate (``public_point``). Asking about
ever smaller boxes therefore learns nothing finer than the rounded position.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import connections, router
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Floor
from django.urls import reverse
from django.utils import timezone

from complaints.models import MapCell
from complaints.public import (
    COLOUR_OF_STATUS,
    PUBLIC_COORDINATE_DECIMALS,
    colour_labels,
    public_point,
)
from complaints.selectors import start_of_day
from complaints.services.map_cells import (
    CATEGORY,
    CHANNEL,
    COLUMN_OF,
    DAY,
    KELURAHAN,
    MONTH,
    POSITION_UNITS,
    SPLIT_COLUMNS,
    VIEWS,
    View,
    day_number,
    month_number,
    position_units_expression,
    step_expression,
)
from routing.models import Area
from transparency.filters import COLOURS, STATUSES_OF_COLOUR

# A quarter of a 256-pixel tile: cells of about 64 pixels on screen.
CELLS_PER_TILE = 4
# At this zoom and above (a few streets on screen) the reports are shown one by one.
POINTS_ZOOM = 16
# A box with this many reports or fewer shows them one by one at any zoom.
POINTS_UNDER = 100
# Never more points than this in one answer.
POINTS_MAX = 500
# A box (as a client may send, not as a screen shows) is never cut into more than
# this many cells across: it bounds the number of clusters in one answer to about
# 64 × 64 whatever the box. A 4K screen is 60 cells across, so screens never meet it.
MAX_CELLS_ACROSS = 64
MAX_ZOOM = 19
# Rounding steps of public coordinates per degree: boxes and cells are counted in
# whole steps, for exact arithmetic on their edges.
STEPS_PER_DEGREE = 10**PUBLIC_COORDINATE_DECIMALS
COLOUR_NAMES = [colour for colour, _label in COLOURS]


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


@dataclass
class ReportMap:
    zoom: int
    total: int
    clusters: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    truncated: bool = False

    def as_json(self) -> dict:
        return {
            "zoom": self.zoom,
            "total": self.total,
            "clusters": self.clusters,
            "points": self.points,
            "truncated": self.truncated,
        }


def _reading():
    """The connection the public reads go to: a replica when there is one
    (config.routers), like the ORM's reads of the same request."""
    return connections[router.db_for_read(MapCell)]


def cell_steps(*, bbox: BBox, zoom: int) -> int:
    """The side of a grid cell at ``zoom``, in rounding steps, widened for a box
    too big for the zoom."""
    side = 360 / 2**zoom / CELLS_PER_TILE
    widest = max(bbox.east - bbox.west, bbox.north - bbox.south)
    side = max(side, widest / MAX_CELLS_ACROSS)
    # A whole number of rounding steps: see "Privacy" above.
    return math.ceil(side * STEPS_PER_DEGREE - 1e-9)


def _rounded_steps(low: float, high: float) -> tuple[int, int]:
    """The first and last rounding-grid lines in [low, high], in steps: the public
    (rounded) positions a box's edges take in."""
    first = math.ceil(low * STEPS_PER_DEGREE - 1e-9)
    last = math.floor(high * STEPS_PER_DEGREE + 1e-9)
    return first, last


# A rectangle of rounding-grid lines, in steps, both ends included:
# (south, north, west, east).
Rect = tuple[int, int, int, int]


def _within(south: int, north: int, west: int, east: int) -> Q:
    """The reports whose place (``step_of``) lies in a rectangle of grid lines (in
    steps, both ends included). ``lat_step`` and ``lng_step``, see ``_in_box``, are
    the expressions of the reports' map indexes."""
    return Q(lat_step__range=(south, north), lng_step__range=(west, east))


def _box_steps(bbox: BBox) -> Rect:
    return (
        *_rounded_steps(bbox.south, bbox.north),
        *_rounded_steps(bbox.west, bbox.east),
    )


def _in_box(reports: QuerySet, bbox: BBox) -> QuerySet:
    # Reports without coordinates (an officer chose only the kelurahan) have no
    # place on the map; the range filters leave them out as NULLs never match.
    # The steps are compared exactly as the summary computes them: both agree on
    # every report's place, ties between two steps included.
    return (
        reports.alias(
            lat_step=step_expression("latitude"), lng_step=step_expression("longitude")
        )
        .filter(_within(*_box_steps(bbox)))
        .order_by()
    )


def _grouped_reports(located: QuerySet, *, steps: int) -> dict[tuple, list]:
    """Cell → [count in each colour..., latitude sum, longitude sum], grouped from
    the reports (``located``: from ``_in_box``)."""
    colour_counts = {
        colour: Count("id", filter=Q(status__in=STATUSES_OF_COLOUR[colour]))
        for colour in COLOUR_NAMES
    }
    rows = (
        located.annotate(
            cell_y=Floor(F("lat_step") / Value(float(steps))),
            cell_x=Floor(F("lng_step") / Value(float(steps))),
        )
        .values("cell_y", "cell_x")
        .annotate(
            lat_sum=Sum(position_units_expression("latitude")),
            lng_sum=Sum(position_units_expression("longitude")),
            **colour_counts,
        )
        .order_by()
    )
    return {
        (int(row["cell_y"]), int(row["cell_x"])): [
            *(row[colour] for colour in COLOUR_NAMES),
            int(row["lat_sum"]),
            int(row["lng_sum"]),
        ]
        for row in rows
    }


def _as_clusters(cells: dict[tuple, list]) -> list[dict]:
    clusters = []
    for *counts, lat_sum, lng_sum in cells.values():
        count = sum(counts)
        if not count:
            continue
        lat, lng = public_point(
            lat_sum / count / POSITION_UNITS, lng_sum / count / POSITION_UNITS
        )
        clusters.append(
            {
                "lat": lat,
                "lng": lng,
                "count": count,
                "colours": dict(zip(COLOUR_NAMES, counts, strict=True)),
            }
        )
    # Largest first: the browser draws the big ones underneath.
    clusters.sort(key=lambda c: (-c["count"], c["lat"], c["lng"]))
    return clusters


def _clusters(located: QuerySet, *, steps: int) -> list[dict]:
    """The clusters grouped from the reports themselves."""
    return _as_clusters(_grouped_reports(located, steps=steps))


# -- from the cell counts summary ----------------------------------------------


@dataclass(frozen=True)
class _Part:
    """Some of the matching reports, summed from one view's rows (``rows``: SQL
    conditions on its columns, with their parameters) or, without a view, grouped
    from the reports. ``reports`` says which of the matching reports the part
    stands for (None: all of them)."""

    view: View | None
    rows: tuple[tuple[str, list], ...]
    reports: Q | None = None


@dataclass(frozen=True)
class _Plan:
    """How the summary answers a set of filters: its parts, and the colours."""

    parts: tuple[_Part, ...]
    colours: tuple[str, ...]


def _view(dimensions: set[str]) -> View | None:
    """The first view that splits by every one of ``dimensions``."""
    return next((v for v in VIEWS if dimensions <= v.dimensions), None)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _received(first: date, last: date) -> Q:
    return Q(
        created_at__gte=start_of_day(first), created_at__lt=start_of_day(last, days=1)
    )


# A period of up to this many months is given to the database as the list of its
# months: the index is then read for each month over the box's rows of cells only,
# where a range of months would read every cell of every month in it.
MONTHS_LISTED = 36


def _months(first: date | None, last: date | None) -> tuple[str, list]:
    """The condition on the summary's rows of the whole months from ``first`` to
    ``last`` (first days of months; either may be open)."""
    if first is not None:
        # Nothing is received after today (in WIB).
        end = last or timezone.localdate(timezone=timezone.get_default_timezone())
        months, month = [], first
        while month <= end and len(months) <= MONTHS_LISTED:
            months.append(month_number(month))
            month = _next_month(month)
        if len(months) <= MONTHS_LISTED:
            return _listed("period", months)
    bounds = []
    if first is not None:
        bounds.append(("period >= %s", [month_number(first)]))
    if last is not None:
        bounds.append(("period <= %s", [month_number(last)]))
    return " AND ".join(c for c, _p in bounds), [v for _c, p in bounds for v in p]


def _listed(column: str, values: list) -> tuple[str, list]:
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _period_parts(
    first: date | None, last: date | None, *, dimensions: set[str], rows: tuple
) -> list[_Part] | None:
    """The parts for a period: its whole months from a view split by month, the
    days at its ends (of months it covers in part) from one split by day, or from
    the reports when no view does; None when it holds no whole month and no view
    splits by day."""
    if last is not None and last >= timezone.localdate(
        timezone=timezone.get_default_timezone()
    ):
        # Nothing is received after today: a period to today (the commonest, "the
        # last 30 days") holds the whole of this month so far.
        last = None
    first_whole = first if first is None or first.day == 1 else _next_month(first)
    last_whole = (
        last
        if last is None or (last + timedelta(days=1)).day == 1
        else last.replace(day=1) - timedelta(days=1)
    )
    if first_whole and last_whole and first_whole > last_whole:
        whole, ends = None, [(first, last)]
    else:
        whole, ends = _months(first_whole, last_whole), []
        if first_whole and first_whole != first:
            ends.append((first, first_whole - timedelta(days=1)))
        if last_whole and last_whole != last:
            ends.append((last_whole + timedelta(days=1), last))
    parts = []
    if whole is not None:
        view = _view(dimensions | {MONTH})
        if view is None:
            return None
        received = None
        if ends:
            received = Q()
            if first_whole:
                received &= Q(created_at__gte=start_of_day(first_whole))
            if last_whole:
                received &= Q(created_at__lt=start_of_day(last_whole, days=1))
        parts.append(_Part(view, (*rows, whole), received))
    if ends:
        view = _view(dimensions | {DAY})
        if view is None and whole is None:
            return None
        days = _listed(
            "period",
            [
                day_number(a + timedelta(days=n))
                for a, b in ends
                for n in range((b - a).days + 1)
            ],
        )
        parts.append(
            _Part(view, (*rows, days), reduce(or_, (_received(a, b) for a, b in ends)))
        )
    return parts


def _plan(criteria: dict) -> _Plan | None:
    """The summary's answer to the public filters (a form's cleaned data), or None
    when the reports themselves must be grouped."""
    if criteria.get("q") or criteria.get("unit"):
        return None
    dimensions, rows = set(), []
    if criteria.get("category"):
        dimensions.add(CATEGORY)
        rows.append(("category_id = %s", [criteria["category"].pk]))
    if criteria.get("channel"):
        dimensions.add(CHANNEL)
        rows.append(("channel_id = %s", [criteria["channel"].pk]))
    if criteria.get("kelurahan"):
        dimensions.add(KELURAHAN)
        rows.append(("kelurahan_id = %s", [criteria["kelurahan"].pk]))
    area = _reading().ops.quote_name(Area._meta.db_table)
    if criteria.get("kecamatan"):
        dimensions.add(KELURAHAN)
        rows.append(
            (
                f"kelurahan_id IN (SELECT id FROM {area} WHERE parent_id = %s)",
                [criteria["kecamatan"].pk],
            )
        )
    if criteria.get("kota"):
        dimensions.add(KELURAHAN)
        rows.append(
            (
                f"kelurahan_id IN (SELECT k.id FROM {area} k JOIN {area} c "
                "ON k.parent_id = c.id WHERE c.parent_id = %s)",
                [criteria["kota"].pk],
            )
        )
    rows = tuple(rows)
    first, last = criteria.get("date_from"), criteria.get("date_to")
    if first or last:
        parts = _period_parts(first, last, dimensions=dimensions, rows=rows)
    else:
        view = _view(dimensions)
        parts = [_Part(view, rows)] if view else None
    if not parts:
        return None
    colour = criteria.get("colour")
    return _Plan(
        parts=tuple(parts), colours=(colour,) if colour else tuple(COLOUR_NAMES)
    )


def _chain(grids: tuple[int, ...], steps: int) -> list[int]:
    """The grids that cut a box at cells of ``steps``: the largest dividing it,
    then each next smaller one dividing the one before."""
    chain = []
    for grid in sorted(grids, reverse=True):
        if (chain[-1] if chain else steps) % grid == 0:
            chain.append(grid)
    return chain


def _inner(box: Rect, grid: int) -> Rect | None:
    """The largest block of whole cells of ``grid`` inside ``box`` (in steps), or
    None: from the first cell starting at or after an edge to the last ending at or
    before the other."""
    south, north, west, east = box
    south, west = -(-south // grid) * grid, -(-west // grid) * grid
    north, east = (north + 1) // grid * grid - 1, (east + 1) // grid * grid - 1
    if south > north or west > east:
        return None
    return south, north, west, east


def _frame(outer: Rect, inner: Rect | None) -> list[Rect]:
    """``outer`` less ``inner`` (inside it): four rectangles at most."""
    if inner is None:
        return [outer]
    south, north, west, east = outer
    in_south, in_north, in_west, in_east = inner
    pieces = [
        (south, in_south - 1, west, east),
        (in_north + 1, north, west, east),
        (in_south, in_north, west, in_west - 1),
        (in_south, in_north, in_east + 1, east),
    ]
    return [p for p in pieces if p[0] <= p[1] and p[2] <= p[3]]


def _blocks(box: Rect, chain: list[int]) -> tuple[list[tuple], list[Rect]]:
    """Cut ``box`` into blocks of whole cells of the grids of ``chain``: each
    grid's largest block inside the box, less the previous grid's (which is made
    of whole cells of it, as the grid divides the previous one), is a frame of four
    blocks at most; what the last grid leaves is the strips along the box's edges,
    which no grid of the chain covers. Blocks are (grid, first and last cell rows,
    first and last cell columns)."""
    blocks, covered = [], None
    for grid in chain:
        inner = _inner(box, grid)
        if inner is None:
            continue
        for south, north, west, east in _frame(inner, covered):
            blocks.append(
                (grid, south // grid, north // grid, west // grid, east // grid)
            )
        covered = inner
    return blocks, _frame(box, covered)


def _summed_cells(
    pieces: list[tuple[_Part, list[tuple]]], *, colours: tuple[str, ...], steps: int
) -> dict[tuple, list]:
    """Cell → [count in each colour..., latitude sum, longitude sum], summed from
    the summary's rows: for each part, those of its view in its blocks. Plain SQL:
    a dozen conditions are written faster than the ORM compiles them."""
    params: list = [float(steps), float(steps)]
    where = []
    for part, blocks in pieces:
        split = {COLUMN_OF[d] for d in part.view.dimensions}
        # The columns the view does not split by, at 0: said to the database,
        # they bound the runs of the index.
        conditions = [
            '"view" = %s',
            *(f"{c} = 0" for c in SPLIT_COLUMNS if c not in split),
        ]
        params.append(part.view.code)
        for condition, values in part.rows:
            conditions.append(condition)
            params.extend(values)
        ranges = []
        for block in blocks:
            ranges.append("(grid = %s AND y BETWEEN %s AND %s AND x BETWEEN %s AND %s)")
            params.extend(block)
        conditions.append(f"({' OR '.join(ranges)})")
        where.append(f"({' AND '.join(conditions)})")
    # A row's cell at this zoom: its first rounding step (y × grid) over the side,
    # an exact division of whole numbers, floored.
    sums = [f"SUM({c})" for c in colours] + [
        f"SUM({' + '.join(f'{c}_{axis}_sum' for c in colours)})"
        for axis in ("lat", "lng")
    ]
    sql = (
        "SELECT FLOOR(CAST(y * grid AS DOUBLE PRECISION) / %s), "
        "FLOOR(CAST(x * grid AS DOUBLE PRECISION) / %s), "
        f"{', '.join(sums)} FROM {MapCell._meta.db_table} "
        f"WHERE {' OR '.join(where)} GROUP BY 1, 2"
    )
    cells = {}
    with _reading().cursor() as cursor:
        cursor.execute(sql, params)
        for cell_y, cell_x, *values in cursor.fetchall():
            counts = dict(zip(colours, values, strict=False))
            cells[(int(cell_y), int(cell_x))] = [
                *(int(counts.get(colour, 0)) for colour in COLOUR_NAMES),
                int(values[-2]),
                int(values[-1]),
            ]
    return cells


def _in_strips(strips: list[Rect]) -> Q:
    return reduce(or_, (_within(*strip) for strip in strips))


def _clusters_from_summary(
    plan: _Plan, *, reports: QuerySet, bbox: BBox, steps: int
) -> list[dict]:
    box = _box_steps(bbox)
    if box[0] > box[1] or box[2] > box[3]:
        return []
    pieces, left = [], []
    for part in plan.parts:
        if part.view is None:
            left.append(part.reports)
            continue
        blocks, strips = _blocks(box, _chain(part.view.grids, steps))
        if blocks:
            pieces.append((part, blocks))
        if strips:
            in_strips = _in_strips(strips)
            left.append(in_strips if part.reports is None else in_strips & part.reports)
    cells = _summed_cells(pieces, colours=plan.colours, steps=steps) if pieces else {}
    if left:
        located = _in_box(reports, bbox).filter(reduce(or_, left))
        grouped = _grouped_reports(located, steps=steps)
        for cell, values in grouped.items():
            if cell in cells:
                cells[cell] = [a + b for a, b in zip(cells[cell], values, strict=True)]
            else:
                cells[cell] = values
    return _as_clusters(cells)


def _points(located: QuerySet) -> tuple[list[dict], bool]:
    # Newest first, but not by reading the index of receipt times backwards until
    # enough reports fall in the box, as PostgreSQL would for a LIMIT: a box holds
    # a small share of the city, so that reads tens of thousands of rows. Ordered
    # by an expression no index holds, the box's own index finds its reports.
    newest = Coalesce("created_at", "created_at")
    rows = list(
        located.order_by(newest.desc(), "-id").values_list(
            "ticket", "title", "status", "latitude", "longitude"
        )[: POINTS_MAX + 1]
    )
    labels = colour_labels()
    # One reverse() for all: a ticket is a plain path segment.
    url = reverse("transparency:report-detail", kwargs={"ticket": "TICKET"})
    before, after = url.split("TICKET")
    points = []
    for ticket, title, status, latitude, longitude in rows[:POINTS_MAX]:
        lat, lng = public_point(latitude, longitude)
        colour = COLOUR_OF_STATUS[status]
        points.append(
            {
                "ticket": ticket,
                "title": title,
                "lat": lat,
                "lng": lng,
                "colour": colour,
                "label": labels[colour],
                "url": before + ticket + after,
            }
        )
    return points, len(rows) > POINTS_MAX


def _count(plan: _Plan | None, *, reports, bbox: BBox, located: QuerySet) -> int:
    """The number of reports in the box: summed from the rounded positions
    (grid 1) when the filters' views keep them, else counted."""
    if plan is not None and all(p.view and 1 in p.view.grids for p in plan.parts):
        clusters = _clusters_from_summary(plan, reports=reports, bbox=bbox, steps=1)
        return sum(c["count"] for c in clusters)
    return located.count()


def report_map(
    *, reports: QuerySet, bbox: BBox, zoom: int, criteria: dict | None = None
) -> ReportMap:
    """The markers for ``reports`` (already filtered) in ``bbox`` at ``zoom``:
    clusters, or single reports when few or zoomed in.

    ``criteria`` are the public filters that made ``reports`` (the cleaned data of
    ``PublicReportFilter``): given, the clusters are summed from the cell counts
    summary where it can answer them; without them, grouped from the reports.
    Three queries at most: the summary, the reports it does not cover, the single
    reports; zoomed in, the single reports, and their number when more than are
    sent."""
    plan = _plan(criteria) if criteria is not None else None
    if zoom >= POINTS_ZOOM:
        located = _in_box(reports, bbox)
        points, truncated = _points(located)
        total = len(points)
        if truncated:
            total = _count(plan, reports=reports, bbox=bbox, located=located)
        return ReportMap(zoom=zoom, total=total, points=points, truncated=truncated)
    steps = cell_steps(bbox=bbox, zoom=zoom)
    if plan is None:
        clusters = _clusters(_in_box(reports, bbox), steps=steps)
    else:
        clusters = _clusters_from_summary(plan, reports=reports, bbox=bbox, steps=steps)
    total = sum(c["count"] for c in clusters)
    if 0 < total <= POINTS_UNDER:
        points, truncated = _points(_in_box(reports, bbox))
        return ReportMap(zoom=zoom, total=total, points=points, truncated=truncated)
    return ReportMap(zoom=zoom, total=total, clusters=clusters)
