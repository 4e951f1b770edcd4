"""Open data: the reports the list shows, as CSV and GeoJSON, streamed."""

import csv
import io
import json
from collections.abc import Iterator

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from complaints.models import Report
from complaints.public import COLOUR_OF_STATUS, PUBLIC_COORDINATE_DECIMALS
from transparency.filters import PublicReportFilter
from transparency.selectors.export import (
    COLUMNS,
    COORDINATES,
    export_chunks,
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
    """A text cell as csv.writer writes it, made inert first (``_inert``, inline:
    it runs for two cells of every row)."""
    if not value:
        return ""
    if value[0] in FORMULA_FIRST:
        value = "'" + value
    if QUOTED_IF.isdisjoint(value):
        return value
    return '"' + value.replace('"', '""') + '"'


def _number(value) -> str:
    return "" if value is None else str(value)


def _csv_lines(reports, url_of: str) -> Iterator[str]:
    """The export's rows (``export_chunks``) as the lines csv.writer writes them,
    text made inert, without the line ends; a few times faster than csv.writer:
    the cells named by an id (category, channel, areas, unit, the rated unit's
    code) are written once per id, by csv.writer itself; the status and colour
    once per status; the other cells here by the same rules (``_text``; the times
    and numbers need no quoting)."""
    before, after = url_of.split("{ticket}")
    # The URL is the ticket between two fixed parts: it needs quoting only where
    # the ticket does (it never starts like a formula: it starts with the scheme).
    fixed = before + after
    url_plain = bool(before) and QUOTED_IF.isdisjoint(fixed) and _text(before) == before
    # The statuses and colours are the application's own words: no quoting.
    status_cells = {s: f"{s},{colour}" for s, colour in COLOUR_OF_STATUS.items()}
    written = None
    for references, chunk in export_chunks(reports=reports):
        if references is not written:
            written = references
            when = references.when
            categories = {k: _written(v) for k, v in references.categories.items()}
            channels = {k: _written(v) for k, v in references.channels.items()}
            areas = {k: _written(v) for k, v in references.areas.items()}
            units = {k: _written(v) for k, v in references.units.items()}
            rated = {k: _text(v[0]) for k, v in references.units.items()}
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
            ticket_cell = _text(ticket)
            if url_plain and ticket_cell == ticket:
                url = before + ticket + after
            else:
                url = _text(before + ticket + after)
            if latitude is None or longitude is None:
                point = ","
            else:
                point = (
                    f"{round(latitude, PUBLIC_COORDINATE_DECIMALS)!r},"
                    f"{round(longitude, PUBLIC_COORDINATE_DECIMALS)!r}"
                )
            if survey_unit_id is None:
                survey = _NO_SURVEY
            elif None in scores:
                survey = ",".join((rated[survey_unit_id], *map(_number, scores)))
            else:
                survey = ",".join((rated[survey_unit_id], *map(str, scores)))
            yield (
                f"{ticket_cell},{when(created_at) or ''},{categories[category_id]},"
                f"{channels[channel_id]},{areas[area_id]},{units[unit_id]},"
                f"{status_cells[status]},{point},{when(completed_at) or ''},"
                f"{when(closed_at) or ''},{_number(disputes)},{_text(title)},"
                f"{url},{survey}"
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
    lines = _csv_lines(filters.qs, _url_of(request))

    def chunks():
        batch = [",".join(COLUMNS)]
        for line in lines:
            batch.append(line)
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
