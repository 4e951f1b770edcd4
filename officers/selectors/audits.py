"""The audit queue for supervisors."""

from django.db.models import Prefetch, QuerySet

from complaints.models import ReportPhoto
from officers.models import AuditSample


def audit_queue() -> QuerySet:
    """Samples waiting for a verdict, oldest month first, with the follow-up's
    proof photos at hand."""
    return (
        AuditSample.objects.filter(verdict=AuditSample.Verdict.PENDING)
        .select_related("report__category", "report__area", "unit", "completion")
        .prefetch_related(
            Prefetch(
                "report__photos",
                queryset=ReportPhoto.objects.order_by("kind", "position", "id"),
            )
        )
        .order_by("month", "unit__name", "id")
    )
