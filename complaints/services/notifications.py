"""Messages to reporters, supporters and followers."""

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.models import (
    Coordination,
    EmailDelivery,
    Follow,
    Report,
    ReportEvent,
    Support,
    UnitNotification,
)
from complaints.public import public_state
from complaints.services.follows import unsubscribe_token
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
    followed = _followed_reports(report)
    recipients = {
        address.lower(): (address, [])
        for address in _citizen_addresses(followed, exclude=event.actor)
    }
    if status_changed:
        # Followers hear when the status moves, not about every note.
        follows = Follow.objects.filter(
            Q(report__in=followed) | Q(area_id=report.area_id)
        )
        _followers_add(recipients, follows, exclude=event.actor)
    sent = 0
    for address, follows in recipients.values():
        sent += _email_once(event, address, follows=follows)
    return sent


def report_announce(*, report_id: int) -> int:
    """Email the citizens who follow the report's kelurahan that a new report was
    filed there. Safe to run twice. Returns the number of emails sent now."""
    report = Report.objects.select_related("area", "category", "reporter").get(
        pk=report_id
    )
    event = (
        ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.SUBMITTED)
        .select_related("report__area", "report__category")
        .first()
    )
    if event is None:
        return 0
    recipients: dict[str, tuple[str, list[Follow]]] = {}
    _followers_add(
        recipients,
        Follow.objects.filter(area_id=report.area_id),
        exclude=report.reporter,
        also_skip=report.reporter_email,
    )
    sent = 0
    for address, follows in recipients.values():
        sent += _email_once(event, address, follows=follows, template="new_report")
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


def _followed_reports(report: Report) -> list[Report]:
    """The report and the duplicates merged into it (their people follow this
    report now)."""
    followed, frontier = [report], [report.pk]
    while frontier and len(followed) < 500:  # duplicates of duplicates, bounded
        children = list(
            Report.objects.filter(parent_id__in=frontier).select_related("reporter")
        )
        followed += children
        frontier = [child.pk for child in children]
    return followed


def _citizen_addresses(followed: list[Report], *, exclude) -> list[str]:
    """The reporter, the citizens who support the report, and the reporters of the
    duplicates merged into it."""
    addresses = []
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


def _followers_add(recipients: dict, follows, *, exclude, also_skip: str = "") -> None:
    """Add the followers' addresses to ``recipients`` (lower-cased address ->
    (address, follows)), each with the follows its email lets them end."""
    skip = {
        (getattr(exclude, "email", "") or "").strip().lower(),
        (also_skip or "").strip().lower(),
    } - {""}
    follows = (
        follows.filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "area")
        # The report's own follows (no area) first, on every database.
        .order_by(F("area_id").asc(nulls_first=True), "pk")
    )
    if getattr(exclude, "pk", None) is not None:
        follows = follows.exclude(user_id=exclude.pk)
    for follow in follows:
        address = follow.user.email.strip()
        key = address.lower()
        if key in skip:
            continue
        recipients.setdefault(key, (address, []))[1].append(follow)


def _unsubscribe_links(follows: list[Follow]) -> list[dict]:
    links = []
    for follow in follows:
        url = settings.WARGA_SITE_URL + reverse(
            "transparency:unsubscribe", kwargs={"token": unsubscribe_token(follow)}
        )
        if follow.area_id:
            label = _("Stop emails about reports in Kelurahan %(name)s") % {
                "name": follow.area.name
            }
        else:
            label = _("Stop following this report")
        links.append({"label": label, "url": url})
    return links


def _email_once(
    event: ReportEvent,
    address: str,
    *,
    follows: list[Follow] = (),
    template: str = "event",
) -> int:
    """Send one email about ``event`` to ``address``, unless it was sent already.
    The email carries only public facts: the report as the portal shows it, and
    units, never a person."""
    report = event.report
    try:
        with transaction.atomic():
            EmailDelivery.objects.create(
                event=event, recipient=address, sent_at=timezone.now()
            )
            with translation.override(settings.LANGUAGE_CODE):
                unsubscribes = _unsubscribe_links(follows)
                context = {
                    "report": report,
                    "state": public_state(report),
                    "sentence": describe(event),
                    "note": event.note if event.is_public else "",
                    "tracking_url": settings.WARGA_SITE_URL + report.get_absolute_url(),
                    "unsubscribes": unsubscribes,
                }
                subject = render_to_string(
                    f"complaints/email/{template}_subject.txt", context
                )
                body = render_to_string(
                    f"complaints/email/{template}_body.txt", context
                )
            headers = {}
            if unsubscribes:
                # One click in the mail app ends the first follow (RFC 8058).
                headers = {
                    "List-Unsubscribe": f"<{unsubscribes[0]['url']}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
            # A failure here rolls the delivery row back, so a retry sends again.
            EmailMessage(
                " ".join(subject.split()), body, None, [address], headers=headers
            ).send()
    except IntegrityError:
        return 0  # already sent by an earlier run of this task
    return 1
