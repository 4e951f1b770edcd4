"""Filing an Open311 service request: the spec's arguments turned into a report
filed through ``report_submit``, as every other channel files one."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from complaints.models import Category, Integrator, Report
from complaints.services.intake import TITLE_MAX, SubmitResult, report_submit
from complaints.services.photos import photo_fetch
from open311.selectors import kelurahan_named_in
from routing.models import Area

# The start of the description that goes into the report's title.
TITLE_START = 60
# report_submit's field names → the Open311 argument the client sent.
ARGUMENT_OF_FIELD = {
    "title": "description",
    "address": "address_string",
    "reporter_name": "first_name",
    "reporter_email": "email",
    "reporter_phone": "phone",
    "category": "service_code",
    "photos": "media_url",
    "external_id": "Idempotency-Key",
    "channel": "api_key",
}


class UnknownService(LookupError):
    """No active service has the service_code: the spec answers 404."""


def report_title(*, category: Category, description: str) -> str:
    """The service's name and the start of the description, within TITLE_MAX."""
    text = " ".join(description.split())
    room = min(TITLE_START, TITLE_MAX - len(category.name) - 2)
    if len(text) > room:
        text = text[: room - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
    return f"{category.name}: {text}" if text and room > 1 else category.name


def service_request_submit(
    *,
    actor,
    integrator: Integrator,
    service_code: str,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    address_string: str = "",
    address_id: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    media_url: str = "",
    idempotency_key: str = "",
) -> SubmitResult:
    """File a service request into the integrator's channel. Raises UnknownService,
    or ValidationError keyed by the Open311 arguments, and then saves nothing.

    The location is lat and long, else the kelurahan of ``address_id`` (its
    Kemendagri code), else the one kelurahan named in ``address_string``. The
    photo at ``media_url`` is downloaded only for a request not filed before under
    the same ``idempotency_key``."""
    idempotency_key = (idempotency_key or "").strip()
    if idempotency_key:
        earlier = Report.objects.filter(
            integrator=integrator, idempotency_key=idempotency_key
        ).first()
        if earlier is not None:
            return SubmitResult(earlier, created=False)
    category = Category.objects.filter(code=service_code, is_active=True).first()
    if category is None:
        raise UnknownService(
            _("No service has the code %(code)s.") % {"code": service_code}
        )
    kelurahan = _kelurahan(
        latitude=latitude,
        longitude=longitude,
        address_string=address_string,
        address_id=address_id,
    )
    photos = []
    if media_url:
        try:
            photos = [photo_fetch(url=media_url)]
        except ValidationError as exc:
            raise ValidationError({"media_url": exc.messages}) from exc
    try:
        return report_submit(
            actor=actor,
            channel=integrator.channel,
            category=category,
            title=report_title(category=category, description=description),
            description=description,
            photos=photos,
            latitude=latitude,
            longitude=longitude,
            location_source=Report.LocationSource.CHANNEL,
            kelurahan=kelurahan,
            address=address_string,
            reporter_name=" ".join(n for n in (first_name, last_name) if n),
            reporter_email=email,
            reporter_phone=phone,
            integrator=integrator,
            idempotency_key=idempotency_key,
        )
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            argument = ARGUMENT_OF_FIELD.get(field, field)
            for message in messages:
                if message not in errors.setdefault(argument, []):
                    errors[argument].append(message)
        raise ValidationError(errors) from exc


def _kelurahan(
    *,
    latitude: float | None,
    longitude: float | None,
    address_string: str,
    address_id: str,
) -> Area | None:
    """The kelurahan the request names when it sends no coordinates."""
    if latitude is not None and longitude is not None:
        return None
    if latitude is not None or longitude is not None:
        missing = "long" if longitude is None else "lat"
        raise ValidationError({missing: [_("Send both lat and long, or neither.")]})
    if address_id:
        area = Area.objects.filter(
            level=Area.Level.KELURAHAN, code=address_id.strip()
        ).first()
        if area is None:
            raise ValidationError(
                {
                    "address_id": [
                        _(
                            "%(id)s is not the Kemendagri code of a kelurahan "
                            "(e.g. 31.71.01.1001)."
                        )
                        % {"id": address_id}
                    ]
                }
            )
        return area
    if address_string:
        found = kelurahan_named_in(address_string)
        if len(found) == 1:
            return found[0]
        if found:
            message = _(
                "The address names several kelurahan (%(names)s). Send lat and "
                "long, or the kelurahan's code (address_id)."
            ) % {"names": ", ".join(area.name for area in found)}
        else:
            message = _(
                "The address names no kelurahan of Jakarta we know. Send lat and "
                "long, or the kelurahan's name or code (address_id)."
            )
        raise ValidationError({"address_string": [message]})
    raise ValidationError(
        {
            "lat": [
                _(
                    "Say where: send lat and long, an address_string that names "
                    "the kelurahan, or an address_id."
                )
            ]
        }
    )
