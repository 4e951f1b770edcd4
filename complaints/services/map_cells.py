"""The public map's cell counts (``MapCell``): which rows a report counts in, kept
current as reports are filed and change colour, and rebuilt from the reports table
after a bulk load that bypassed the services.

The map (``transparency.selectors.map``) sums these rows instead of grouping every
report; its docstring says how a box becomes cells.

Cells. A report's place is its rounded position in whole rounding steps,
``FLOOR((latitude + STEP / 2) / STEP)`` (and the same for the longitude), and its
cell on a grid of ``g`` steps is that number divided by ``g``, floored. Both the
summary and the map's queries on the reports compute it so, in the same double
arithmetic, so that they agree on every report's cell, ties included. A cell of a
grid whose side is a multiple of ``g`` is a block of whole cells of grid ``g``: the
map adds up the cells of the largest kept grid that divides its zoom's side.

Views. Each view splits the counts by some of the public filters and keeps its own
grids (``VIEWS``): the map uses the first view that can answer its filters. The
colour is never a split: every row counts its reports in each colour.

Upkeep. A report's dimensions (place, kelurahan, category, channel, day received)
never change once it is filed; only its colour does. Filing adds the report to its
rows, a change of colour moves it between two colour columns of the same rows. Both
are one ``INSERT … ON CONFLICT DO UPDATE`` on the rows in key order (so that two
transactions lock shared rows in the same order), written last in the caller's
transaction to hold the row locks briefly: the coarsest cells are shared by the
whole city.
"""

import math
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Floor,
)
from django.utils import timezone

from complaints.models import MapCell, Report
from complaints.public import COLOUR_OF_STATUS, PUBLIC_COORDINATE_DECIMALS

STEPS_PER_DEGREE = 10**PUBLIC_COORDINATE_DECIMALS
HALF_STEP = 10**-PUBLIC_COORDINATE_DECIMALS / 2
COLOUR_COLUMNS = ("red", "yellow", "green", "grey")
STATUSES_OF_COLOUR = {
    colour: [s for s, c in COLOUR_OF_STATUS.items() if c == colour]
    for colour in COLOUR_COLUMNS
}
# The filters a view may split by. A period is the month (YYYYMM) or the day
# (YYYYMMDD) a report was received, in WIB.
KELURAHAN, CATEGORY, CHANNEL, MONTH, DAY = (
    "kelurahan",
    "category",
    "channel",
    "month",
    "day",
)
COLUMN_OF = {
    KELURAHAN: "kelurahan_id",
    CATEGORY: "category_id",
    CHANNEL: "channel_id",
    MONTH: "period",
    DAY: "period",
}
SPLIT_COLUMNS = ("kelurahan_id", "category_id", "channel_id", "period")
KEY_COLUMNS = ("view", "grid", "y", "x", *SPLIT_COLUMNS)


@dataclass(frozen=True)
class View:
    code: int
    dimensions: frozenset[str]
    grids: tuple[int, ...]


# The map's cell at zoom z is ceil(360 / 2**z / 4 / STEP) steps: 3 at zoom 15, 6 at
# 14, 11 at 13, 22 at 12, 44 at 11, 88 to 704 at 10 to 7 (multiples of 44), 1407 at
# 6, 2813 at 5, 5625 at 4 and its doublings below. Grids 3, 11 and 44 serve zooms 15
# to 7; 1407, 2813 and 5625 zooms 6 and below, where all of Jakarta is one or two
# cells. Grid 1, the rounded position itself, serves the strips that a box's edges
# cut out of larger cells. The views that split by something keep fewer grids (their
# rows are many more, and a filter leaves few reports in a strip): the map groups
# the reports themselves where a view has no grid. The days, asked for at the ends
# of a period only, keep the large grids alone. The map takes the first view
# that splits by every filter it is given: those with the fewest rows come first.
_LARGE = (44, 1407, 2813, 5625)
V = MapCell.View
VIEWS = (
    View(V.ALL, frozenset(), (1, 3, 11, *_LARGE)),
    View(V.CATEGORY, frozenset({CATEGORY}), (3, 11, *_LARGE)),
    View(V.KELURAHAN, frozenset({KELURAHAN}), (1, 3, 11, *_LARGE)),
    View(V.CHANNEL, frozenset({CHANNEL}), (11, *_LARGE)),
    View(V.MONTH, frozenset({MONTH}), (11, *_LARGE)),
    # The days of a month a period covers in part.
    View(V.DAY, frozenset({DAY}), _LARGE),
    View(V.KELURAHAN_CATEGORY, frozenset({KELURAHAN, CATEGORY}), (3, 11, *_LARGE)),
    View(V.KELURAHAN_CHANNEL, frozenset({KELURAHAN, CHANNEL}), (11, *_LARGE)),
    View(V.CATEGORY_MONTH, frozenset({CATEGORY, MONTH}), (11, *_LARGE)),
)


# complaints.models indexes the reports by these steps, written out there as
# thousandths (the models cannot import this): the tests hold the two together.


def step_of(value: float) -> int:
    """The rounding-grid line nearest a coordinate, in steps: its rounded position.
    The same double arithmetic as ``step_expression`` in the database, so that the
    summary and the reports always agree on a report's cell, ties included."""
    return math.floor((value + HALF_STEP) * STEPS_PER_DEGREE)


def step_expression(field: str):
    return Floor((F(field) + Value(HALF_STEP)) * Value(STEPS_PER_DEGREE))


# Positions are summed in ten-millionths of a degree (about a centimetre): whole
# numbers add up the same whatever the order, so the summary's sums equal the
# reports' to the unit and the rounded means agree, ties included.
POSITION_UNITS = 10**7


def position_units(value: float) -> int:
    return math.floor(value * POSITION_UNITS + 0.5)


def position_units_expression(field: str):
    """``position_units`` in the database, the same double arithmetic."""
    return Cast(Floor(F(field) * Value(POSITION_UNITS) + Value(0.5)), BigIntegerField())


def month_number(day) -> int:
    return day.year * 100 + day.month


def day_number(day) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _period_expression(dimension: str, field: str = "created_at"):
    wib = timezone.get_default_timezone()
    number = ExtractYear(field, tzinfo=wib) * 100 + ExtractMonth(field, tzinfo=wib)
    if dimension == DAY:
        number = number * 100 + ExtractDay(field, tzinfo=wib)
    return Cast(number, IntegerField())


def _keys(report: Report) -> list[tuple]:
    """The keys of the rows ``report`` counts in (it must have coordinates)."""
    received = timezone.localtime(report.created_at, timezone.get_default_timezone())
    values = {
        KELURAHAN: report.area_id,
        CATEGORY: report.category_id,
        CHANNEL: report.channel_id,
        MONTH: month_number(received),
        DAY: day_number(received),
    }
    y, x = step_of(report.latitude), step_of(report.longitude)
    keys = []
    for view in VIEWS:
        split = dict.fromkeys(SPLIT_COLUMNS, 0)
        for dimension in view.dimensions:
            split[COLUMN_OF[dimension]] = values[dimension]
        for grid in view.grids:
            keys.append((view.code, grid, y // grid, x // grid, *split.values()))
    return keys


VALUE_COLUMNS = tuple(
    column
    for colour in COLOUR_COLUMNS
    for column in (colour, f"{colour}_lat_sum", f"{colour}_lng_sum")
)


def _add(keys: list[tuple], deltas: dict[str, float]) -> None:
    """Add ``deltas`` (value column → amount) to each row of ``keys``, creating
    the rows that do not exist yet."""
    quote = connection.ops.quote_name
    table = quote(MapCell._meta.db_table)
    columns = ", ".join(quote(c) for c in KEY_COLUMNS + VALUE_COLUMNS)
    changed = [quote(c) for c in VALUE_COLUMNS if c in deltas]
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in changed)
    # Every value is a whole number, written into the statement as digits
    # (``int`` first, so nothing else can get in): with some 50 rows of 20
    # values, binding a thousand parameters cost the database driver more than
    # the database took to run the statement.
    amounts = ", ".join(str(int(deltas.get(c, 0))) for c in VALUE_COLUMNS)
    rows = ", ".join(
        "(" + ", ".join(str(int(v)) for v in key) + ", " + amounts + ")"
        for key in sorted(set(keys))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {rows} "
            f"ON CONFLICT ({', '.join(quote(c) for c in KEY_COLUMNS)}) "
            f"DO UPDATE SET {updates}"
        )


def _located(report: Report) -> bool:
    return report.latitude is not None and report.longitude is not None


def map_cells_report_filed(*, report: Report) -> None:
    """Count a newly filed report on the map. Call inside the filing transaction,
    as late as possible."""
    if not _located(report):
        return
    colour = COLOUR_OF_STATUS[report.status]
    _add(
        _keys(report),
        {
            colour: 1,
            f"{colour}_lat_sum": position_units(report.latitude),
            f"{colour}_lng_sum": position_units(report.longitude),
        },
    )


def map_cells_status_changed(*, report: Report, from_status: str) -> None:
    """Move a report between colours after its status changed from ``from_status``
    (nothing to do when the colour stays). Call inside the transition's
    transaction, as late as possible."""
    before, after = COLOUR_OF_STATUS[from_status], COLOUR_OF_STATUS[report.status]
    if before == after or not _located(report):
        return
    latitude = position_units(report.latitude)
    longitude = position_units(report.longitude)
    _add(
        _keys(report),
        {
            before: -1,
            f"{before}_lat_sum": -latitude,
            f"{before}_lng_sum": -longitude,
            after: 1,
            f"{after}_lat_sum": latitude,
            f"{after}_lng_sum": longitude,
        },
    )


SOURCE_TABLE = "map_cells_source"


def _source() -> QuerySet:
    """One row per located report with what the rows are keyed and summed by,
    computed as the upkeep computes them: steps, splits, colour (its index in
    ``COLOUR_COLUMNS``) and position units."""
    return (
        Report.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .annotate(
            s_y=Cast(step_expression("latitude"), IntegerField()),
            s_x=Cast(step_expression("longitude"), IntegerField()),
            s_month=_period_expression(MONTH),
            s_day=_period_expression(DAY),
            s_colour=Case(
                *(
                    When(status__in=STATUSES_OF_COLOUR[colour], then=Value(number))
                    for number, colour in enumerate(COLOUR_COLUMNS)
                ),
                output_field=IntegerField(),
            ),
            s_lat=position_units_expression("latitude"),
            s_lng=position_units_expression("longitude"),
        )
        .values(
            "s_y",
            "s_x",
            "area_id",
            "category_id",
            "channel_id",
            "s_month",
            "s_day",
            "s_colour",
            "s_lat",
            "s_lng",
        )
    )


def _floored(number: str, by: int) -> str:
    """Floored division of whole numbers in SQL (whose division truncates)."""
    return (
        f"CASE WHEN {number} >= 0 THEN {number} / {by} "
        f"ELSE -(({by} - 1 - {number}) / {by}) END"
    )


# The key's columns are the 3rd to 8th selected: what the grouping is by.
_GROUPED_BY = ", ".join(str(i) for i in range(3, 3 + 2 + len(SPLIT_COLUMNS)))


def _grouped_sql(view: View, grid: int) -> str:
    """The rows of one view and grid, grouped from the source table: plain SQL
    that PostgreSQL and SQLite read alike (whole numbers only)."""
    split = {
        "kelurahan_id": "area_id" if KELURAHAN in view.dimensions else "0",
        "category_id": "category_id" if CATEGORY in view.dimensions else "0",
        "channel_id": "channel_id" if CHANNEL in view.dimensions else "0",
        "period": "s_month"
        if MONTH in view.dimensions
        else "s_day"
        if DAY in view.dimensions
        else "0",
    }
    sums = []
    for number in range(len(COLOUR_COLUMNS)):
        sums += [
            f"SUM(CASE WHEN s_colour = {number} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN s_colour = {number} THEN s_lat ELSE 0 END)",
            f"SUM(CASE WHEN s_colour = {number} THEN s_lng ELSE 0 END)",
        ]
    selected = [
        str(view.code),
        str(grid),
        _floored("s_y", grid),
        _floored("s_x", grid),
        *(split[column] for column in SPLIT_COLUMNS),
        *sums,
    ]
    return f"SELECT {', '.join(selected)} FROM {SOURCE_TABLE} GROUP BY {_GROUPED_BY}"


def _rolled_up_sql(view: View, grid: int, finer: int) -> str:
    """The rows of one view and grid, summed from its rows of a finer grid whose
    side divides this one's: each cell is a block of whole finer cells."""
    ratio = grid // finer
    selected = [
        str(view.code),
        str(grid),
        _floored("y", ratio),
        _floored("x", ratio),
        *SPLIT_COLUMNS,
        *(f"SUM({c})" for c in VALUE_COLUMNS),
    ]
    return (
        f"SELECT {', '.join(selected)} FROM {MapCell._meta.db_table} "
        f"WHERE view = {view.code} AND grid = {finer} GROUP BY {_GROUPED_BY}"
    )


def map_cells_rebuild() -> int:
    """Recompute every row from the reports table, set-based, in one transaction:
    one pass over the reports into a narrow temporary table, then one grouped
    ``INSERT … SELECT`` per view and grid, from that table or, when a finer grid
    of the view divides the grid, from the rows just made for it (far fewer). The
    map reads the old rows until it commits; a report filed meanwhile waits for
    it, then adds itself to the new rows. Returns the number of rows."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in KEY_COLUMNS + VALUE_COLUMNS)
    insert = f"INSERT INTO {quote(MapCell._meta.db_table)} ({columns}) "
    source, params = _source().query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        MapCell.objects.all().delete()
        cursor.execute(f"CREATE TEMPORARY TABLE {SOURCE_TABLE} AS {source}", params)
        try:
            for view in VIEWS:
                done = []
                for grid in sorted(view.grids):
                    finer = [g for g in done if grid % g == 0]
                    if finer:
                        cursor.execute(insert + _rolled_up_sql(view, grid, max(finer)))
                    else:
                        cursor.execute(insert + _grouped_sql(view, grid))
                    done.append(grid)
        finally:
            cursor.execute(f"DROP TABLE {SOURCE_TABLE}")
    return MapCell.objects.count()
