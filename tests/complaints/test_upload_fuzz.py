"""Upload fuzzing (issue 8, "Bad input, at volume"): malformed files through every
door a photo comes in by. Each must get a 4xx (a form page with its errors, or an
API error), never a 5xx; no Report, ReportPhoto or ReportEvent row may appear or
change, and no file may be left in MEDIA_ROOT or in the upload temporary folder.

``build_cases`` makes, from a fixed seed, 234 malformed files in eight families:
random bytes (36, some behind an image format's magic number); zero or filler
bytes (12); JPEG, PNG, WebP and HEIC truncated at 21 cut points each (84), from
the magic number to just before the end of the pixel data; corrupted where a
decoder must notice (42: JPEG SOI/SOF/DQT/DHT/SOS fields, PNG signature, CRC,
IHDR and zlib streams, WebP RIFF/VP8 headers, HEIF boxes and mdat); decompression
bombs (17: huge declared sizes in small PNG, JPEG, WebP, HEIC and GIF files, an
8000 × 8000 deflate bomb, a 50 MB zTXt bomb); EXIF over the limits (7: APP1
declared past the end of the file, APP1 with no picture, 64 KB APP1 segments
summing past the 12 MB file limit); polyglots and impostors (20: SVG, HTML, PHP,
GIF/JS, ZIP, PDF, ELF, BMP/TIFF/ICO under photo names, HTML or ZIP before a
JPEG); random bytes under photo names and wrong declared types (16, with hostile
file names: path traversal, markup, RTL override, 300 characters).

Doors, and how many cases each gets:
- all 234 through the API intake (POST /api/v1/reports/, multipart), the cheapest;
- a stratified sample of 40 (every family: its first, last and evenly spaced cases,
  8 truncated, 8 corrupted, 4 of each other family, the 12 MB one included)
  through the citizen form /lapor/, the API follow-up, completion and dispute,
  and Open311's media_url (served by a local web server): 5 × 40;
- 2 of each family (16) through the doors that render a whole page: the officer
  intake form, the officer workspace follow-up and completion, the citizen's
  dispute on the public report page: 4 × 16; and through /lapor/ and the API
  intake behind a valid photo, which must not be kept either: 2 × 16.
That is 234 + 200 + 64 + 32 = 530 malformed uploads; the module prints a
one-line summary (``pytest -s``) with the uploads tried and the 5xx seen.

Not malformed: the bytes decide what a file is, never its name or declared type.
A valid photo under a wrong extension or content type, or with a payload glued on
or hidden in its metadata (JPEG+HTML, JPEG+ZIP, a script in a comment, a text
chunk or a 60 KB EXIF field) is accepted and stored under a fresh name ending in
.jpg, re-encoded, with no metadata and no payload left
(``test_valid_photos_under_wrong_names_or_with_payloads_are_stored_clean``, 12).
A file whose damage the decoder repairs or skips over (random byte flips in a
valid file, a segment length a decoder ignores) may be accepted the same way, or
refused, either way cleanly
(``test_files_a_decoder_can_repair_are_refused_or_stored_clean``, 28).
"""

import io
import random
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from complaints.models import Category, Channel, Report, ReportEvent, ReportPhoto
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from routing.models import Area
from tests.factories import (
    GAMBIR_CODE,
    KUNINGAN,
    citizen,
    image_bytes,
    integrator,
    officer,
    report_filed,
)
from tests.open311.conftest import MediaServer

pytestmark = pytest.mark.usefixtures("ref")
SEED = 20260808
HOME = "KEL-31.74.02.1008"  # Kuningan Timur, where report_filed lands
# Per family: the cheap doors get 40 cases, the doors that render a whole page
# (officer intake, workspace, public report page) 2 of each family.
SAMPLE = {"truncated": 8, "corrupted": 8, "*": 4}
SMALL_SAMPLE = {"*": 2}
HOSTILE_NAME = b"<img src=x onerror=alert(1)>"
# Every door, with the malformed uploads it received and the 5xx it answered.
TALLY: dict[str, dict[str, int]] = {}


# -- The cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    family: str
    label: str
    data: bytes
    name: str = "photo.jpg"
    content_type: str = "image/jpeg"

    def upload(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.data, content_type=self.content_type)


def _noisy(rng: random.Random, fmt: str, size=(96, 72)) -> bytes:
    """A small picture of noise, so that pixel data fills most of the file."""
    picture = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png(width, height, *, depth=8, colour=2, idat=None, extra=b"") -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra
    if idat is not None:
        body += _chunk(b"IDAT", idat)
    return body + _chunk(b"IEND", b"")


def _segment(jpeg: bytes, wanted: int) -> tuple[int, int]:
    """Start and end of the first header segment with marker ``wanted``."""
    pos = 2
    while jpeg[pos] == 0xFF:
        marker = jpeg[pos + 1]
        end = pos + 2 + struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
        if marker == wanted:
            return pos, end
        pos = end
    raise LookupError(hex(wanted))


def _patched(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


_TYPES = {
    "jpeg": ("photo.jpg", "image/jpeg"),
    "png": ("photo.png", "image/png"),
    "webp": ("photo.webp", "image/webp"),
    "heic": ("IMG_0001.HEIC", "image/heic"),
}
_MAGIC = {
    "jpeg": b"\xff\xd8\xff",
    "jfif": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "png": b"\x89PNG\r\n\x1a\n",
    "webp": b"RIFF\x00\x10\x00\x00WEBPVP8 ",
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    "gif": b"GIF89a",
}
_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
_HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>"
_ZIP = (
    b"PK\x03\x04\x14\x00\x00\x00\x00\x00"
    + b"\x00" * 16
    + b"\x05\x00\x00\x00evil.phpPK\x05\x06"
    + b"\x00" * 18
)


def build_cases() -> tuple[list[Case], list[Case]]:
    """(malformed, repairable), the same on every run. Every malformed case must be
    refused; a repairable one may decode, and must then be stored clean."""
    rng = random.Random(SEED)
    cases: list[Case] = []
    repairable: list[Case] = []

    def add(family, label, data, name="photo.jpg", content_type="image/jpeg"):
        cases.append(Case(family, label, data, name, content_type))

    bases = {fmt: _noisy(rng, fmt.upper()) for fmt in ("jpeg", "png", "webp")}
    bases["heic"] = _noisy(rng, "HEIF")
    jpeg, png, webp, heic = bases["jpeg"], bases["png"], bases["webp"], bases["heic"]

    # Random bytes of many lengths, some behind an image format's magic number.
    for size in [1, 2, 3, 7, 16, 64, 100, 255, 512, 1000, 4096, 65536]:
        add("random", f"random-{size}", rng.randbytes(size))
    for magic_name, magic in _MAGIC.items():
        for size in (0, 10, 300, 5000):
            add("random", f"{magic_name}-magic+{size}", magic + rng.randbytes(size))

    # Nothing, or nothing but filler.
    for label, data in {
        "zero-bytes": b"",
        "one-nul": b"\x00",
        "nuls-1k": b"\x00" * 1024,
        "nuls-64k": b"\x00" * 65536,
        "ff-4k": b"\xff" * 4096,
        "spaces": b" " * 100,
        "newlines": b"\r\n" * 50,
        "soi-only": b"\xff\xd8",
        "soi-eoi": b"\xff\xd8\xff\xd9",
        "png-signature-only": _MAGIC["png"],
        "riff-only": b"RIFF",
        "ftyp-only": _MAGIC["heic"],
    }.items():
        add("zero", label, data)

    # Truncated from the magic number to just before the end of the pixel data
    # (a cut past it would leave a whole picture).
    for fmt, data in bases.items():
        cuts = {1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 100, 200}
        cuts |= {int(len(data) * f) for f in (0.1, 0.25, 0.4, 0.5, 0.6, 0.75)}
        cuts |= {int(len(data) * f) for f in (0.85, 0.9, 0.95)}
        for cut in sorted(cuts):
            add(
                "truncated", f"{fmt}-cut-{cut}-of-{len(data)}", data[:cut], *_TYPES[fmt]
            )

    # Corrupted where a decoder must notice.
    sof, _end = _segment(jpeg, 0xC0)
    dqt, _end = _segment(jpeg, 0xDB)
    dht, _end = _segment(jpeg, 0xC4)
    sos, sos_end = _segment(jpeg, 0xDA)
    for label, data in {
        "soi-flipped": _patched(jpeg, 0, b"\xff\xd9"),
        "soi-zeroed": _patched(jpeg, 0, b"\x00\x00"),
        "sof-zero-components": _patched(jpeg, sof + 9, b"\x00"),
        "sof-nine-components": _patched(jpeg, sof + 9, b"\x09"),
        "sof-precision-zero": _patched(jpeg, sof + 4, b"\x00"),
        "sof-width-zero": _patched(jpeg, sof + 7, b"\x00\x00"),
        "sof-length-short": _patched(jpeg, sof + 2, b"\x00\x02"),
        "sof-sampling-zero": _patched(jpeg, sof + 11, b"\x00"),
        "dqt-bad-table-id": _patched(jpeg, dqt + 4, b"\x0f"),
        "dqt-length-huge": _patched(jpeg, dqt + 2, b"\xff\xff"),
        "dht-bogus-counts": _patched(jpeg, dht + 5, b"\xff" * 16),
        "dht-length-zero": _patched(jpeg, dht + 2, b"\x00\x00"),
        "sos-unknown-component": _patched(jpeg, sos + 5, b"\x07"),
        "sos-missing": jpeg[:sos] + b"\xff\xd9",
        "scan-replaced-by-zeros": jpeg[:sos_end] + b"\x00" * 64,
        "marker-chain-broken": _patched(jpeg, 2, b"\x00\x00"),
    }.items():
        add("corrupted", f"jpeg-{label}", data)
    idat = png.index(b"IDAT")
    for label, data in {
        "signature-flipped": _patched(png, 1, b"\x70"),
        "ihdr-crc-wrong": _patched(png, 29, b"\x00\x00\x00\x00"),
        "ihdr-depth-3": _png(32, 32, depth=3),
        "ihdr-colour-type-5": _png(32, 32, colour=5),
        "ihdr-colour-type-7": _png(32, 32, colour=7),
        "ihdr-zero-width": _png(0, 32),
        "ihdr-zero-height": _png(32, 0),
        # These two were accepted as half-black pictures until getexif() stopped
        # loading the pixels before photo_process did.
        "idat-zlib-header": _patched(png, idat + 4, b"\x00\x00"),
        "idat-deflate-garbage": _patched(png, idat + 6, b"\xff" * 64),
        "idat-empty": _png(32, 32, idat=b""),
        "idat-not-zlib": _png(32, 32, idat=b"not a deflate stream at all"),
        "no-idat": _png(32, 32),
        "idat-too-short": _png(32, 32, idat=zlib.compress(b"\x00" * 10)),
    }.items():
        add("corrupted", f"png-{label}", data, "photo.png", "image/png")
    for label, data in {
        "riff-flipped": _patched(webp, 0, b"RIFX"),
        "webp-tag-flipped": _patched(webp, 8, b"WEBQ"),
        "vp8-tag-unknown": _patched(webp, 12, b"VP9 "),
        "vp8-frame-tag": _patched(webp, 20, b"\xff\xff\xff"),
        "vp8-start-code": _patched(webp, 23, b"\x00\x00\x00"),
        "vp8-chunk-size-huge": _patched(webp, 16, b"\xff\xff\xff\x7f"),
    }.items():
        add("corrupted", f"webp-{label}", data, "photo.webp", "image/webp")
    mdat = heic.index(b"mdat")
    for label, data in {
        "ftyp-brand": _patched(heic, 8, b"xxxx"),
        "ftyp-size-huge": _patched(heic, 0, b"\x7f\xff\xff\xff"),
        "meta-renamed": _patched(heic, heic.index(b"meta"), b"mexa"),
        "iloc-renamed": _patched(heic, heic.index(b"iloc"), b"ilox"),
        "hvcC-renamed": _patched(heic, heic.index(b"hvcC"), b"hvcX"),
        "mdat-zeroed": heic[: mdat + 4] + b"\x00" * (len(heic) - mdat - 4),
        "mdat-random": heic[: mdat + 4] + rng.randbytes(len(heic) - mdat - 4),
    }.items():
        add("corrupted", f"heic-{label}", data, "IMG_0002.HEIC", "image/heic")

    # Decompression bombs: huge declared sizes in small files.
    for width, height in [
        (60_000, 60_000),
        (2**31 - 1, 1),
        (1, 2**31 - 1),
        (2**31 - 1, 2**31 - 1),
        (10_000, 5_001),
        (7_072, 7_072),
    ]:
        add("bomb", f"png-{width}x{height}", _png(width, height), "b.png", "image/png")
    # A real one: 8000 × 8000 one-bit pixels deflate to a few kilobytes.
    rows = (b"\x00" * 1001) * 8000
    add(
        "bomb",
        "png-8000x8000-deflated",
        _png(8000, 8000, depth=1, colour=0, idat=zlib.compress(rows, 9)),
        "b.png",
        "image/png",
    )
    for width, height in [(65_535, 65_535), (65_535, 1_000), (10_000, 10_000)]:
        add(
            "bomb",
            f"jpeg-sof-{width}x{height}",
            _patched(jpeg, sof + 5, struct.pack(">HH", height, width)),
        )
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + b"\xff\xff\xff" * 2
    add(
        "bomb",
        "webp-vp8x-16384x16384",
        b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x,
        "b.webp",
        "image/webp",
    )
    add(
        "bomb",
        "webp-vp8x-16384x16384-then-frame",
        b"RIFF"
        + struct.pack("<I", len(vp8x) + len(webp) - 8)
        + b"WEBP"
        + vp8x
        + webp[12:],
        "b.webp",
        "image/webp",
    )
    ispe = heic.index(b"ispe")
    for width, height in [(60_000, 60_000), (2**32 - 1, 2**32 - 1), (0, 0)]:
        add(
            "bomb",
            f"heic-ispe-{width}x{height}",
            _patched(heic, ispe + 8, struct.pack(">II", width, height)),
            "b.heic",
            "image/heic",
        )
    screen = b"GIF89a" + struct.pack("<HH", 65_535, 65_535) + b"\x00\x00\x00;"
    add("bomb", "gif-65535x65535", screen, "b.gif", "image/gif")
    ztxt = b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000, 9)
    add(
        "bomb",
        "png-ztxt-50MB",
        _png(32, 32, extra=_chunk(b"zTXt", ztxt)),
        "b.png",
        "image/png",
    )

    # EXIF over the limits.
    soi, rest = jpeg[:2], jpeg[2:]
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff" + b"\x00" * 200
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    for label, data in {
        "app1-longer-than-file": soi + b"\xff\xe1\xff\xff" + exif + rest[:200],
        "app1-then-nothing": soi + app1,
        "app1-then-eoi": soi + app1 + b"\xff\xd9",
        "64k-app1-then-half-a-scan": soi
        + b"\xff\xe1\xff\xff"
        + exif
        + rng.randbytes(65_533 - len(exif))
        + rest[: len(rest) // 2],
        "exif-ifd-loop-no-picture": soi
        + b"\xff\xe1\x00\x1aExif\x00\x00II*\x00\x08\x00\x00\x00"
        + b"\x00\x00\x08\x00\x00\x00\xff\xd9",
        "app1-only-zeros-then-cut": soi + b"\xff\xe1\x10\x00" + b"\x00" * 4094,
    }.items():
        add("exif", label, data)
    segment = b"\xff\xe1\xff\xff" + exif + b"\x00" * (65_533 - len(exif))
    many = 12 * 1024 * 1024 // len(segment) + 2
    add("exif", f"{many}-64k-app1-over-the-size-limit", soi + segment * many + rest)

    # Polyglots and impostors: markup, scripts and archives posing as photos.
    for label, data, name, content_type in [
        ("svg-named-jpg", _SVG, "photo.jpg", "image/jpeg"),
        ("svg-as-svg", _SVG, "photo.svg", "image/svg+xml"),
        ("html-named-png", _HTML, "photo.png", "image/png"),
        ("html-as-html", _HTML, "index.html", "text/html"),
        ("php-named-jpg", b"<?php system($_GET['c']); ?>", "x.php.jpg", "image/jpeg"),
        ("gif-js", b"GIF89a/*\x00\x00\x00\x00*/=1;alert(1);//", "a.gif", "image/gif"),
        (
            "gif-js-named-jpg",
            b"GIF89a=1;alert(1);" + b"\x00" * 20,
            "a.jpg",
            "image/jpeg",
        ),
        ("jpeg-magic-then-html", b"\xff\xd8\xff\xe0" + _HTML, "a.jpg", "image/jpeg"),
        ("png-signature-then-html", _MAGIC["png"] + _HTML, "a.png", "image/png"),
        ("zip-named-jpg", _ZIP, "photo.jpg", "image/jpeg"),
        ("zip-then-jpeg", _ZIP + jpeg, "photo.jpg", "image/jpeg"),
        ("html-then-jpeg", _HTML + jpeg, "photo.jpg", "image/jpeg"),
        (
            "pdf-named-jpg",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
            "photo.jpg",
            "image/jpeg",
        ),
        ("elf-named-heic", b"\x7fELF\x02\x01\x01" + bytes(57), "a.heic", "image/heic"),
        ("exe-named-webp", b"MZ\x90\x00" + bytes(60), "a.webp", "image/webp"),
        (
            "cut-jpeg-with-comment-then-html",
            _patched(jpeg, 2, b"\xff\xfe\x00\x40")[:80] + _HTML,
            "photo.jpg",
            "image/jpeg",
        ),
        ("xml-named-heic", b'<?xml version="1.0"?><x/>', "a.heic", "image/heic"),
        ("bmp-named-jpg", _noisy(rng, "BMP", (8, 8)), "photo.jpg", "image/jpeg"),
        ("tiff-named-jpg", _noisy(rng, "TIFF", (8, 8)), "photo.jpg", "image/jpeg"),
        ("ico-named-png", _noisy(rng, "ICO", (16, 16)), "photo.png", "image/png"),
    ]:
        add("polyglot", label, data, name, content_type)

    # No photo at all, under photo names, declared types and hostile file names.
    junk = rng.randbytes(2048)
    for name, content_type in [
        ("photo.jpg", "application/octet-stream"),
        ("photo.png", "text/plain"),
        ("photo.webp", "application/x-php"),
        ("photo.heic", ""),
        ("photo", "image/jpeg"),
        ("photo.JPG.exe", "application/x-msdownload"),
        ("../../../etc/passwd.jpg", "image/jpeg"),
        ("..\\..\\windows\\win.ini.png", "image/png"),
        ("<img src=x onerror=alert(1)>.jpg", "image/jpeg"),
        ("foto\u202egpj.exe", "image/jpeg"),
        ("x" * 300 + ".jpg", "image/jpeg"),
        ("фото 📷.jpg", "image/jpeg; charset=utf-8"),
        ("photo.jpg", "image/jpeg\r\nX-Injected: 1"),
        (".jpg", "image/jpeg"),
        ("photo.svg", "image/svg+xml"),
        ("photo.heif", "image/heif"),
    ]:
        add(
            "wrong-type",
            f"junk-as-{name[:24]!r}-{content_type[:24]!r}",
            junk,
            name,
            content_type,
        )

    # Damage a decoder repairs or skips over: it may decode to a whole picture.
    for label, data, (name, content_type) in [
        (
            "png-idat-length-huge",
            _patched(png, idat - 4, b"\x7f\xff\xff\xff"),
            _TYPES["png"],
        ),
        ("webp-vp8-data-zeroed", webp[:30] + bytes(len(webp) - 30), _TYPES["webp"]),
        ("jpeg-app1-length-one", soi + b"\xff\xe1\x00\x01" + rest, _TYPES["jpeg"]),
        ("jpeg-app1-length-zero", soi + b"\xff\xe1\x00\x00" + rest, _TYPES["jpeg"]),
    ]:
        repairable.append(Case("repairable", label, data, name, content_type))
    for fmt, data in bases.items():
        for i in range(6):
            changed = bytearray(data)
            in_header = i % 2 == 0
            low, high = (0, 64) if in_header else (len(data) // 4, len(data))
            for _flip in range(2 if in_header else 16):
                changed[rng.randrange(low, high)] = rng.getrandbits(8)
            where = "header" if in_header else "body"
            repairable.append(
                Case(
                    "repairable",
                    f"{fmt}-{where}-flips-{i}",
                    bytes(changed),
                    *_TYPES[fmt],
                )
            )
    return cases, repairable


_BUILT: tuple[list[Case], list[Case]] | None = None


def malformed() -> list[Case]:
    global _BUILT
    if _BUILT is None:
        _BUILT = build_cases()
    return _BUILT[0]


def repairable() -> list[Case]:
    malformed()
    return _BUILT[1]


def sample(quota: dict[str, int] = SAMPLE) -> list[Case]:
    """The first, the last and evenly spaced cases of every family."""
    families: dict[str, list[Case]] = {}
    for case in malformed():
        families.setdefault(case.family, []).append(case)
    chosen = []
    for family, members in families.items():
        k = min(len(members), quota.get(family, quota["*"]))
        step = (len(members) - 1) / (k - 1)
        chosen += [members[round(i * step)] for i in range(k)]
    return chosen


# -- Sending them, and checking that nothing was kept -----------------------------


@pytest.fixture(autouse=True)
def no_limits_in_the_way(settings, tmp_path):
    """Hundreds of refused posts from one address: the rate limits would answer
    429 before the photos are read. Uploads spill to a folder of our own, so that
    a temporary file left behind is seen."""
    for name in (
        "WARGA_RATE_REPORTS_PER_IP",
        "WARGA_RATE_REPORTS_PER_USER",
        "WARGA_RATE_OFFICER_REPORTS_PER_IP",
        "WARGA_RATE_OFFICER_REPORTS_PER_USER",
    ):
        setattr(settings, name, "100000/h")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    if TALLY:
        tried = sum(door["cases"] for door in TALLY.values())
        errors = sum(door["5xx"] for door in TALLY.values())
        print(
            f"\nupload fuzz: {tried} malformed uploads ({len(malformed())} distinct "
            f"cases) in {len(TALLY)} runs over 10 doors, {errors} 5xx"
        )


def browser(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def api_client(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def state() -> tuple:
    return (
        Report.objects.count(),
        ReportPhoto.objects.count(),
        ReportEvent.objects.count(),
        list(Report.objects.order_by("pk").values_list("pk", "status", "version")),
    )


def uploads_left(settings) -> list[Path]:
    return sorted(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())


def fuzz(door: str, cases: list[Case], send, *, media_files, settings) -> None:
    """Send every case through ``send``; assert that each was refused with a 4xx
    and that nothing was kept."""
    tally = TALLY.setdefault(door, {"cases": 0, "5xx": 0})
    failures = []
    for case in cases:
        before, files = state(), media_files()
        response = send(case)
        tally["cases"] += 1
        status = response.status_code
        problems = []
        if status >= 500:
            tally["5xx"] += 1
            problems.append(f"{status} {response.exc_info and response.exc_info[1]!r}")
        elif not 400 <= status < 500:
            problems.append(f"answered {status}")
        if HOSTILE_NAME in response.content and "html" in response["Content-Type"]:
            problems.append("the file name came back unescaped")
        if state() != before:
            problems.append("rows were written")
        if media_files() != files:
            problems.append(f"files left: {sorted(set(media_files()) - set(files))}")
        if uploads_left(settings):
            problems.append(f"temporary uploads left: {uploads_left(settings)}")
        if problems:
            failures.append(f"{case.family}/{case.label}: {'; '.join(problems)}")
    print(
        f"\nupload fuzz [{door}]: {tally['cases']} cases, {tally['5xx']} 5xx, "
        f"{len(failures)} failures"
    )
    assert not failures, "\n".join(failures)


def web_form(photos: list, **overrides) -> dict:
    return {
        "category": Category.objects.get(code="sampah").pk,
        "title": "Sampah menumpuk di depan pasar",
        "description": "Sudah tiga hari tidak diangkut.",
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        "reporter_email": "budi@example.com",
        "photos": photos,
        **overrides,
    }


def _valid_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("ok.jpg", image_bytes(), content_type="image/jpeg")


# -- The doors ---------------------------------------------------------------------


def _api_intake(api: APIClient, photos: list):
    body = {
        "category": "sampah",
        "title": "Sampah menumpuk",
        "description": "Sudah tiga hari.",
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        "photos": photos,
    }
    return api.post(reverse("api:report-list"), body, format="multipart")


def test_every_malformed_file_is_refused_by_the_api_intake(media_files, settings):
    cases = malformed()
    assert len(cases) >= 200
    assert {c.family for c in cases} == {
        "random", "zero", "truncated", "corrupted", "bomb", "exif", "polyglot",
        "wrong-type",
    }  # fmt: skip
    api = api_client(integrator(channel_code="qlue")[1])

    fuzz(
        "API intake",
        cases,
        lambda case: _api_intake(api, [case.upload()]),
        media_files=media_files,
        settings=settings,
    )


def test_the_citizen_form_refuses_every_sampled_file(media_files, settings):
    client, url = browser(), reverse("complaints:report-create")

    fuzz(
        "/lapor/",
        sample(),
        lambda case: client.post(url, web_form([case.upload()])),
        media_files=media_files,
        settings=settings,
    )


def test_a_valid_photo_beside_a_malformed_one_is_not_kept_either(media_files, settings):
    client, url = browser(), reverse("complaints:report-create")
    api = api_client(integrator(channel_code="qlue")[1])

    fuzz(
        "/lapor/ after a valid photo",
        sample(SMALL_SAMPLE),
        lambda case: client.post(url, web_form([_valid_photo(), case.upload()])),
        media_files=media_files,
        settings=settings,
    )
    fuzz(
        "API intake after a valid photo",
        sample(SMALL_SAMPLE),
        lambda case: _api_intake(api, [_valid_photo(), case.upload()]),
        media_files=media_files,
        settings=settings,
    )


def test_the_officer_intake_refuses_sampled_files(media_files, settings):
    client = browser(officer())
    url = reverse("complaints:officer-report-create")
    fields = {
        "channel": Channel.objects.get(code="desk-kelurahan").pk,
        "category": Category.objects.get(code="saluran-air").pk,
        "title": "Got mampet di RT 05",
        "description": "Warga datang ke kantor kelurahan.",
        "kelurahan": Area.objects.get(code=GAMBIR_CODE).pk,
        "reporter_phone": "0812000000",
    }

    fuzz(
        "officer intake",
        sample(SMALL_SAMPLE),
        lambda case: client.post(url, {**fields, "photos": [case.upload()]}),
        media_files=media_files,
        settings=settings,
    )


@pytest.fixture
def in_process():
    """A report its unit has accepted, and a browser of one of its officers."""
    report = report_filed()
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    return Report.objects.get(pk=report.pk), browser(clerk)


@pytest.mark.parametrize(
    "action, fields",
    [(Action.FOLLOW_UP, {"note": "Sampah diangkut"}), (Action.COMPLETE, {})],
    ids=["follow-up", "complete"],
)
def test_the_officer_workspace_refuses_sampled_proof_photos(
    in_process, media_files, settings, action, fields
):
    report, client = in_process
    url = reverse(
        "officers:report-act", kwargs={"ticket": report.ticket, "action": action}
    )

    def send(case):
        data = {"version": report.version, **fields, "photos": [case.upload()]}
        return client.post(url, data)

    fuzz(f"workspace {action}", sample(SMALL_SAMPLE), send, media_files=media_files,
         settings=settings)  # fmt: skip
    assert Report.objects.get(pk=report.pk).status == "in_process"


@pytest.mark.parametrize(
    "action, fields",
    [("follow-up", {"note": "Truk dijadwalkan."}), ("complete", {})],
)
def test_the_api_actions_refuse_every_sampled_proof_photo(
    in_process, media_files, settings, action, fields
):
    report, _client = in_process
    api = api_client(integrator(channel_code=None, unit_code=HOME)[1])
    url = reverse(f"api:report-{action}", kwargs={"ticket": report.ticket})

    def send(case):
        return api.post(url, {**fields, "photos": [case.upload()]}, format="multipart")

    fuzz(f"API {action}", sample(), send, media_files=media_files, settings=settings)


def _done(report: Report) -> Report:
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("after.jpg", image_bytes(color=(1, 150, 1)))],
    )
    return Report.objects.get(pk=report.pk)


def test_the_citizens_dispute_refuses_sampled_photos(media_files, settings):
    reporter = citizen()
    report = _done(report_filed(reporter=reporter))
    client = browser(reporter)
    url = reverse(
        "transparency:report-act",
        kwargs={"ticket": report.ticket, "action": Action.DISPUTE},
    )

    def send(case):
        data = {"version": report.version, "note": "Masih kotor"}
        return client.post(url, {**data, "photos": [case.upload()]})

    fuzz(
        "portal dispute",
        sample(SMALL_SAMPLE),
        send,
        media_files=media_files,
        settings=settings,
    )
    assert Report.objects.get(pk=report.pk).status == "done"


def test_the_api_dispute_refuses_every_sampled_photo(media_files, settings):
    _connector, key = integrator(channel_code="qlue")
    api = api_client(key)
    filed = api.post(
        reverse("api:report-list"),
        {
            "category": "sampah",
            "title": "Sampah menumpuk",
            "description": "Sudah tiga hari.",
            "latitude": KUNINGAN[0],
            "longitude": KUNINGAN[1],
        },
        format="json",
    )
    assert filed.status_code == 201
    report = _done(Report.objects.get(ticket=filed.json()["ticket"]))
    url = reverse("api:report-dispute", kwargs={"ticket": report.ticket})

    def send(case):
        body = {"note": "Masih ada sampah.", "photos": [case.upload()]}
        return api.post(url, body, format="multipart")

    fuzz("API dispute", sample(), send, media_files=media_files, settings=settings)


def test_open311_refuses_every_sampled_file_behind_a_media_url(media_files, settings):
    settings.WARGA_MEDIA_FETCH_PRIVATE = True  # the server is on 127.0.0.1
    _connector, key = integrator(channel_code="qlue")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    server = MediaServer()
    # The service hangs up on a file over the size limit: no traceback for that.
    server.httpd.handle_error = lambda request, address: None
    cases = sample()
    for i, case in enumerate(cases):
        declared = re.sub(r"[\r\n]", "", case.content_type) or None
        server.routes[f"/case-{i}"] = (200, {"Content-Type": declared}, case.data)
    paths = {case: f"/case-{i}" for i, case in enumerate(cases)}

    def send(case):
        arguments = {
            "api_key": key,
            "service_code": "jalan-rusak",
            "lat": KUNINGAN[0],
            "long": KUNINGAN[1],
            "description": "Lubang besar di lajur kiri, makin dalam tiap hujan.",
            "media_url": server.url(paths[case]),
        }
        return client.post(
            "/open311/v2/requests.json",
            urlencode(arguments),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
        )

    try:
        fuzz("Open311 media_url", cases, send, media_files=media_files,
             settings=settings)  # fmt: skip
    finally:
        server.stop()
    assert set(server.hits) == set(paths.values())  # each one was fetched


# -- What is not malformed -----------------------------------------------------


def _exif_payload() -> bytes:
    picture = Image.new("RGB", (64, 48), (20, 90, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "WargaTestPhone"
    exif[ExifTags.Base.ImageDescription] = "<script>alert(1)</script>" + "A" * 60_000
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (9, 9, 9)).save(out, "JPEG", comment=_HTML)
    return out.getvalue()


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", _HTML.decode())
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (9, 99, 9)).save(out, "PNG", pnginfo=text)
    return out.getvalue()


VALID_IMPOSTORS = [
    ("png-named-jpg", lambda: image_bytes(fmt="PNG"), "a.jpg", "image/jpeg", "PNG"),
    ("jpeg-named-png", lambda: image_bytes(), "a.png", "image/png", "JPEG"),
    (
        "webp-named-heic",
        lambda: image_bytes(fmt="WEBP"),
        "a.heic",
        "image/heic",
        "WEBP",
    ),
    (
        "heic-named-jpg-octet-stream",
        lambda: image_bytes(fmt="HEIF"),
        "a.jpg",
        "application/octet-stream",
        "HEIF",
    ),
    ("jpeg-named-php", lambda: image_bytes(), "shell.php", "application/x-php", "JPEG"),
    ("jpeg-named-svg", lambda: image_bytes(), "a.svg", "image/svg+xml", "JPEG"),
    ("jpeg-named-html-no-type", lambda: image_bytes(), "index.html", "", "JPEG"),
    ("jpeg-then-html", lambda: image_bytes() + _HTML, "a.jpg", "image/jpeg", "JPEG"),
    ("jpeg-then-zip", lambda: image_bytes() + _ZIP, "a.jpg", "image/jpeg", "JPEG"),
    ("jpeg-html-comment", _jpeg_with_comment, "a.jpg", "image/jpeg", "JPEG"),
    ("png-html-text-chunk", _png_with_text, "a.png", "image/png", "PNG"),
    ("jpeg-60k-exif-script", _exif_payload, "a.jpg", "image/jpeg", "JPEG"),
]
PAYLOADS = [b"<script", b"<html", b"PK\x03\x04", b"evil.php", b"WargaTestPhone",
            b"Exif"]  # fmt: skip
STORED_NAME = re.compile(r"reports/\d{4}/\d{2}/[0-9a-f]{32}\.jpg")
THUMB_NAME = re.compile(r"reports/\d{4}/\d{2}/thumbs/[0-9a-f]{32}-thumb\.jpg")


def assert_stored_clean(photo: ReportPhoto) -> None:
    assert STORED_NAME.fullmatch(photo.image.name), photo.image.name
    assert THUMB_NAME.fullmatch(photo.thumbnail.name), photo.thumbnail.name
    for field in (photo.image, photo.thumbnail):
        with default_storage.open(field.name) as stored:
            data = stored.read()
        picture = Image.open(io.BytesIO(data))
        assert picture.format == "JPEG"
        assert not picture.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(picture.info)
        for payload in PAYLOADS:
            assert payload not in data, payload


@pytest.mark.parametrize(
    "make, name, content_type, fmt",
    [case[1:] for case in VALID_IMPOSTORS],
    ids=[case[0] for case in VALID_IMPOSTORS],
)
def test_valid_photos_under_wrong_names_or_with_payloads_are_stored_clean(
    media_files, make, name, content_type, fmt
):
    upload = SimpleUploadedFile(name, make(), content_type=content_type)

    response = browser().post(reverse("complaints:report-create"), web_form([upload]))

    assert response.status_code == 302
    photo = Report.objects.get().photos.get()
    assert photo.original_format == fmt  # what the bytes are, not the name
    assert_stored_clean(photo)
    assert len(media_files()) == 2


def test_files_a_decoder_can_repair_are_refused_or_stored_clean(media_files, settings):
    client, url = browser(), reverse("complaints:report-create")
    outcomes, failures = {"refused": 0, "stored": 0}, []
    for case in repairable():
        before, files = state(), media_files()
        response = client.post(url, web_form([case.upload()]))
        if response.status_code == 302:
            outcomes["stored"] += 1
            photo = ReportPhoto.objects.latest("pk")
            try:
                assert_stored_clean(photo)
            except AssertionError as exc:
                failures.append(f"{case.label}: stored but not clean: {exc}")
            if len(media_files()) != len(files) + 2:
                failures.append(f"{case.label}: {len(media_files())} files")
        elif response.status_code == 400:
            outcomes["refused"] += 1
            if state() != before or media_files() != files:
                failures.append(f"{case.label}: refused but something was kept")
        else:
            failures.append(f"{case.label}: answered {response.status_code}")
    print(f"\nupload fuzz [repairable]: {len(repairable())} cases, {outcomes}")
    assert not failures, "\n".join(failures)


def test_a_png_with_a_broken_data_stream_is_refused_not_stored_half_black(
    media_files,
):
    """Regression: PNG's getexif() loaded the pixels, its error was swallowed with
    the EXIF's, and the second load() found nothing left to do."""
    out = io.BytesIO()
    Image.new("RGB", (96, 72), (200, 30, 30)).save(out, "PNG")  # no eXIf chunk
    png = out.getvalue()
    idat = png.index(b"IDAT")
    broken = png[: idat + 4] + b"\x00\x00" + png[idat + 6 :]

    response = browser().post(
        reverse("complaints:report-create"),
        web_form([SimpleUploadedFile("broken.png", broken, content_type="image/png")]),
    )

    assert response.status_code == 400
    assert "damaged" in " ".join(response.context["form"].errors["photos"])
    assert Report.objects.count() == 0
    assert media_files() == []


def test_a_hostile_file_name_comes_back_escaped_on_the_form(media_files):
    junk = SimpleUploadedFile(
        HOSTILE_NAME.decode() + ".jpg", b"junk", content_type="image/jpeg"
    )

    response = browser().post(reverse("complaints:report-create"), web_form([junk]))

    assert response.status_code == 400
    assert HOSTILE_NAME not in response.content
    assert b"&lt;img src=x onerror=alert(1)&gt;.jpg:" in response.content
    assert media_files() == []
