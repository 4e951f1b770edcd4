"""Closing reports nobody disputed in time."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from complaints.models import Report
from complaints.workflow import Action, WorkflowError, transition

log = logging.getLogger(__name__)


def reports_close_expired(*, now=None) -> int:
    """Close every report done longer ago than the dispute window; returns how
    many. A report someone moves meanwhile is skipped, not an error."""
    limit = (now or timezone.now()) - timedelta(days=settings.WARGA_DISPUTE_WINDOW_DAYS)
    due = Report.objects.filter(
        status=Report.Status.DONE, needs_supervisor=False, completed_at__lte=limit
    ).values_list("pk", flat=True)
    closed = 0
    for report_id in list(due.iterator()):
        try:
            transition(
                actor=None, report_id=report_id, action=Action.AUTO_CLOSE, system=True
            )
            closed += 1
        except WorkflowError as exc:
            log.info("not closing report %s: %s", report_id, exc.message)
    return closed
