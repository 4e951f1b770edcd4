"""Ticket numbers: human-friendly, unique, one sequence per month (WIB)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from complaints.models import TicketCounter


def ticket_next(*, at=None) -> str:
    """The next ticket, e.g. ``JKT-2611-000123``. Call inside the report's transaction:
    the counter row stays locked until it commits, so two submissions never share a
    number, and a rolled-back submission gives its number back."""
    # Months run in WIB whatever time zone a request may have activated.
    jakarta = timezone.get_default_timezone()
    period = timezone.localtime(at or timezone.now(), jakarta).strftime("%y%m")
    if not TicketCounter.objects.filter(period=period).exists():
        try:
            with transaction.atomic():
                TicketCounter.objects.create(period=period)
        except IntegrityError:
            pass  # another submission created this month's row first
    TicketCounter.objects.filter(period=period).update(last_number=F("last_number") + 1)
    number = TicketCounter.objects.get(period=period).last_number
    return f"{settings.WARGA_TICKET_PREFIX}-{period}-{number:06d}"
