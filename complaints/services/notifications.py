"""Messages to reporters."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from complaints.models import Report


def report_receipt_send(*, report_id: int) -> bool:
    """Email the reporter their ticket and tracking link, once. True if sent now."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("reporter", "category", "handling_unit")
            .get(pk=report_id)
        )
        if report.receipt_sent_at is not None:
            return False
        address = report.reporter_email or (
            report.reporter.email if report.reporter else ""
        )
        if not address:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "report": report,
                "tracking_url": settings.WARGA_SITE_URL + report.get_absolute_url(),
            }
            subject = render_to_string("complaints/email/receipt_subject.txt", context)
            body = render_to_string("complaints/email/receipt_body.txt", context)
        send_mail(" ".join(subject.split()), body, None, [address])
        report.receipt_sent_at = timezone.now()
        report.save(update_fields=["receipt_sent_at"])
    return True
