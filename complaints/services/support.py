"""Citizens who say "me too" (saya juga mengalami)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaints.models import Report, Support


def support_add(*, actor, report: Report) -> bool:
    """Add the actor's support; False if they had already. Refused for the reporter
    and for reports no longer open."""
    if not actor.is_authenticated:
        raise ValidationError(_("Log in to support a report."))
    if report.reporter_id == actor.pk:
        raise ValidationError(_("You filed this report yourself."))
    if report.status in (Report.Status.REJECTED, Report.Status.MERGED):
        raise ValidationError(_("This report is no longer followed up."))
    try:
        with transaction.atomic():
            Support.objects.create(report=report, user=actor)
    except IntegrityError:
        return False
    return True
