"""Likely duplicates of a report, for the officer who may merge it into one.

Listed whatever unit handles them: the same hole may have reached another unit
first. Opening one still follows ``reports_visible_to``."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef

from complaints.models import Report
from complaints.public import COLOUR_OF_STATUS
from complaints.selectors import (
    first_evidence_thumbnail,
    reports_open_near,
    thumbnail_url,
)
from officers.selectors import reports_visible_to

# A twin is a report received this close in time, before or after.
DUPLICATE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Candidate:
    report: Report
    distance: int  # metres
    colour: str
    thumbnail: str | None  # URL
    visible: bool  # the officer may open its workspace


def duplicates_likely(*, user, report: Report) -> list[Candidate]:
    """Open reports of the same category near this one and received within
    DUPLICATE_WINDOW of it, nearest first; a constant number of queries."""
    if report.latitude is None or report.longitude is None:
        return []
    rows = (
        Report.objects.select_related("handling_unit")
        .only(
            "id",
            "ticket",
            "title",
            "status",
            "created_at",
            "latitude",
            "longitude",
            "handling_unit__name",
        )
        .annotate(
            thumbnail_name=first_evidence_thumbnail(),
            visible=Exists(reports_visible_to(user).filter(pk=OuterRef("pk"))),
        )
    )
    nearest = reports_open_near(
        category=report.category,
        latitude=report.latitude,
        longitude=report.longitude,
        rows=rows,
        exclude_id=report.pk,
        received_between=(
            report.created_at - DUPLICATE_WINDOW,
            report.created_at + DUPLICATE_WINDOW,
        ),
    )
    return [
        Candidate(
            report=other,
            distance=round(distance),
            colour=COLOUR_OF_STATUS[other.status],
            thumbnail=thumbnail_url(other.thumbnail_name),
            visible=other.visible,
        )
        for other, distance in nearest
    ]
