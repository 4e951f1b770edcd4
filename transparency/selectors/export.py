"""Open data: the public fields of reports, one row at a time.

The rows come from one streaming query (``values_list(...).iterator()``), so a year
of Jakarta leaves the server without ever being held in memory. Only public fields
are read from the database: the reporter's name, contact details and typed address,
the survey's respondent and comment are never selected, so they cannot leak.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from complaints.public import COLOUR_OF_STATUS, public_point
from complaints.services.satisfaction import ELEMENT_FIELDS

CHUNK_SIZE = 2000

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

# What is read from the database, in order: public fields only.
_FIELDS = [
    "ticket",
    "created_at",
    "category__code",
    "category__name",
    "channel__code",
    "channel__name",
    "area__parent__parent__name",
    "area__parent__name",
    "area__code",
    "area__name",
    "handling_unit__code",
    "handling_unit__name",
    "status",
    "latitude",
    "longitude",
    "completed_at",
    "closed_at",
    "dispute_count",
    "title",
    "survey__unit__code",
    *(f"survey__{f}" for f in ELEMENT_FIELDS),
]


def export_rows(*, reports: QuerySet) -> QuerySet:
    """The export's query over already filtered reports, oldest first."""
    return reports.order_by("created_at", "id").values_list(*_FIELDS)


def _when(value: datetime | None) -> str | None:
    """ISO 8601 in WIB (+07:00), to the microsecond: the completion-time buckets
    recomputed from the export must fall exactly where the statistics put them."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat()


def export_records(*, reports: QuerySet, url_of: str) -> Iterator[dict]:
    """One dict per report, keyed by COLUMNS; ``None`` where there is no value.
    ``url_of`` is the report page's absolute URL with ``{ticket}`` in it."""
    for row in export_rows(reports=reports).iterator(chunk_size=CHUNK_SIZE):
        (
            ticket,
            created_at,
            category_code,
            category,
            channel_code,
            channel,
            kota,
            kecamatan,
            kelurahan_code,
            kelurahan,
            unit_code,
            unit,
            status,
            latitude,
            longitude,
            completed_at,
            closed_at,
            disputes,
            title,
            ikm_unit_code,
            *scores,
        ) = row
        point = public_point(latitude, longitude)
        yield {
            "ticket": ticket,
            "received_at": _when(created_at),
            "category_code": category_code,
            "category": category,
            "channel_code": channel_code,
            "channel": channel,
            "kota": kota,
            "kecamatan": kecamatan,
            "kelurahan_code": kelurahan_code,
            "kelurahan": kelurahan,
            "handling_unit_code": unit_code,
            "handling_unit": unit,
            "status": status,
            "colour": COLOUR_OF_STATUS[status],
            "latitude": point[0] if point else None,
            "longitude": point[1] if point else None,
            "completed_at": _when(completed_at),
            "closed_at": _when(closed_at),
            "disputes": disputes,
            "title": title,
            "url": url_of.replace("{ticket}", ticket),
            "ikm_unit_code": ikm_unit_code,
            **{
                f"ikm_{field}": score
                for field, score in zip(ELEMENT_FIELDS, scores, strict=True)
            },
        }
