"""django-q2 entry points: take ids, re-read, call a service, safe to run twice."""

from complaints.services.notifications import event_notify as _event_notify
from complaints.services.notifications import report_announce as _report_announce
from complaints.services.notifications import report_receipt_send


def report_send_receipt(report_id: int) -> None:
    report_receipt_send(report_id=report_id)


def event_notify(event_id: int) -> None:
    _event_notify(event_id=event_id)


def report_announce(report_id: int) -> None:
    """Tell the followers of the kelurahan about a new report there."""
    _report_announce(report_id=report_id)


def reports_close_expired() -> int:
    """Close the reports whose dispute window has passed (scheduled hourly)."""
    from complaints.services.closing import reports_close_expired as close

    return close()


def webhooks_fan_out(event_id: int) -> int:
    """Create and queue the webhook deliveries of a timeline event."""
    from complaints.services.webhooks import event_fan_out

    return event_fan_out(event_id=event_id)


def webhooks_report_submitted(report_id: int) -> int:
    """Create and queue the webhook deliveries of a new report."""
    from complaints.services.webhooks import report_submitted_fan_out

    return report_submitted_fan_out(report_id=report_id)


def webhook_delivery_send(delivery_id: int) -> bool:
    """Try one webhook delivery if it is due (does nothing if it is not)."""
    from complaints.services.webhooks import delivery_send

    return delivery_send(delivery_id=delivery_id)


def webhook_deliveries_send_due() -> int:
    """Queue the webhook deliveries whose next try is due (every minute)."""
    from complaints.services.webhooks import deliveries_send_due

    return deliveries_send_due()


def photo_files_audit() -> dict:
    """Find orphan photo files and rows whose file is missing (scheduled daily);
    logs what it finds, deletes nothing."""
    from complaints.services.photo_audit import photo_files_audit as audit

    return audit().as_dict()
