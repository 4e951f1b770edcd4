""" "Fewer twins": the open reports a citizen about to file may be repeating.

Only public fields leave this module: no reporter's name or contact, no typed
address, no exact coordinates (distances are measured from the rounded point)."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Support
from complaints.public import public_state
from complaints.selectors import (
    first_evidence_thumbnail,
    reports_open_near,
    thumbnail_url,
)
from transparency.selectors import _public_reports

# A twin's distance is shown to the nearest this many metres: it is measured from
# a rounded point, so more digits would only look precise.
DISTANCE_STEP_METRES = 10


def twins_nearby(
    *, category: Category, latitude: float, longitude: float
) -> list[dict]:
    """The open reports of the category near the point, nearest first, as the
    public may see them. A constant number of queries, whatever their number."""
    supports = (
        Support.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = _public_reports().annotate(
        support_count=Coalesce(Subquery(supports), 0),
        thumbnail_name=first_evidence_thumbnail(),
    )
    nearest = reports_open_near(
        category=category,
        latitude=latitude,
        longitude=longitude,
        rows=rows,
        public=True,
    )
    twins = []
    for report, distance in nearest:
        state = public_state(report)
        twins.append(
            {
                "ticket": report.ticket,
                "title": report.title,
                "thumbnail": thumbnail_url(report.thumbnail_name),
                "colour": state.colour,
                "label": state.label,
                "reason": state.reason,
                "distance": int(
                    round(distance / DISTANCE_STEP_METRES) * DISTANCE_STEP_METRES
                ),
                "supports": report.support_count,
                "created": timezone.localdate(report.created_at).isoformat(),
                "url": report.get_absolute_url(),
                "support_url": reverse(
                    "transparency:report-act",
                    kwargs={"ticket": report.ticket, "action": "support"},
                ),
            }
        )
    return twins
