"""Builders for test data: users in every role, photos with and without EXIF."""

import io
import itertools

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from rest_framework.authtoken.models import Token

from complaints.models import Channel, Integrator
from officers.models import Membership
from routing.models import Unit

_counter = itertools.count(1)

# Monas, in Kelurahan Gambir (31.71.01.1001), as a phone writes it in EXIF.
MONAS = (-6.1754, 106.8272)
MONAS_DMS = ((6.0, 10.0, 31.44), (106.0, 49.0, 37.92))
GAMBIR_CODE = "31.71.01.1001"
# Kuningan Timur, Setiabudi, Jakarta Selatan.
KUNINGAN = (-6.2297, 106.8295)
KUNINGAN_TIMUR_CODE = "31.74.02.1008"
BANDUNG = (-6.9175, 107.6191)


def user(**extra):
    n = next(_counter)
    username = extra.pop("username", f"user{n}")
    account = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-123", **extra
    )
    return account


def citizen(**extra):
    n = next(_counter)
    email = extra.pop("email", f"citizen{n}@example.com")
    return user(username=email, email=email, first_name=f"Warga {n}", **extra)


def officer(*, unit_code: str = "KEL-" + GAMBIR_CODE, role=Membership.Role.OFFICER):
    account = user(first_name="Petugas")
    Membership.objects.create(
        user=account, unit=Unit.objects.get(code=unit_code), role=role
    )
    return account


def integrator(
    *, channel_code: str | None = "qlue", unit_code: str | None = None
) -> tuple[Integrator, str]:
    """An integrator and its API key: a channel connector by default, a unit's
    system with ``unit_code`` (and ``channel_code=None`` for a unit's alone)."""
    account = user(first_name="Connector")
    connector = Integrator.objects.create(
        name=f"Connector {account.pk}",
        user=account,
        channel=Channel.objects.get(code=channel_code) if channel_code else None,
        unit=Unit.objects.get(code=unit_code) if unit_code else None,
    )
    return connector, Token.objects.create(user=account).key


def image_bytes(
    *,
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    gps: tuple | None = None,
    orientation: int | None = None,
    taken: str | None = None,
    color=(200, 30, 30),
) -> bytes:
    """A small picture; ``gps`` as ((d, m, s), (d, m, s)) south/east."""
    if mode == "RGBA" and len(color) == 3:
        color = (*color, 128)
    picture = Image.new(mode, size, color)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "WargaTestPhone"
    exif[ExifTags.Base.Software] = "secret-software-1.0"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "S",
            ExifTags.GPS.GPSLatitude: gps[0],
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: gps[1],
        }
    if taken:
        exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: taken}
    out = io.BytesIO()
    kwargs = {} if fmt == "PNG" and mode == "RGBA" and not gps else {"exif": exif}
    picture.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def report_filed(*, reporter=None, category_code: str = "sampah", point=KUNINGAN):
    """A report filed by a citizen through the web channel, routed as intake does."""
    from complaints.models import Category
    from complaints.services.intake import report_submit
    from complaints.services.photos import PhotoUpload

    return report_submit(
        actor=reporter or citizen(),
        channel=Channel.objects.get(code="web"),
        category=Category.objects.get(code=category_code),
        title="Sampah menumpuk",
        description="Sudah tiga hari.",
        latitude=point[0],
        longitude=point[1],
        photos=[PhotoUpload("evidence.jpg", image_bytes())],
    ).report
