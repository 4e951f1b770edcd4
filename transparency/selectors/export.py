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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
CHUNK_SIZE = 10_000

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


def _text_sql(column: str) -> RawSQL:
    """``column`` (a timestamp of the reports table) as PostgreSQL's own text for
    it, in the session's time zone (``export_chunks`` sets WIB for its
    transaction), e.g. ``2025-03-04 12:06:07.12+07``: the cheapest conversion
    there is (the one the wire protocol makes anyway), which ``iso_from_pg``
    turns into what ``isoformat()`` writes. Parsing three timestamps into Python
    objects, to write them out again, was most of the export's time; formatting
    them with ``to_char`` cost the database twice ``::text``."""
    return RawSQL(
        f'"{Report._meta.db_table}"."{column}"::text', [], output_field=CharField()
    )


# Zeros that pad PostgreSQL's fraction of a second (which it trims) to the six
# digits Python writes, by the length of the text "YYYY-MM-DD HH:MM:SS.f…+07".
_PAD = {length: "0" * (29 - length) for length in range(24, 30)}


def iso_from_pg(text: str | None) -> str | None:
    """PostgreSQL's ISO text of a timestamp with time zone (``2025-03-04
    12:06:07.12+07``) as Python's ``isoformat()`` writes the same moment in the
    same zone (``2025-03-04T12:06:07.120000+07:00``): a ``T``, the fraction (which
    PostgreSQL trims) to six digits when there is one, the offset with its
    minutes. Called for every time of every row: the common case (a whole-hour
    offset such as WIB's) comes first, in a few slices."""
    if text is None:
        return None
    length = len(text)
    if text[-3] in "+-":
        if length == 22:
            return f"{text[:10]}T{text[11:]}:00"
        if text[19] == "." and length in _PAD:
            return f"{text[:10]}T{text[11:-3]}{_PAD[length]}{text[-3:]}:00"
    # An offset with minutes or seconds (times before 1964 in Jakarta).
    if text[19] == ".":
        end = max(text.rfind("+"), text.rfind("-"))
        offset = text[end:]
        if len(offset) == 3:
            offset += ":00"
        return f"{text[:10]}T{text[11:19]}.{text[20:end]:0<6}{offset}"
    offset = text[19:]
    if len(offset) == 3:
        offset += ":00"
    return f"{text[:10]}T{text[11:19]}{offset}"


def _dates_as_text(reports: QuerySet) -> bool:
    return connections[reports.db].vendor == "postgresql"


def export_rows(*, reports: QuerySet) -> QuerySet:
    """The export's query over already filtered reports, oldest first: the fields
    of ``_FIELDS``, the three times as text on PostgreSQL (see ``_text_sql``)."""
    reports = reports.order_by("created_at", "id")
    if not _dates_as_text(reports):
        return reports.values_list(*_FIELDS)
    reports = reports.annotate(**{f"{t}_text": _text_sql(t) for t in TIMES})
    return reports.values_list(*(f"{f}_text" if f in TIMES else f for f in _FIELDS))


def _when(value: datetime | None) -> str | None:
    """ISO 8601 in WIB (+07:00), to the microsecond: the completion-time buckets
    recomputed from the export must fall exactly where the statistics put them."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat()


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


@dataclass(frozen=True)
class References:
    """What the rows of ``export_chunks`` name by id: id → (code, name) for
    categories, channels and units, (kota, kecamatan, code, name) for kelurahan;
    and ``when``, which makes a row's time the ISO 8601 text in WIB (None stays
    None)."""

    categories: dict
    channels: dict
    areas: dict
    units: dict
    when: Callable


def export_chunks(*, reports: QuerySet) -> Iterator[tuple[References, list[tuple]]]:
    """The reports' rows as read (the fields of ``_FIELDS``, the times as the
    database writes them), a chunk at a time, each with the same ``References``
    to name them: for writers that make their own cells from ids, once per id.

    Read in a transaction of its own: a cursor held past a commit would make
    PostgreSQL compute every row before sending the first."""
    db = reports.db
    as_text = _dates_as_text(reports)
    rows = export_rows(reports=reports)
    with transaction.atomic(using=db, savepoint=False):
        references = References(
            *_references(db), when=iso_from_pg if as_text else _when
        )
        if as_text:
            with connections[db].cursor() as cursor:
                # For this transaction only: the times are written in WIB (ISO
                # style, which ``iso_from_pg`` reads); the
                # plan is chosen for reading every row, not the first few (a
                # cursor's default), as an export does; and no JIT compilation,
                # which costs more than it saves on this plain scan.
                cursor.execute(
                    "SELECT set_config('TimeZone', %s, true), "
                    "set_config('cursor_tuple_fraction', '1', true), "
                    "set_config('jit', 'off', true), "
                    "set_config('DateStyle', 'ISO', true)",
                    [timezone.get_default_timezone_name()],
                )
        chunk = []
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            chunk.append(row)
            if len(chunk) >= CHUNK_SIZE:
                yield references, chunk
                chunk = []
        if chunk:
            yield references, chunk


def export_grouped(*, reports: QuerySet, url_of: str) -> Iterator[tuple]:
    """One tuple per report: the columns in the order of COLUMNS, but the runs of
    reference columns grouped, each a tuple shared by every report that has it:
    (category code, name), (channel code, name), (kota, kecamatan, kelurahan code,
    name), (unit code, name); and the survey's columns (unit code and scores) a
    tuple too, or None without a survey. ``None`` where there is no value.
    ``url_of`` is the report page's absolute URL with ``{ticket}`` in it."""
    before, after = url_of.split("{ticket}")
    colour_of = COLOUR_OF_STATUS
    for references, chunk in export_chunks(reports=reports):
        categories, channels = references.categories, references.channels
        areas, units, when = references.areas, references.units, references.when
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
        ) in chunk:
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
