"""Filing a report, whatever the channel: web form, officer desk or API."""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from complaints.models import (
    Category,
    Channel,
    Custody,
    Follow,
    Integrator,
    Report,
    ReportEvent,
    ReportPhoto,
)
from complaints.services.map_cells import map_cells_report_filed
from complaints.services.photos import (
    PhotoUpload,
    ProcessedPhoto,
    files_delete,
    photo_process,
    photo_rows_prepare,
)
from complaints.services.tickets import ticket_next
from officers.permissions import is_officer
from routing.locator import OutsideJakarta, locate_kelurahan, locator_reset
from routing.models import Area
from routing.selectors import NoHandlingUnit, handling_unit_for
from transparency.aggregates import aggregates_report_filed

logger = logging.getLogger(__name__)

TITLE_MAX = 150
# Room for a long account, or one 10,000-character word pasted whole: text is
# stored as written and escaped where it is shown.
DESCRIPTION_MAX = 10_000
ADDRESS_MAX = 255
EMAIL_MAX = 254


@dataclass(frozen=True)
class SubmitResult:
    report: Report
    created: bool


def _clean_text(
    errors: dict, field: str, value: str, *, max_length: int, required: bool
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > max_length:
        errors.setdefault(field, []).append(
            _("At most %(max)d characters (you wrote %(n)d).")
            % {"max": max_length, "n": len(value)}
        )
    elif "\x00" in value:
        # PostgreSQL cannot store it; every other character is kept as written
        # (markup included: pages escape it).
        errors.setdefault(field, []).append(_("Null characters are not allowed."))
    return value


def _existing(
    *, channel: Channel, integrator: Integrator | None, external_id: str, key: str
) -> Report | None:
    """The report first filed with this ``external_id`` in the channel, else with
    this idempotency key by the integrator: one query for both."""
    wanted = Q()
    if external_id:
        wanted |= Q(channel=channel, external_id=external_id)
    if key and integrator is not None:
        wanted |= Q(integrator=integrator, idempotency_key=key)
    if not wanted:
        return None
    found = list(Report.objects.filter(wanted).order_by("id")[:2])
    if len(found) > 1 and external_id:
        # Both matched, different reports: the external id wins, as it always has.
        return next(
            (
                r
                for r in found
                if r.channel_id == channel.pk and r.external_id == external_id
            ),
            found[0],
        )
    return found[0] if found else None


def report_submit(
    *,
    actor,
    channel: Channel,
    category: Category | None,
    title: str,
    description: str,
    photos: Sequence[PhotoUpload] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    location_source: str = Report.LocationSource.PIN,
    kelurahan: Area | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    public_name: str = "",
    integrator: Integrator | None = None,
    external_id: str = "",
    idempotency_key: str = "",
) -> SubmitResult:
    """File a report and route it. Raises ValidationError (a dict of field errors)
    and saves nothing, not even a file, when any input is unusable.

    The same ``(channel, external_id)`` or ``(integrator, idempotency_key)`` sent
    again returns the first report with ``created=False``.
    """
    external_id = (external_id or "").strip()
    idempotency_key = (idempotency_key or "").strip()
    existing = _existing(
        channel=channel,
        integrator=integrator,
        external_id=external_id,
        key=idempotency_key,
    )
    if existing is not None:
        return SubmitResult(existing, created=False)

    intake = _validated(
        actor=actor,
        channel=channel,
        category=category,
        title=title,
        description=description,
        photos=photos,
        latitude=latitude,
        longitude=longitude,
        location_source=location_source,
        kelurahan=kelurahan,
        address=address,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        reporter_phone=reporter_phone,
        public_name=public_name,
        integrator=integrator,
        external_id=external_id,
        idempotency_key=idempotency_key,
    )
    saved_files: list[str] = []
    committing = False
    try:
        report, photo_rows = _report_prepare(intake, saved_files)
        with transaction.atomic():
            _report_create(intake, report, photo_rows)
            committing = True
    except DatabaseError as exc:
        if committing and not isinstance(exc, IntegrityError):
            # The connection broke during COMMIT: the report may well be saved
            # (PostgreSQL killed after writing it, before answering). Its files
            # stay; if the report was not saved, they are orphans that the daily
            # photo audit (services/photo_audit.py) reports.
            logger.warning(
                "Report commit outcome unknown (%s); photo files kept: %s",
                exc.__class__.__name__,
                ", ".join(saved_files),
            )
            raise
        files_delete(saved_files)
        if not isinstance(exc, IntegrityError):
            raise
        # A retry that raced the first copy of the same request lost: give it the
        # report that won.
        existing = _existing(
            channel=channel,
            integrator=integrator,
            external_id=external_id,
            key=idempotency_key,
        )
        if existing is not None:
            return SubmitResult(existing, created=False)
        raise
    except BaseException:
        files_delete(saved_files)
        raise
    return SubmitResult(report, created=True)


@dataclass
class _Intake:
    """Everything a report needs, checked; nothing written yet."""

    actor: object  # the signed-in account that filed it (citizen, officer, API)
    fields: dict
    photos: list[ProcessedPhoto]
    # Whether anyone follows the kelurahan (read before the transaction: whoever
    # starts following meanwhile was not following when the report came).
    area_followed: bool


def _validated(
    *,
    actor,
    channel: Channel,
    category: Category | None,
    title: str,
    description: str,
    photos: Sequence[PhotoUpload],
    latitude,
    longitude,
    location_source: str,
    kelurahan: Area | None,
    address: str,
    reporter_name: str,
    reporter_email: str,
    reporter_phone: str,
    public_name: str,
    integrator: Integrator | None,
    external_id: str,
    idempotency_key: str,
) -> _Intake:
    """Check every input, decode the photos and route; raise ValidationError with
    every field's errors at once."""
    errors: dict[str, list[str]] = {}
    title = _clean_text(errors, "title", title, max_length=TITLE_MAX, required=True)
    description = _clean_text(
        errors, "description", description, max_length=DESCRIPTION_MAX, required=True
    )
    address = _clean_text(
        errors, "address", address, max_length=ADDRESS_MAX, required=False
    )
    reporter_name = _clean_text(
        errors, "reporter_name", reporter_name, max_length=120, required=False
    )
    public_name = _clean_text(
        errors, "public_name", public_name, max_length=60, required=False
    )
    reporter_phone = _clean_text(
        errors, "reporter_phone", reporter_phone, max_length=32, required=False
    )
    reporter_email = _clean_email(errors, reporter_email)
    if category is None or not category.is_active:
        errors.setdefault("category", []).append(_("Choose a category."))
    if not channel.is_active:
        errors.setdefault("channel", []).append(_("This channel is closed."))
    elif channel.is_offline and not is_officer(actor):
        # Desks, phone, letters and the press are typed in by officers only.
        errors.setdefault("channel", []).append(
            _("Only officers enter reports from this channel.")
        )
    if len(external_id) > 100 or len(idempotency_key) > 100:
        errors.setdefault("external_id", []).append(_("At most 100 characters."))

    signed_in = actor if actor is not None and actor.is_authenticated else None
    is_citizen_form = integrator is None and not channel.is_offline
    if is_citizen_form and signed_in is None and not (reporter_email or reporter_phone):
        errors.setdefault("reporter_email", []).append(
            _("Log in, or leave an email address or phone number so we can reach you.")
        )
    processed = _processed_photos(errors, photos, required=is_citizen_form)
    area, latitude, longitude, location_source = _resolve_location(
        errors,
        latitude=latitude,
        longitude=longitude,
        location_source=location_source,
        kelurahan=kelurahan,
        processed=processed,
    )
    unit = None
    if area is not None and category is not None and not errors:
        try:
            unit = handling_unit_for(category=category, kelurahan=area)
        except NoHandlingUnit as exc:
            errors.setdefault("location", []).append(str(exc))
    if errors:
        raise ValidationError(errors)

    return _Intake(
        actor=signed_in,
        fields={
            "title": title,
            "description": description,
            "category": category,
            "channel": channel,
            "latitude": latitude,
            "longitude": longitude,
            "location_source": location_source,
            "address": address,
            "area": area,
            "handling_unit": unit,
            # The account is the reporter only when its owner filed the report.
            "reporter": signed_in if is_citizen_form else None,
            "reporter_name": reporter_name,
            "reporter_email": reporter_email,
            "reporter_phone": reporter_phone,
            "public_name": public_name,
            "entered_by": signed_in if channel.is_offline else None,
            "integrator": integrator,
            "external_id": external_id,
            "idempotency_key": idempotency_key if integrator else "",
        },
        photos=processed,
        area_followed=Follow.objects.filter(area=area).exists(),
    )


def _clean_email(errors: dict, value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
            if len(value) > EMAIL_MAX:
                raise ValidationError("too long")
        except ValidationError:
            errors.setdefault("reporter_email", []).append(
                _("Enter a valid email address of at most %(max)d characters.")
                % {"max": EMAIL_MAX}
            )
    return value


def _processed_photos(
    errors: dict, photos: Sequence[PhotoUpload], *, required: bool
) -> list[ProcessedPhoto]:
    if len(photos) > settings.WARGA_MAX_PHOTOS:
        errors.setdefault("photos", []).append(
            _("At most %(n)d photos per report.") % {"n": settings.WARGA_MAX_PHOTOS}
        )
        return []
    if required and not photos:
        errors.setdefault("photos", []).append(_("Add at least one photo."))
        return []
    processed = []
    for upload in photos:
        try:
            processed.append(photo_process(data=upload.data, name=upload.name))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    return processed


def _report_prepare(intake: _Intake, saved_files: list[str]) -> tuple[Report, list]:
    """The report, unsaved and without its ticket, and its photos' rows, their
    files already written (every name into ``saved_files``, for the caller to
    delete if the report is not saved). Done before the transaction: the ticket
    counter, taken first in it, stays locked until it commits."""
    now = timezone.now()
    fields = intake.fields
    category = fields["category"]
    report = Report(
        created_at=now,
        assigned_at=now,
        response_due_at=now + timedelta(hours=category.response_hours),
        completion_due_at=now + timedelta(days=category.completion_days),
        **fields,
    )
    photo_rows = photo_rows_prepare(
        report=report,
        photos=intake.photos,
        kind=ReportPhoto.Kind.EVIDENCE,
        uploaded_by=intake.actor,
        first_position=0,
        saved_files=saved_files,
    )
    return report, photo_rows


def _report_create(intake: _Intake, report: Report, photo_rows: list) -> None:
    """Write the report, its photos' rows and its first timeline events, and count
    it. Runs inside the caller's transaction; only writes, the fewest statements
    between the ticket counter's lock and the commit."""
    now = report.created_at
    fields = intake.fields
    unit, area = fields["handling_unit"], fields["area"]
    report.ticket = ticket_next(at=now)
    report.save(force_insert=True)
    if photo_rows:
        ReportPhoto.objects.bulk_create(photo_rows)
    custody = Custody.objects.create(report=report, unit=unit, started_at=now)
    routed_by_area = unit.kind == unit.Kind.KELURAHAN and unit.area_id == area.id
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.SUBMITTED,
                actor=intake.actor,
                to_status=report.status,
                data={"channel": fields["channel"].code},
                created_at=now,
            ),
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.ROUTED,
                unit=unit,
                data={"reason": "area" if routed_by_area else "rule"},
                created_at=now,
            ),
        ]
    )
    report_id = report.id
    if intake.area_followed:
        transaction.on_commit(
            lambda: async_task("complaints.tasks.report_announce", report_id),
            robust=True,
        )
    if report.reporter_email or report.reporter_id:
        # robust: a failure to queue the receipt is logged, and never mistaken by
        # the caller for a failure to save the (committed) report.
        transaction.on_commit(
            lambda: async_task("complaints.tasks.report_send_receipt", report_id),
            robust=True,
        )
    # A new report is a status change for the integrators that may see it (the
    # unit's system learns of new work without polling).
    transaction.on_commit(
        lambda: async_task("complaints.tasks.webhooks_report_submitted", report_id),
        robust=True,
    )
    map_cells_report_filed(report=report)
    aggregates_report_filed(report=report, custody=custody)


def _resolve_location(
    errors: dict,
    *,
    latitude,
    longitude,
    location_source: str,
    kelurahan: Area | None,
    processed: list[ProcessedPhoto],
) -> tuple[Area | None, float | None, float | None, str]:
    if (latitude is None) != (longitude is None):
        errors.setdefault("location", []).append(
            _("Send both latitude and longitude, or neither.")
        )
        return None, None, None, location_source
    if latitude is not None:
        try:
            latitude, longitude = float(latitude), float(longitude)
        except (TypeError, ValueError):
            errors.setdefault("location", []).append(_("Coordinates must be numbers."))
            return None, None, None, location_source
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            errors.setdefault("location", []).append(_("Coordinates must be numbers."))
            return None, None, None, location_source
    elif kelurahan is not None:
        # An officer's explicit choice beats whatever GPS a photo carries.
        if kelurahan.level != Area.Level.KELURAHAN:
            errors.setdefault("location", []).append(_("Choose a kelurahan."))
            return None, None, None, location_source
        return kelurahan, None, None, Report.LocationSource.AREA
    else:
        tagged = next((p for p in processed if p.gps_latitude is not None), None)
        if tagged is not None:
            latitude, longitude = tagged.gps_latitude, tagged.gps_longitude
            location_source = Report.LocationSource.PHOTO
    if latitude is not None:
        try:
            located = locate_kelurahan(latitude=latitude, longitude=longitude)
        except OutsideJakarta as exc:
            errors.setdefault("location", []).append(str(exc))
            return None, None, None, location_source
        # With its parents (routing and the statistics walk up to the city), and
        # without the boundaries: a kelurahan's polygon is tens of kilobytes.
        area = (
            Area.objects.select_related("parent__parent__parent")
            .defer(
                "boundary",
                "parent__boundary",
                "parent__parent__boundary",
                "parent__parent__parent__boundary",
            )
            .filter(pk=located.area_id)
            .first()
        )
        if area is None:  # the boundaries changed under this process's index
            locator_reset()
            errors.setdefault("location", []).append(
                _("The map of areas was just updated: please send again.")
            )
            return None, None, None, location_source
        return area, latitude, longitude, location_source
    errors.setdefault("location", []).append(
        _(
            "Where is it? Put a pin on the map, use your location, "
            "or add a photo that has a GPS position."
        )
    )
    return None, None, None, location_source
