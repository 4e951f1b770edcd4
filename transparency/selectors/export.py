"""Open data: the public fields of reports, one row at a time.

The reports come from one streaming query (``values_list(...).iterator()``, a
server-side cursor on PostgreSQL) as plain tuples, a chunk at a time, so a year of
Jakarta leaves the server without ever being held in memory: no model instance, no
query per row. The reference lists (categories, channels, areas, units: a few
hundred rows) are read once, before the first report, and named from memory, so
the reports' query joins none of them and each row carries ids, not names.

Only public fields are read from the database: the reporter's name, contact
details and typed address, the survey's respondent and comment are never
selected, so they cannot leak.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db import connections, transaction
from django.db.models import CharField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from complaints.models import Category, Channel, Report
from complaints.public import COLOUR_OF_STATUS, public_point
from complaints.services.satisfaction import ELEMENT_FIELDS
from routing.models import Area, Unit

# Reports fetched per round trip to the database.
CHUNK_SIZE = 5000

# The columns of the export, in order; the GeoJSON properties are the same, less
# the coordinates, which make the geometry.
COLUMNS = [
    "ticket",
    "received_at",
    "category_code",
    "category",
    "channel_code",
    "channel",
    "kota",
    "kecamatan",
    "kelurahan_code",
    "kelurahan",
    "handling_unit_code",
    "handling_unit",
    "status",
    "colour",
    "latitude",
    "longitude",
    "completed_at",
    "closed_at",
    "disputes",
    "title",
    "url",
    "ikm_unit_code",
    *(f"ikm_{f}" for f in ELEMENT_FIELDS),
]
COORDINATES = ("latitude", "longitude")

# What is read of each report, in order: public fields only.
_FIELDS = [
    "ticket",
    "created_at",
    "category_id",
    "channel_id",
    "area_id",
    "handling_unit_id",
    "status",
    "latitude",
    "longitude",
    "completed_at",
    "closed_at",
    "dispute_count",
    "title",
    "survey__unit_id",
    *(f"survey__{f}" for f in ELEMENT_FIELDS),
]
TIMES = ("created_at", "completed_at", "closed_at")


def _isoformat_sql(column: str) -> RawSQL:
    """``column`` (a timestamp of the reports table) as the text
    ``timezone.localtime(value).isoformat()`` gives, written by PostgreSQL in the
    session's time zone (``export_lists`` sets it for its transaction): parsing
    three timestamps into Python objects, to write them out again, was most of the
    export's time. Microseconds only when there are any, as Python writes them."""
    return RawSQL(
        f'replace(to_char("{Report._meta.db_table}"."{column}", '
        "'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'), '.000000', '')",
        [],
        output_field=CharField(),
    )


def _dates_as_text(reports: QuerySet) -> bool:
    return connections[reports.db].vendor == "postgresql"


def export_rows(*, reports: QuerySet) -> QuerySet:
    """The export's query over already filtered reports, oldest first: the fields
    of ``_FIELDS``, the three times as text on PostgreSQL (see ``_isoformat_sql``).
    """
    reports = reports.order_by("created_at", "id")
    if not _dates_as_text(reports):
        return reports.values_list(*_FIELDS)
    reports = reports.annotate(**{f"{t}_text": _isoformat_sql(t) for t in TIMES})
    return reports.values_list(*(f"{f}_text" if f in TIMES else f for f in _FIELDS))


def _when(value: datetime | None) -> str | None:
    """ISO 8601 in WIB (+07:00), to the microsecond: the completion-time buckets
    recomputed from the export must fall exactly where the statistics put them."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat()


def _as_is(value):
    return value


def _references(db: str) -> tuple[dict, ...]:
    """Id → the export's cells for it: categories and channels (code, name),
    kelurahan (kota, kecamatan, code, name), units (code, name)."""
    categories = {
        pk: (code, name)
        for pk, code, name in Category.objects.using(db).values_list(
            "pk", "code", "name"
        )
    }
    channels = {
        pk: (code, name)
        for pk, code, name in Channel.objects.using(db).values_list(
            "pk", "code", "name"
        )
    }
    areas = {
        pk: (kota, kecamatan, code, name)
        for pk, kota, kecamatan, code, name in Area.objects.using(db).values_list(
            "pk", "parent__parent__name", "parent__name", "code", "name"
        )
    }
    units = {
        pk: (code, name)
        for pk, code, name in Unit.objects.using(db).values_list("pk", "code", "name")
    }
    return categories, channels, areas, units


def export_grouped(*, reports: QuerySet, url_of: str) -> Iterator[tuple]:
    """One tuple per report: the columns in the order of COLUMNS, but the runs of
    reference columns grouped, each a tuple shared by every report that has it:
    (category code, name), (channel code, name), (kota, kecamatan, kelurahan code,
    name), (unit code, name); and the survey's columns (unit code and scores) a
    tuple too, or None without a survey. ``None`` where there is no value.
    ``url_of`` is the report page's absolute URL with ``{ticket}`` in it.

    Read in a transaction of its own: a cursor held past a commit would make
    PostgreSQL compute every row before sending the first."""
    db = reports.db
    as_text = _dates_as_text(reports)
    when = _as_is if as_text else _when
    before, after = url_of.split("{ticket}")
    colour_of = COLOUR_OF_STATUS
    rows = export_rows(reports=reports)
    with transaction.atomic(using=db, savepoint=False):
        categories, channels, areas, units = _references(db)
        if as_text:
            with connections[db].cursor() as cursor:
                # For this transaction only: the times are written in WIB; and
                # the plan is chosen for reading every row, not the first few (a
                # cursor's default), as an export does.
                cursor.execute(
                    "SELECT set_config('TimeZone', %s, true), "
                    "set_config('cursor_tuple_fraction', '1', true)",
                    [timezone.get_default_timezone_name()],
                )
        for (
            ticket,
            created_at,
            category_id,
            channel_id,
            area_id,
            unit_id,
            status,
            latitude,
            longitude,
            completed_at,
            closed_at,
            disputes,
            title,
            survey_unit_id,
            *scores,
        ) in rows.iterator(chunk_size=CHUNK_SIZE):
            if latitude is None or longitude is None:
                latitude = longitude = None
            else:
                latitude, longitude = public_point(latitude, longitude)
            yield (
                ticket,
                when(created_at),
                categories[category_id],
                channels[channel_id],
                areas[area_id],
                units[unit_id],
                status,
                colour_of[status],
                latitude,
                longitude,
                when(completed_at),
                when(closed_at),
                disputes,
                title,
                before + ticket + after,
                None if survey_unit_id is None else (units[survey_unit_id][0], *scores),
            )


NO_SURVEY = (None,) * (1 + len(ELEMENT_FIELDS))


def export_lists(*, reports: QuerySet, url_of: str) -> Iterator[list]:
    """One list of values per report, in the order of COLUMNS; ``None`` where
    there is no value (``export_grouped``, flat)."""
    for (
        ticket,
        received_at,
        category,
        channel,
        area,
        unit,
        status,
        colour,
        latitude,
        longitude,
        completed_at,
        closed_at,
        disputes,
        title,
        url,
        survey,
    ) in export_grouped(reports=reports, url_of=url_of):
        yield [
            ticket,
            received_at,
            *category,
            *channel,
            *area,
            *unit,
            status,
            colour,
            latitude,
            longitude,
            completed_at,
            closed_at,
            disputes,
            title,
            url,
            *(survey or NO_SURVEY),
        ]
