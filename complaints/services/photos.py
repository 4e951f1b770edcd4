"""The one photo pipeline every channel goes through.

The bytes decide what a file is, never its name or declared type. A photo is
decoded once, checked against size and pixel limits, turned upright, re-encoded as
JPEG without any metadata, and shrunk to a thumbnail. Its GPS position and capture
time are read from the EXIF before they are thrown away.
"""

import hashlib
import http.client
import io
import ipaddress
import posixpath
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote, urljoin, urlsplit
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

# MPO is how Pillow names a JPEG that carries extra frames (Android phones, iPhone
# HDR gain maps); its first frame is the photo.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class PhotoUpload:
    """An uploaded file's name and bytes, as forms and the API hand them over."""

    name: str
    data: bytes


@dataclass
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    original_format: str
    sha256: str
    taken_at: datetime | None
    gps_latitude: float | None
    gps_longitude: float | None

    def files(self) -> tuple[ContentFile, ContentFile]:
        """Fresh, unguessable file names for the stored copy and its thumbnail."""
        name = uuid4().hex
        return (
            ContentFile(self.image, name=f"{name}.jpg"),
            ContentFile(self.thumbnail, name=f"{name}-thumb.jpg"),
        )


def _refuse(message: str, name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s: %(message)s") % {"name": name, "message": message},
        code="invalid_photo",
    )


def photo_process(*, data: bytes, name: str = "") -> ProcessedPhoto:
    """Validate and clean one uploaded photo; raises ValidationError if unusable."""
    name = name or _("photo")
    if not data:
        raise _refuse(_("the file is empty."), name)
    if len(data) > settings.WARGA_MAX_PHOTO_BYTES:
        raise _refuse(
            _("the file is larger than %(mb)s MB.")
            % {"mb": settings.WARGA_MAX_PHOTO_BYTES // (1024 * 1024)},
            name,
        )
    with warnings.catch_warnings():
        # Pillow's own bomb check warns below its hard limit; treat it as refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            source = Image.open(io.BytesIO(data))
            fmt = source.format
            if fmt not in ACCEPTED_FORMATS:
                raise _refuse(
                    _("only JPEG, PNG, WebP and HEIC photos are accepted."), name
                )
            width, height = source.size
            if (
                width * height > settings.WARGA_MAX_PHOTO_PIXELS
                or width < 1
                or height < 1
            ):
                raise _refuse(_("the picture has too many pixels."), name)
            if fmt in ("JPEG", "MPO"):
                # Let the decoder scale down by 1/2, 1/4 or 1/8 while decoding: a 12 MP
                # phone photo then costs a quarter of a full decode. Ask for the
                # size the photo will be stored at: draft() keeps both sides at
                # least as large as asked, so (edge, edge) would stop a 4:3 photo
                # from being scaled at all.
                source.draft("RGB", _fit(source.size, settings.WARGA_PHOTO_MAX_EDGE))
            source.load()
            # Read only once the pixels are in: PNG's getexif() loads them itself
            # and, as _read_exif swallows its errors, a broken data stream would
            # leave a half-black picture that a second load() calls complete.
            taken_at, latitude, longitude, orientation = _read_exif(source)
            image = _to_rgb(source)
            # Turned upright by hand: ImageOps.exif_transpose would re-serialise an
            # EXIF block we are about to drop, and crashes on malformed ones.
            if orientation in _TRANSPOSE_FOR_ORIENTATION:
                image = image.transpose(_TRANSPOSE_FOR_ORIENTATION[orientation])
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(_("the picture has too many pixels."), name) from None
        except UnidentifiedImageError:
            raise _refuse(_("this is not a photo we can read."), name) from None
        except Exception:  # noqa: BLE001
            # Truncated or corrupt data surfaces from the decoders as OSError,
            # SyntaxError, ValueError, struct.error...: all of it means "damaged".
            raise _refuse(_("the photo is damaged or incomplete."), name) from None

    edge = settings.WARGA_PHOTO_MAX_EDGE
    image.thumbnail((edge, edge), Image.Resampling.BILINEAR, reducing_gap=2.0)
    main = _encode(image)
    thumb_edge = settings.WARGA_THUMBNAIL_EDGE
    # A reducing gap of 1.5 first halves a 1600 px photo by box averaging, then
    # resamples 800 → 480 px: half the time of resampling from 1600 px, and no
    # visible difference at thumbnail size.
    thumb = image.resize(
        _fit(image.size, thumb_edge), Image.Resampling.BICUBIC, reducing_gap=1.5
    )
    return ProcessedPhoto(
        image=main,
        thumbnail=_encode(thumb),
        width=image.width,
        height=image.height,
        original_format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        taken_at=taken_at,
        gps_latitude=latitude,
        gps_longitude=longitude,
    )


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    # The stored copy carries pixels only: Pillow would otherwise write back a
    # comment (JPEG COM, PNG text) kept in image.info.
    image.info.clear()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _read_exif(
    image: Image.Image,
) -> tuple[datetime | None, float | None, float | None, int | None]:
    """Capture time, GPS position and orientation; None for what is missing or
    unreadable (a broken EXIF block must not lose the photo)."""
    try:
        exif = image.getexif()
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        details = exif.get_ifd(ExifTags.IFD.Exif)
        orientation = exif.get(ExifTags.Base.Orientation)
    except Exception:  # noqa: BLE001
        return None, None, None, None
    if not isinstance(orientation, int):
        orientation = None
    latitude = _gps_degrees(
        gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), 90
    )
    longitude = _gps_degrees(
        gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), 180
    )
    if latitude is None or longitude is None:
        latitude = longitude = None
    taken = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(
        ExifTags.Base.DateTime
    )
    return _exif_datetime(taken), latitude, longitude, orientation


def _gps_degrees(value, ref, limit: int) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
        result = degrees + minutes / 60 + seconds / 3600
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip("\x00 ").upper() in ("S", "W"):
        result = -result
    if result != result or abs(result) > limit:  # NaN or out of range
        return None
    return result


def _exif_datetime(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.strptime(value.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    # EXIF times carry no zone; phones in Jakarta record WIB.
    return timezone.make_aware(naive, timezone.get_default_timezone())


def photo_rows_prepare(
    *,
    report,
    photos: list[ProcessedPhoto],
    kind: str,
    uploaded_by,
    event=None,
    first_position: int,
    saved_files: list[str],
) -> list:
    """Write processed photos' files to storage and return their rows, unsaved.

    ``report`` needs only its ``created_at`` (the folder): it may itself be unsaved,
    so that intake writes the files before its transaction opens, and the rows
    hold no lock while the files are written. Every stored name is appended to
    ``saved_files`` so that the caller can delete them if the rows never commit."""
    from complaints.models import ReportPhoto

    rows = []
    for offset, photo in enumerate(photos):
        image, thumbnail = photo.files()
        row = ReportPhoto(
            report=report,
            kind=kind,
            width=photo.width,
            height=photo.height,
            original_format=photo.original_format,
            sha256=photo.sha256,
            stored_sha256=hashlib.sha256(photo.image).hexdigest(),
            taken_at=photo.taken_at,
            gps_latitude=photo.gps_latitude,
            gps_longitude=photo.gps_longitude,
            position=first_position + offset,
            uploaded_by=uploaded_by,
            event=event,
        )
        row.image.save(image.name, image, save=False)
        saved_files.append(row.image.name)
        row.thumbnail.save(thumbnail.name, thumbnail, save=False)
        saved_files.append(row.thumbnail.name)
        rows.append(row)
    return rows


def photos_store(
    *,
    report,
    photos: list[ProcessedPhoto],
    kind: str,
    uploaded_by,
    event=None,
    saved_files: list[str],
) -> list:
    """Write processed photos to storage and their rows to the database, inside the
    caller's transaction. Every stored name is appended to ``saved_files`` so that
    the caller can delete them if the transaction fails."""
    rows = photo_rows_prepare(
        report=report,
        photos=photos,
        kind=kind,
        uploaded_by=uploaded_by,
        event=event,
        first_position=report.photos.count() if photos else 0,
        saved_files=saved_files,
    )
    for row in rows:
        row.save()
    return rows


def files_delete(names: list[str]) -> None:
    """Remove stored files whose transaction did not commit."""
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def photo_fetch(*, url: str) -> PhotoUpload:
    """Download the photo a channel links to (Open311's ``media_url``), to go
    through ``photo_process`` like any upload. Raises ValidationError saying why
    when it cannot be had.

    Only http and https, and only public addresses unless
    WARGA_MEDIA_FETCH_PRIVATE: the host is resolved once and the connection made to
    the address that was checked, so a name cannot be switched to an internal
    address in between; every redirect is checked the same way. The whole download
    must fit in WARGA_MEDIA_FETCH_TIMEOUT seconds and WARGA_MAX_PHOTO_BYTES bytes."""
    limit = settings.WARGA_MAX_PHOTO_BYTES
    seconds = settings.WARGA_MEDIA_FETCH_TIMEOUT
    deadline = time.monotonic() + float(seconds)
    max_redirects = 3

    def refused(message: str) -> ValidationError:
        return ValidationError(message, code="media_fetch")

    def is_public(address) -> bool:
        if not address.is_global or address.is_multicast:
            return False
        if address.version == 4:
            return True
        # IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64).
        inner = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            inner.append(address.teredo[1])
        if address in ipaddress.ip_network("64:ff9b::/96"):
            inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        return all(is_public(a) for a in inner if a is not None)

    current = (url or "").strip()
    if len(current) > 2000:
        raise refused(_("The URL is longer than 2000 characters."))
    for _hop in range(max_redirects + 1):
        try:
            parts = urlsplit(current)
            port = parts.port
        except ValueError:
            raise refused(_("This is not a valid URL.")) from None
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise refused(_("Only http:// and https:// URLs can be fetched."))
        if parts.username is not None or parts.password is not None:
            raise refused(_("The URL must not contain a user name or password."))
        https = parts.scheme == "https"
        port = port or (443 if https else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = [ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos]
        except (OSError, UnicodeError, ValueError):
            raise refused(
                _("The host %(host)s cannot be found.") % {"host": host}
            ) from None
        if not settings.WARGA_MEDIA_FETCH_PRIVATE and not all(
            is_public(address) for address in addresses
        ):
            raise refused(_("%(host)s is not a public address.") % {"host": host})
        target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
        if parts.query:
            target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
        context = ssl.create_default_context() if https else None
        connection = (
            http.client.HTTPSConnection(host, port, context=context)
            if https
            else http.client.HTTPConnection(host, port)
        )
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            # A connection that already has its socket never resolves the name
            # again: it talks to the address checked above.
            connection.sock = socket.create_connection(
                (str(addresses[0]), port), remaining
            )
            if context is not None:
                connection.sock = context.wrap_socket(
                    connection.sock, server_hostname=host
                )
            sock = connection.sock
            connection.request(
                "GET",
                target,
                headers={"User-Agent": "Warga/1 (photo fetch)", "Accept": "image/*"},
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise refused(_("The server redirected to nowhere."))
                current = urljoin(current, location.strip())
                continue
            if response.status != 200:
                raise refused(
                    _("The server answered HTTP %(status)d instead of the photo.")
                    % {"status": response.status}
                )
            too_large = refused(
                _("The photo is larger than %(mb)s MB.")
                % {"mb": limit // (1024 * 1024)}
            )
            declared = response.getheader("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_large
            chunks, size = [], 0
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                if not response.isclosed():  # closed once all of it has come
                    sock.settimeout(remaining)
                # At most one read from the socket: the deadline holds even for a
                # server that sends a byte at a time.
                chunk = response.read1(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise too_large
                chunks.append(chunk)
            name = posixpath.basename(unquote(parts.path))[:100] or host
            return PhotoUpload(name=name, data=b"".join(chunks))
        except ValidationError:
            raise
        except TimeoutError:
            raise refused(
                _("The photo did not arrive within %(seconds)s seconds.")
                % {"seconds": seconds}
            ) from None
        except ssl.SSLError:
            raise refused(
                _("The secure connection to %(host)s failed.") % {"host": host}
            ) from None
        except OSError:
            raise refused(
                _("The server %(host)s cannot be reached.") % {"host": host}
            ) from None
        except (http.client.HTTPException, ValueError):
            raise refused(
                _("The server %(host)s sent a broken answer.") % {"host": host}
            ) from None
        finally:
            connection.close()
    raise refused(_("Too many redirects."))
