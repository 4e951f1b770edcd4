"""The photo pipeline: what goes in, what is kept, what is refused."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from complaints.services.photos import photo_process
from tests.factories import MONAS_DMS, image_bytes


def reopen(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_gps_and_capture_time_are_read_then_every_metadata_block_is_stripped():
    data = image_bytes(gps=MONAS_DMS, taken="2026:11:20 08:30:00")

    photo = photo_process(data=data, name="monas.jpg")

    assert photo.gps_latitude == pytest.approx(-6.1754, abs=1e-4)
    assert photo.gps_longitude == pytest.approx(106.8272, abs=1e-4)
    assert photo.taken_at.isoformat() == "2026-11-20T08:30:00+07:00"
    for stored in (photo.image, photo.thumbnail):
        picture = reopen(stored)
        assert picture.format == "JPEG"
        assert not picture.getexif()
        assert "exif" not in picture.info and "icc_profile" not in picture.info
        assert b"WargaTestPhone" not in stored and b"secret-software" not in stored


def test_the_photo_is_turned_upright_from_its_exif_orientation():
    photo = photo_process(data=image_bytes(size=(80, 40), orientation=6))
    assert (photo.width, photo.height) == (40, 80)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_png_webp_and_heic_are_accepted_and_stored_as_jpeg(fmt):
    photo = photo_process(data=image_bytes(fmt=fmt), name=f"x.{fmt.lower()}")
    assert photo.original_format == fmt
    assert reopen(photo.image).format == "JPEG"


def test_transparent_png_gets_a_white_background():
    photo = photo_process(data=image_bytes(fmt="PNG", mode="RGBA"))
    assert reopen(photo.image).mode == "RGB"


@override_settings(WARGA_PHOTO_MAX_EDGE=100, WARGA_THUMBNAIL_EDGE=20)
def test_large_photos_are_shrunk_and_get_a_thumbnail():
    photo = photo_process(data=image_bytes(size=(400, 300)))
    assert (photo.width, photo.height) == (100, 75)
    assert max(reopen(photo.thumbnail).size) == 20


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch, settings):
    """A 4:3 phone photo is decoded by libjpeg at the largest 1/2, 1/4 or 1/8 scale
    that still covers the stored size, not at full size (the slow part of intake)."""
    settings.WARGA_PHOTO_MAX_EDGE = 320
    data = image_bytes(size=(800, 600))
    decoded = []
    load = Image.Image.load

    def recording_load(image):
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(Image.Image, "load", recording_load)
    photo = photo_process(data=data)
    assert (photo.width, photo.height) == (320, 240)
    # 800×600 → 400×300 at 1/2 covers 320×240 (1/4 would not): never 800×600.
    assert decoded and max(width for width, _height in decoded) <= 400


def test_the_bytes_decide_not_the_file_name():
    photo = photo_process(data=image_bytes(fmt="PNG"), name="holiday.gif")
    assert photo.original_format == "PNG"


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"just some text, not a picture", "not a photo"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "not a photo",
        ),
        (b"<html><body>hi</body></html>", "not a photo"),
        (image_bytes()[:200], "damaged"),
        (_png_header_only(100_000, 100_000), "too many pixels"),
        (_gif(), "only JPEG, PNG, WebP and HEIC"),
    ],
    ids=["empty", "text", "svg", "html", "truncated-jpeg", "pixel-bomb", "gif"],
)
def test_unusable_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as refused:
        photo_process(data=data, name="upload.jpg")
    assert message in refused.value.messages[0]
    assert refused.value.messages[0].startswith("upload.jpg:")


@override_settings(WARGA_MAX_PHOTO_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ValidationError, match="larger than"):
        photo_process(data=image_bytes(size=(300, 300)) + b"\0" * 1000)


def test_comments_in_jpeg_and_png_files_do_not_survive():
    secret = "Owner: Budi Santoso +62812345678"
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30)).save(jpeg, "JPEG", comment=secret.encode())
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("comment", secret)
    png = io.BytesIO()
    Image.new("RGB", (40, 30)).save(png, "PNG", pnginfo=text)

    for data in (jpeg.getvalue(), png.getvalue()):
        assert secret.encode() in data
        photo = photo_process(data=data)
        for stored in (photo.image, photo.thumbnail):
            assert b"Budi" not in stored
            assert "comment" not in reopen(stored).info


def test_multi_picture_jpegs_from_phones_are_accepted():
    out = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (20, 15))
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert reopen(out.getvalue()).format == "MPO"

    photo = photo_process(data=out.getvalue(), name="IMG_1234.JPG")

    assert (photo.width, photo.height) == (40, 30)
    assert reopen(photo.image).format == "JPEG"


def test_a_gps_reference_padded_with_a_null_byte_keeps_its_hemisphere():
    picture = Image.new("RGB", (20, 20))
    exif = Image.Exif()
    exif[0x8825] = {1: "S\x00", 2: MONAS_DMS[0], 3: "E\x00", 4: MONAS_DMS[1]}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)

    photo = photo_process(data=out.getvalue())

    assert photo.gps_latitude == pytest.approx(-6.1754, abs=1e-4)


@pytest.mark.parametrize(
    "name", ["corrupt-exif-struct.jpg", "corrupt-exif-attribute.jpg"]
)
def test_a_photo_with_a_malformed_exif_block_is_still_usable(name):
    from pathlib import Path

    data = (Path(__file__).parent / "data" / name).read_bytes()
    photo = photo_process(data=data, name=name)
    assert not reopen(photo.image).getexif()


def test_the_upload_handler_passes_on_at_most_one_byte_past_the_limit(settings):
    from complaints.uploads import PhotoSizeCapHandler

    settings.WARGA_MAX_PHOTO_BYTES = 10
    handler = PhotoSizeCapHandler()
    handler.new_file("photos", "big.jpg", "image/jpeg", 100)
    passed = [handler.receive_data_chunk(b"x" * 8, 0) for _ in range(3)]
    assert passed == [b"x" * 8, b"xxx", None]
