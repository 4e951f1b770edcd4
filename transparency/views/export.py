"""Open data: the reports the list shows, as CSV and GeoJSON, streamed."""

import csv
import json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from complaints.models import Report
from transparency.filters import PublicReportFilter
from transparency.selectors.export import COLUMNS, COORDINATES, export_records

MAX_AGE = 300
# Rows sent to the server per write: one write per row is slow, all rows at once
# is the memory the stream is there to save.
ROWS_PER_WRITE = 500


class _Echo:
    """A file-like object whose write() hands back the line: csv.writer then
    produces one line at a time for the stream."""

    def write(self, value: str) -> str:
        return value


def _batched(pieces):
    batch = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


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


def _inert(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
    records = export_records(reports=filters.qs, url_of=_url_of(request))
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(COLUMNS)
        for record in records:
            yield writer.writerow([_inert(record[c]) for c in COLUMNS])

    return _stream(
        StreamingHttpResponse(
            _batched(lines()), content_type="text/csv; charset=utf-8"
        ),
        _filename("csv"),
    )


def _feature(record: dict) -> dict:
    latitude, longitude = (record[c] for c in COORDINATES)
    return {
        "type": "Feature",
        "geometry": None
        if latitude is None
        else {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {k: v for k, v in record.items() if k not in COORDINATES},
    }


@require_GET
def export_geojson(request):
    filters = _filters(request)
    if not filters.is_valid():
        return JsonResponse({"errors": _errors(filters)}, status=400)
    records = export_records(reports=filters.qs, url_of=_url_of(request))

    def chunks():
        yield '{"type": "FeatureCollection", "features": ['
        separator = "\n"
        for record in records:
            yield separator + json.dumps(_feature(record), ensure_ascii=False)
            separator = ",\n"
        yield "\n]}\n"

    return _stream(
        StreamingHttpResponse(_batched(chunks()), content_type="application/geo+json"),
        _filename("geojson"),
    )
