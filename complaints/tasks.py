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
