"""Ticket numbers: human-friendly, unique, one sequence per month (WIB)."""

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from complaints.models import TicketCounter


def _increment(period: str) -> int | None:
    """Add one to the month's counter and return the new number, in one statement
    (``UPDATE … RETURNING``, PostgreSQL and SQLite alike); None when the month has
    no row yet."""
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "
            "WHERE period = %s RETURNING last_number",
            [period],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def ticket_next(*, at=None) -> str:
    """The next ticket, e.g. ``JKT-2611-000123``. Call inside the report's transaction:
    the counter row stays locked until it commits, so two submissions never share a
    number, and a rolled-back submission gives its number back."""
    # Months run in WIB whatever time zone a request may have activated.
    jakarta = timezone.get_default_timezone()
    period = timezone.localtime(at or timezone.now(), jakarta).strftime("%y%m")
    number = _increment(period)
    if number is None:
        try:
            with transaction.atomic():
                TicketCounter.objects.create(period=period)
        except IntegrityError:
            pass  # another submission created this month's row first
        number = _increment(period)
    return f"{settings.WARGA_TICKET_PREFIX}-{period}-{number:06d}"
