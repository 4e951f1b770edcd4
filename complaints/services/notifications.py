"""Messages to reporters."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from complaints.models import (
    Coordination,
    EmailDelivery,
    Report,
    ReportEvent,
    Support,
    UnitNotification,
)
from complaints.public import public_state
from complaints.timeline import describe


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


def event_notify(*, event_id: int) -> int:
    """Tell the units concerned (in the back-office) and the citizens following the
    report (by email) about a timeline event. Safe to run twice: each unit and each
    address hears about an event once. Returns the number of emails sent now."""
    event = ReportEvent.objects.select_related(
        "report__handling_unit", "report__reporter", "unit", "target_unit", "actor"
    ).get(pk=event_id)
    report = event.report
    _units_notify(event)
    if not event.is_public:
        return 0
    status_changed = event.from_status != event.to_status
    worth_telling = (
        "follow_up",
        "decide_extension",
        "dispute",
        "duplicate_added",
        "reply",
    )
    if not (status_changed or event.action in worth_telling):
        return 0
    sent = 0
    for address in _citizen_addresses(report, exclude=event.actor):
        sent += _email_once(event, address)
    return sent


def _units_notify(event: ReportEvent) -> None:
    report = event.report
    unit_ids = {report.handling_unit_id, event.target_unit_id, report.disposed_from_id}
    unit_ids |= set(
        Coordination.objects.filter(report=report, ended_at__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    unit_ids.discard(None)
    unit_ids.discard(event.unit_id)  # the unit that acted knows
    UnitNotification.objects.bulk_create(
        [
            UnitNotification(unit_id=unit_id, event=event, created_at=event.created_at)
            for unit_id in sorted(unit_ids)
        ],
        ignore_conflicts=True,
    )


def _citizen_addresses(report: Report, *, exclude) -> list[str]:
    """The reporter, the citizens who support the report, and the reporters of the
    duplicates merged into it (they follow this report now)."""
    addresses = []
    followed, frontier = [report], [report.pk]
    while frontier and len(followed) < 500:  # duplicates of duplicates, bounded
        children = list(
            Report.objects.filter(parent_id__in=frontier).select_related("reporter")
        )
        followed += children
        frontier = [child.pk for child in children]
    for item in followed:
        addresses.append(item.reporter_email)
        if item.reporter_id:
            addresses.append(item.reporter.email)
    addresses += list(
        Support.objects.filter(report__in=followed).values_list(
            "user__email", flat=True
        )
    )
    skip = (getattr(exclude, "email", "") or "").lower()
    seen, result = set(), []
    for address in addresses:
        key = (address or "").strip().lower()
        if key and key != skip and key not in seen:
            seen.add(key)
            result.append(address.strip())
    return result


def _email_once(event: ReportEvent, address: str) -> int:
    report = event.report
    try:
        with transaction.atomic():
            EmailDelivery.objects.create(
                event=event, recipient=address, sent_at=timezone.now()
            )
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "report": report,
                    "state": public_state(report),
                    "sentence": describe(event),
                    "note": event.note if event.is_public else "",
                    "tracking_url": settings.WARGA_SITE_URL + report.get_absolute_url(),
                }
                subject = render_to_string(
                    "complaints/email/event_subject.txt", context
                )
                body = render_to_string("complaints/email/event_body.txt", context)
            # A failure here rolls the delivery row back, so a retry sends again.
            send_mail(" ".join(subject.split()), body, None, [address])
    except IntegrityError:
        return 0  # already sent by an earlier run of this task
    return 1
