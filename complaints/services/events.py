"""Timeline events that change no status (warnings, escalations)."""

from django.db import transaction
from django_q.tasks import async_task

from complaints.models import Report, ReportEvent


def event_record(
    *,
    report: Report,
    action: str,
    at,
    actor=None,
    unit=None,
    target_unit=None,
    note: str = "",
    data: dict | None = None,
    is_public: bool = False,
) -> ReportEvent:
    """Append an event to the report's timeline (inside the caller's transaction)
    and tell the units concerned once it commits. The report's status and version
    stay as they are: an officer's open form is not made stale by a warning."""
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.ACTION,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=report.status,
        to_status=report.status,
        unit=unit,
        target_unit=target_unit,
        note=note,
        data=data or {},
        is_public=is_public,
        created_at=at,
    )
    transaction.on_commit(
        lambda: async_task("complaints.tasks.event_notify", event.pk), robust=True
    )
    return event
