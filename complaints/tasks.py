"""django-q2 entry points: take ids, re-read, call a service, safe to run twice."""

from complaints.services.notifications import report_receipt_send


def report_send_receipt(report_id: int) -> None:
    report_receipt_send(report_id=report_id)
