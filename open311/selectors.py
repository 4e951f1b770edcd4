"""Reads for Open311: the services, the public service requests, the discovery
document, and the kelurahan an address names.

Service requests are the portal's public reports (``transparency.selectors``),
with the same public state and rounded point: nothing about the reporter.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from complaints.models import Category, Report, ReportPhoto
from complaints.public import public_state
from complaints.selectors import (
    OPEN_STATUSES,
    open_coordinations_prefetch,
    original_prefetch,
)
from routing.models import Area, Unit

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API's discovery document or service definitions last changed shape.
CHANGESET = "2026-11-22T00:00:00+07:00"
FORMATS = ["text/xml", "application/json"]
# Open311 knows two states: "open" (reported) and "closed" (resolved). A report is
# open while it is red or yellow on the portal; done (awaiting the reporter),
# closed, rejected and merged reports are closed.
STATUS_GROUPS = {
    "open": tuple(OPEN_STATUSES),
    "closed": tuple(s for s in Report.Status.values if s not in OPEN_STATUSES),
}
# The report's own columns a service request shows; its category, areas and units
# come in a query each over the page's few distinct ids (_requests).
REQUEST_FIELDS = [
    "id",
    "ticket",
    "description",
    "status",
    "created_at",
    "updated_at",
    "completion_due_at",
    "latitude",
    "longitude",
    "category",
    "area",
    "handling_unit",
    "rejection_reason",
    "needs_supervisor",
    "parent",
]


def _looks_like_id(text: str) -> bool:
    """Could be a code or a ticket: what is not is a 404 without a query (and a NUL
    would make PostgreSQL fail)."""
    return 0 < len(text) <= 40 and text.isprintable()


def open311_status(report: Report) -> str:
    return "open" if report.status in STATUS_GROUPS["open"] else "closed"


def services_active() -> QuerySet:
    """The categories a report can be filed in, in the portal's order."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("default_agency")
        .only(
            "id",
            "code",
            "name",
            "name_en",
            "description",
            "sort_order",
            "default_agency__name",
        )
        .order_by("sort_order", "name")
    )


def service_get(*, code: str) -> Category:
    """An active category by its code; 404 otherwise."""
    service = (
        services_active().filter(code=code).first() if _looks_like_id(code) else None
    )
    if service is None:
        raise Http404(_("No service has the code %(code)s.") % {"code": code})
    return service


def service_notice(category: Category) -> str:
    """What the city promises for a request of this service."""
    return _("A first response within %(hours)d hours; done within %(days)d days.") % {
        "hours": category.response_hours,
        "days": category.completion_days,
    }


def _first_evidence_image() -> Subquery:
    """An annotation: the stored name of a report's first evidence photo (the
    re-encoded copy the portal shows, without its metadata)."""
    return Subquery(
        ReportPhoto.objects.filter(
            report=OuterRef("pk"), kind=ReportPhoto.Kind.EVIDENCE
        )
        .order_by("position", "id")
        .values("image")[:1]
    )


def photo_url(name: str | None) -> str | None:
    """The URL (under MEDIA_URL) of a photo named by ``_first_evidence_image``."""
    if not name:
        return None
    return ReportPhoto._meta.get_field("image").storage.url(name)


# What a request reads of an open coordination: the unit's name.
COORDINATION_FIELDS = ("report_id", "unit__name", "invited_at")


def _requests() -> QuerySet:
    """Public reports as service requests: what ``public_state`` and the
    serializer read, nothing about the reporter.

    The reference rows (category, areas, units, a duplicate's original) come in a
    query each over the page's few distinct ids, not as joins: joining eight
    tables to a million-row one cost PostgreSQL more to plan than to run. Never
    the areas' boundaries."""
    return (
        Report.objects.only(*REQUEST_FIELDS)
        .annotate(first_photo=_first_evidence_image())
        .prefetch_related(
            Prefetch(
                "category",
                queryset=Category.objects.only(
                    "code", "name", "name_en", "response_hours", "completion_days"
                ),
            ),
            Prefetch(
                "area",
                queryset=Area.objects.select_related("parent__parent").only(
                    "code",
                    "name",
                    "postal_code",
                    "parent__name",
                    "parent__parent__name",
                ),
            ),
            Prefetch("handling_unit", queryset=Unit.objects.only("name")),
            open_coordinations_prefetch(*COORDINATION_FIELDS),
            original_prefetch(*COORDINATION_FIELDS),
        )
    )


@dataclass(frozen=True)
class RequestsPage:
    reports: list[Report]
    has_next: bool


def service_requests_public(
    *,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    page: int = 1,
    page_size: int | None = None,
) -> RequestsPage:
    """One page (of ``page_size``, else WARGA_OPEN311_PAGE_SIZE) of public service
    requests, newest
    first, each with its public state. ``ids`` (tickets) overrides every other
    filter, as the spec says."""
    rows = _requests()
    if ids:
        rows = rows.filter(ticket__in=[i.strip().upper() for i in ids])
    else:
        if start is not None:
            rows = rows.filter(created_at__gte=start)
        if end is not None:
            rows = rows.filter(created_at__lte=end)
        if service_codes:
            rows = rows.filter(category__code__in=service_codes)
        if statuses:
            rows = rows.filter(
                status__in=[s for group in statuses for s in STATUS_GROUPS[group]]
            )
    size = page_size or settings.WARGA_OPEN311_PAGE_SIZE
    offset = (page - 1) * size
    chunk = list(rows.order_by("-created_at", "-id")[offset : offset + size + 1])
    reports = chunk[:size]
    for report in reports:
        report.public = public_state(report)
    return RequestsPage(reports, has_next=len(chunk) > size)


def service_request_public(*, ticket: str) -> Report:
    """One public service request by its ticket; 404 otherwise."""
    found = (
        service_requests_public(ids=[ticket]).reports if _looks_like_id(ticket) else []
    )
    if not found:
        raise Http404(_("No service request has the id %(id)s.") % {"id": ticket})
    return found[0]


def discovery_document(*, endpoint_url: str) -> dict:
    contact = settings.WARGA_OPEN311_CONTACT or _(
        "Write to the Biro Pemerintahan of DKI Jakarta, who run this service."
    )
    key_service = settings.WARGA_OPEN311_KEY_SERVICE or _(
        "Ask the Biro Pemerintahan of DKI Jakarta for an integrator account for "
        "your channel: its API token is your api_key."
    )
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }


def _words(text: str) -> str:
    """Lower case words separated by single spaces, padded with a space at each
    end, so that " name " matches whole words only."""
    return " " + " ".join(re.findall(r"\w+", text.casefold())) + " "


def kelurahan_named_in(text: str) -> list[Area]:
    """The kelurahan whose name appears in ``text`` as whole words.

    A name inside a longer name found at the same place does not count ("Karet" in
    "Karet Kuningan"), and a kelurahan named like the kecamatan of another one
    found is taken as that kecamatan ("Cikini, Menteng" is Cikini, in the
    kecamatan Menteng). The caller decides what zero or several results mean."""
    words = _words(text)
    areas = (
        Area.objects.filter(level=Area.Level.KELURAHAN)
        .select_related("parent")
        .only("id", "code", "name", "parent__name")
    )
    found: list[tuple[int, int, Area]] = []
    for area in areas:
        name = _words(area.name)
        if len(name) <= 2:
            continue
        start = words.find(name)
        while start != -1:
            found.append((start, start + len(name), area))
            start = words.find(name, start + 1)
    # Drop a match lying inside a longer one.
    found = [
        (start, end, area)
        for start, end, area in found
        if not any(
            s <= start and end <= e and (e - s) > (end - start) for s, e, _a in found
        )
    ]
    matched = {area.id: area for _s, _e, area in found}
    if len(matched) > 1:
        matched = {
            pk: area
            for pk, area in matched.items()
            if not any(
                other.id != pk and other.parent.name.casefold() == area.name.casefold()
                for other in matched.values()
            )
        }
    return sorted(matched.values(), key=lambda a: a.code)
