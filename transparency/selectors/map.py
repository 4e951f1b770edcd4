"""The public map's markers, clustered in the database.

How it works
------------
The visible box is cut into a grid of square cells. A cell's side, in degrees, is
a quarter of a 256-pixel map tile at the zoom asked for (``360 / 2**zoom / 4``),
so a cluster stands for about 64 × 64 pixels of screen whatever the zoom. The grid
is anchored at latitude 0, longitude 0, not at the box: a report stays in the same
cell while the map is panned, so clusters do not jump about.

One SQL query groups the matching reports in the box by cell,
``FLOOR(latitude / side), FLOOR(longitude / side)``, and returns for each cell the
number of reports, their mean position and the number in each public colour
(``COUNT(*) FILTER (WHERE status IN ...)``, which Django writes as ``CASE`` on
SQLite). Only cells with reports come back, so the answer is small however many
reports there are, and nothing but a few numbers per cell leaves the database.

When the box holds few reports (``POINTS_UNDER`` or fewer), or the map is zoomed
in to street level (``POINTS_ZOOM`` and above), the reports are sent one by one
instead, the newest first, at most ``POINTS_MAX`` of them (``truncated`` says when
more matched).

Why
---
The portal must stay fast with millions of reports. Sending them all to the
browser, or clustering them in Python on each request, reads every row into memory;
a ``GROUP BY`` leaves the work to the database and costs the same two queries at
most whatever the number of reports. At a million reports (issue 7) the per-cell
counts can be precomputed in a summary table of the same shape (zoom, cell,
colour counts) and this function read from it; its output stays the contract.

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

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Floor
from django.urls import reverse

from complaints.public import (
    COLOUR_OF_STATUS,
    PUBLIC_COORDINATE_DECIMALS,
    colour_labels,
    public_point,
)
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
# The rounding step of public coordinates, in degrees, and in thousandths-style
# integer units for exact arithmetic on the box's edges.
STEP = 10**-PUBLIC_COORDINATE_DECIMALS
STEPS_PER_DEGREE = 10**PUBLIC_COORDINATE_DECIMALS


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


def cell_degrees(*, bbox: BBox, zoom: int) -> float:
    """The side of a grid cell at ``zoom``, widened for a box too big for the zoom."""
    side = 360 / 2**zoom / CELLS_PER_TILE
    widest = max(bbox.east - bbox.west, bbox.north - bbox.south)
    side = max(side, widest / MAX_CELLS_ACROSS)
    # A whole number of rounding steps: see "Privacy" above.
    return math.ceil(side * STEPS_PER_DEGREE - 1e-9) / STEPS_PER_DEGREE


def _rounded_range(low: float, high: float) -> tuple[float, float]:
    """The exact values whose public (rounded) value lies in [low, high]: from half
    a step below the first grid line at or above ``low`` to half a step above the
    last one at or below ``high``."""
    first = math.ceil(low * STEPS_PER_DEGREE - 1e-9)
    last = math.floor(high * STEPS_PER_DEGREE + 1e-9)
    return (first - 0.5) / STEPS_PER_DEGREE, (last + 0.5) / STEPS_PER_DEGREE


def _in_box(reports: QuerySet, bbox: BBox) -> QuerySet:
    # Reports without coordinates (an officer chose only the kelurahan) have no
    # place on the map; the range filters leave them out as NULLs never match.
    south, north = _rounded_range(bbox.south, bbox.north)
    west, east = _rounded_range(bbox.west, bbox.east)
    return reports.filter(
        latitude__gte=south,
        latitude__lt=north,
        longitude__gte=west,
        longitude__lt=east,
    ).order_by()


def _clusters(located: QuerySet, *, side: float) -> list[dict]:
    colour_counts = {
        colour: Count("id", filter=Q(status__in=STATUSES_OF_COLOUR[colour]))
        for colour, _label in COLOURS
    }
    cells = (
        located.annotate(
            # Offset by half a step: a cell holds whole rounding squares.
            cell_y=Floor((F("latitude") + STEP / 2) / side),
            cell_x=Floor((F("longitude") + STEP / 2) / side),
        )
        .values("cell_y", "cell_x")
        .annotate(
            count=Count("id"),
            mean_lat=Avg("latitude"),
            mean_lng=Avg("longitude"),
            **colour_counts,
        )
        .order_by()
    )
    clusters = []
    for cell in cells:
        lat, lng = public_point(cell["mean_lat"], cell["mean_lng"])
        clusters.append(
            {
                "lat": lat,
                "lng": lng,
                "count": cell["count"],
                "colours": {colour: cell[colour] for colour, _label in COLOURS},
            }
        )
    # Largest first: the browser draws the big ones underneath.
    clusters.sort(key=lambda c: (-c["count"], c["lat"], c["lng"]))
    return clusters


def _points(located: QuerySet) -> tuple[list[dict], bool]:
    rows = list(
        located.order_by("-created_at", "-id").values_list(
            "ticket", "title", "status", "latitude", "longitude"
        )[: POINTS_MAX + 1]
    )
    labels = colour_labels()
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
                "url": reverse("transparency:report-detail", kwargs={"ticket": ticket}),
            }
        )
    return points, len(rows) > POINTS_MAX


def report_map(*, reports: QuerySet, bbox: BBox, zoom: int) -> ReportMap:
    """The markers for ``reports`` (already filtered) in ``bbox`` at ``zoom``:
    clusters, or single reports when few or zoomed in. Two queries at most."""
    located = _in_box(reports, bbox)
    if zoom >= POINTS_ZOOM:
        total = located.count()
        points, truncated = _points(located) if total else ([], False)
        return ReportMap(zoom=zoom, total=total, points=points, truncated=truncated)
    clusters = _clusters(located, side=cell_degrees(bbox=bbox, zoom=zoom))
    total = sum(c["count"] for c in clusters)
    if 0 < total <= POINTS_UNDER:
        points, truncated = _points(located)
        return ReportMap(zoom=zoom, total=total, points=points, truncated=truncated)
    return ReportMap(zoom=zoom, total=total, clusters=clusters)
