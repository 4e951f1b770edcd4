"""Open data: the reports the list shows, as CSV and GeoJSON, streamed."""

import csv
import io
import json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from complaints.models import Report
from transparency.filters import PublicReportFilter
from transparency.selectors.export import (
    COLUMNS,
    COORDINATES,
    export_grouped,
    export_lists,
)

MAX_AGE = 300
# Rows sent to the server per write: one write per row is slow, all rows at once
# is the memory the stream is there to save.
ROWS_PER_WRITE = 1000


def _filters(request) -> PublicReportFilter:
    return PublicReportFilter(request.GET, queryset=Report.objects.all())


def _url_of(request) -> str:
    placeholder = "TICKET"
    url = reverse("transparency:report-detail", kwargs={"ticket": placeholder})
    return request.build_absolute_uri(url).replace(placeholder, "{ticket}")


def _errors(filters: PublicReportFilter) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in filters.errors.items()}


def _stream(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


# A citizen's title such as "=HYPERLINK(...)" would run as a formula when the file
# is opened in a spreadsheet: such text cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
# What makes csv.writer (QUOTE_MINIMAL) quote a field: the delimiter, the quote
# character, the line terminator's characters.
QUOTED_IF = frozenset(',"\r\n')
LINE_END = "\r\n"  # csv.writer's
_NO_SURVEY = "," * (len(COLUMNS) - COLUMNS.index("ikm_unit_code") - 1)


def _inert(value):
    if isinstance(value, str) and value and value[0] in FORMULA_FIRST:
        return "'" + value
    return value


def _text(value: str | None) -> str:
    """A text cell as csv.writer writes it, made inert first."""
    if not value:
        return ""
    value = _inert(value)
    if QUOTED_IF.isdisjoint(value):
        return value
    return '"' + value.replace('"', '""') + '"'


def _number(value) -> str:
    return "" if value is None else str(value)


class _CsvLines:
    """Export rows (``export_grouped``) as the lines csv.writer writes, text made
    inert, a few times faster: the runs of reference columns (category, channel,
    areas, unit) repeat from row to row, so each distinct run is written once, by
    csv.writer itself, and reused; the other cells are written here by the same
    rules (``_text``; the times, status and colour are the application's own and
    need no quoting)."""

    def __init__(self):
        self._runs: dict[tuple, str] = {}

    def _run(self, values: tuple) -> str:
        written = self._runs.get(values)
        if written is None:
            written = self._runs[values] = _written(values)
        return written

    def line(self, row: tuple) -> str:
        (
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
        ) = row
        run = self._run
        return ",".join(
            (
                _text(ticket),
                received_at or "",
                run(category),
                run(channel),
                run(area),
                run(unit),
                status,
                colour,
                _number(latitude),
                _number(longitude),
                completed_at or "",
                closed_at or "",
                _number(disputes),
                _text(title),
                _text(url),
                _NO_SURVEY
                if survey is None
                else ",".join((_text(survey[0]), *map(_number, survey[1:]))),
            )
        )


def _written(values) -> str:
    """Cells as csv.writer writes them (without the line's end), made inert."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_inert(v) for v in values])
    return buffer.getvalue()[: -len(LINE_END)]


def _filename(extension: str) -> str:
    return f"warga-reports-{timezone.localdate():%Y%m%d}.{extension}"


@require_GET
def export_csv(request):
    filters = _filters(request)
    if not filters.is_valid():
        lines = [
            f"{field}: {message}"
            for field, messages in _errors(filters).items()
            for message in messages
        ]
        return HttpResponse(
            "\n".join(lines) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = export_grouped(reports=filters.qs, url_of=_url_of(request))

    lines = _CsvLines()

    def chunks():
        batch = [",".join(COLUMNS)]
        for row in rows:
            batch.append(lines.line(row))
            if len(batch) >= ROWS_PER_WRITE:
                batch.append("")
                yield LINE_END.join(batch)
                batch.clear()
        batch.append("")
        yield LINE_END.join(batch)

    return _stream(
        StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8"),
        _filename("csv"),
    )


# Where each GeoJSON property is in an export row: every column but the
# coordinates, which make the geometry.
PROPERTIES = [(i, c) for i, c in enumerate(COLUMNS) if c not in COORDINATES]
LATITUDE, LONGITUDE = (COLUMNS.index(c) for c in COORDINATES)


def _feature(row: list) -> dict:
    latitude, longitude = row[LATITUDE], row[LONGITUDE]
    return {
        "type": "Feature",
        "geometry": None
        if latitude is None
        else {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {c: row[i] for i, c in PROPERTIES},
    }


@require_GET
def export_geojson(request):
    filters = _filters(request)
    if not filters.is_valid():
        return JsonResponse({"errors": _errors(filters)}, status=400)
    rows = export_lists(reports=filters.qs, url_of=_url_of(request))
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def chunks():
        yield '{"type": "FeatureCollection", "features": ['
        separator = "\n"
        batch = []
        for row in rows:
            batch.append(separator + encode(_feature(row)))
            separator = ",\n"
            if len(batch) >= ROWS_PER_WRITE:
                yield "".join(batch)
                batch.clear()
        batch.append("\n]}\n")
        yield "".join(batch)

    return _stream(
        StreamingHttpResponse(chunks(), content_type="application/geo+json"),
        _filename("geojson"),
    )
