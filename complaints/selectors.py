"""Reads for the complaints app."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from complaints.models import (
    Category,
    Comment,
    Coordination,
    Integrator,
    Report,
    ReportEvent,
    ReportPhoto,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from complaints.public import (
    COLOUR_OF_STATUS,
    PUBLIC_COORDINATE_DECIMALS,
    public_point,
)
from routing.geo import bounding_box, nearest_within
from routing.models import Area

# Open: still red (waiting) or yellow (in process) for the public.
OPEN_STATUSES = tuple(
    status for status, colour in COLOUR_OF_STATUS.items() if colour in ("red", "yellow")
)
NEARBY_MAX = 5


def map_settings() -> dict:
    """What the map widgets need: the tile server and where Jakarta is."""
    return {
        "tile_url": settings.WARGA_MAP_TILE_URL,
        "attribution": settings.WARGA_MAP_TILE_ATTRIBUTION,
        "center": [-6.2, 106.83],
        "zoom": 11,
    }


def reports_open_near(
    *,
    category: Category,
    latitude: float,
    longitude: float,
    rows: QuerySet | None = None,
    exclude_id: int | None = None,
    received_between: tuple[datetime, datetime] | None = None,
    public: bool = False,
    limit: int = NEARBY_MAX,
) -> list[tuple[Report, float]]:
    """(report, metres) for the open reports of the category within
    WARGA_TWIN_RADIUS_METRES of the point, nearest first.

    One query over a bounding box (of ``rows``, which must load the coordinates;
    callers add what they show), then exact distances in Python on the few rows
    inside it. ``public``: measured from the rounded point the public sees, so that
    what the public learns of a report never depends on its exact location."""
    metres = settings.WARGA_TWIN_RADIUS_METRES
    # A rounded point moves by at most half a unit of its last decimal.
    margin = 0.5 * 10**-PUBLIC_COORDINATE_DECIMALS if public else 0.0
    box = bounding_box(
        latitude=latitude, longitude=longitude, metres=metres, margin_degrees=margin
    )
    rows = (rows if rows is not None else Report.objects.all()).filter(
        category=category,
        status__in=OPEN_STATUSES,
        latitude__range=(box.min_latitude, box.max_latitude),
        longitude__range=(box.min_longitude, box.max_longitude),
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    if received_between is not None:
        rows = rows.filter(created_at__range=received_between)
    where = public_point if public else lambda lat, lng: (lat, lng)
    return nearest_within(
        (
            (report, *where(report.latitude, report.longitude))
            for report in rows.order_by("pk")
        ),
        latitude=latitude,
        longitude=longitude,
        metres=metres,
        limit=limit,
    )


def first_evidence_thumbnail() -> Subquery:
    """An annotation: the stored name of a report's first evidence thumbnail."""
    return Subquery(
        ReportPhoto.objects.filter(
            report=OuterRef("pk"), kind=ReportPhoto.Kind.EVIDENCE
        )
        .order_by("position", "id")
        .values("thumbnail")[:1]
    )


def thumbnail_url(name: str | None) -> str | None:
    """The URL of a thumbnail named by ``first_evidence_thumbnail``."""
    if not name:
        return None
    return ReportPhoto._meta.get_field("thumbnail").storage.url(name)


def is_ticket(text: str) -> bool:
    """Whether ``text`` has the shape of a ticket number (``JKT-2611-000123``)."""
    parts = text.split("-")
    return len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit()


def reports_matching(reports: QuerySet, *, text: str) -> QuerySet:
    """The back-office's and the portal's search box: a ticket number finds that
    report; other text is looked for in titles and descriptions."""
    text = text.strip()
    if not text:
        return reports
    if is_ticket(text.upper()):
        return reports.filter(ticket=text.upper())
    return reports.filter(Q(title__icontains=text) | Q(description__icontains=text))


def start_of_day(day: date, *, days: int = 0) -> datetime:
    """Midnight WIB of ``day`` (plus ``days``): the city counts days in its own
    time, whatever time zone a request may have activated."""
    return timezone.make_aware(
        datetime.combine(day + timedelta(days=days), time.min),
        timezone.get_default_timezone(),
    )


def reports_received_between(
    reports: QuerySet, *, first: date | None, last: date | None
) -> QuerySet:
    """The reports received from the start of ``first`` to the end of ``last``
    (both days included, in WIB); either may be left open."""
    if first:
        reports = reports.filter(created_at__gte=start_of_day(first))
    if last:
        reports = reports.filter(created_at__lt=start_of_day(last, days=1))
    return reports


def integrator_of(user) -> Integrator | None:
    """The active integrator behind an API user, or None for everyone else."""
    if user is None or not user.is_authenticated:
        return None
    try:
        integrator = user.integrator
    except Integrator.DoesNotExist:
        return None
    return integrator if integrator.is_active else None


def reports_for_integrator(integrator: Integrator) -> QuerySet:
    """The reports an integrator may read: those it filed, those that came in
    through its channel, and (for a unit's system) those its unit's officers may
    open: handled by the unit, sent away by it, or coordinated with it now."""
    seen = Q(integrator=integrator)
    if integrator.channel_id is not None:
        seen |= Q(channel_id=integrator.channel_id)
    if integrator.unit_id is not None:
        unit = integrator.unit_id
        seen |= (
            Q(handling_unit_id=unit)
            | Q(disposed_from_id=unit)
            | Q(
                pk__in=Coordination.objects.filter(
                    unit_id=unit, ended_at__isnull=True
                ).values("report_id")
            )
        )
    return Report.objects.filter(seen)


def open_coordinations_prefetch(*fields: str) -> Prefetch:
    """A report's open coordinations, oldest first, as ``open_coordinations``
    (``public_state()`` names their units); ``fields`` narrows what is read."""
    queryset = Coordination.objects.filter(ended_at__isnull=True).select_related("unit")
    if fields:
        queryset = queryset.only(*fields)
    return Prefetch(
        "coordination_set",
        queryset=queryset.order_by("invited_at", "id"),
        to_attr="open_coordinations",
    )


def original_prefetch(*coordination_fields: str) -> Prefetch:
    """What ``public_state()`` of a duplicate reads of its original, whose state
    it quotes."""
    return Prefetch(
        "parent",
        queryset=Report.objects.select_related("handling_unit")
        .only(
            "ticket",
            "status",
            "rejection_reason",
            "needs_supervisor",
            "parent_id",
            "handling_unit__name",
        )
        .prefetch_related(open_coordinations_prefetch(*coordination_fields)),
    )


def _areas_named() -> Prefetch:
    """A report's kelurahan with its kecamatan and kota: codes and names only,
    never the boundaries (large GeoJSON, slow to decode)."""
    return Prefetch(
        "area",
        queryset=Area.objects.select_related("parent__parent").only(
            "code",
            "name",
            "parent__code",
            "parent__name",
            "parent__parent__code",
            "parent__parent__name",
        ),
    )


def _with_references(reports: QuerySet) -> QuerySet:
    """The reference rows a report's API answer names (category, channel, areas,
    units, a duplicate's original), each in one query over the few distinct ids
    of the page rather than as joins: joining eight tables to a million-row one
    cost PostgreSQL more to plan than to run."""
    return reports.prefetch_related(
        "category",
        "channel",
        _areas_named(),
        "handling_unit",
        open_coordinations_prefetch(),
        original_prefetch(),
    ).order_by("-created_at", "-id")


def reports_for_integrator_listed(integrator: Integrator) -> QuerySet:
    """The integrator's reports with what a list row shows, newest first."""
    return _with_references(reports_for_integrator(integrator)).defer(
        "description",
        "address",
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "public_name",
        "entered_by",
        "idempotency_key",
        "assigned_at",
        "receipt_sent_at",
        "disposed_from",
        "planned_completion_at",
        "first_response_at",
        "dispute_count",
        "ping_pong",
    )


def report_for_integrator(*, integrator: Integrator, ticket: str) -> Report:
    """One report with everything its API page shows, or 404 when the integrator
    may not see it (the same answer as for a ticket that does not exist)."""
    report = (
        _with_references(reports_for_integrator(integrator))
        .select_related("disposed_from")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=ReportPhoto.objects.order_by("kind", "position", "id"),
            )
        )
        .filter(ticket=(ticket or "").strip().upper())
        .first()
    )
    if report is None:
        raise Http404
    return report


def events_for_integrator(*, integrator: Integrator, report: Report) -> QuerySet:
    """The report's timeline: the public events, and the internal ones too for
    the system of a unit working on the report (its officers see them)."""
    events = (
        ReportEvent.objects.filter(report=report)
        .select_related("unit", "target_unit")
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("position", "id"))
        )
        .order_by("created_at", "id")
    )
    if not _works_on(integrator, report):
        events = events.filter(is_public=True)
    return events


def _works_on(integrator: Integrator, report: Report) -> bool:
    unit = integrator.unit_id
    if unit is None:
        return False
    return (
        report.handling_unit_id == unit
        or report.disposed_from_id == unit
        or any(c.unit_id == unit for c in report.open_coordinations)
    )


def comments_of(*, report: Report) -> QuerySet:
    return (
        Comment.objects.filter(report=report)
        .select_related("author_unit", "hidden_by_unit")
        .order_by("created_at", "id")
    )


def webhooks_of(integrator: Integrator) -> QuerySet:
    """The integrator's own webhooks, oldest first."""
    return Webhook.objects.filter(integrator=integrator).order_by("created_at", "id")


def deliveries_of(webhook: Webhook) -> QuerySet:
    """A webhook's delivery log, newest first, each with its attempts."""
    return (
        WebhookDelivery.objects.filter(webhook=webhook)
        .prefetch_related(
            Prefetch(
                "attempt_log", queryset=WebhookAttempt.objects.order_by("attempted_at")
            )
        )
        .order_by("-created_at", "-id")
    )
