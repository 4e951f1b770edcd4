"""Every HTML page carries a strict Content-Security-Policy: scripts and styles only
from our own files, images also from the map tiles and the photo storage, no
framing, no plugins, forms posting only here. The uploaded photos keep their own
stricter policy."""

import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from complaints.models import ReportPhoto
from tests.config.test_deployment_settings import settings_under
from tests.factories import officer, report_filed

pytestmark = pytest.mark.usefixtures("ref")

# Not followed: files (checked apart), state changes, the language switch.
SKIPPED = ("/static/", "/media/", "/i18n/", "/akun/keluar/", "/api/v1/schema/")
MAX_PAGES = 120


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values for name, *values in (part.split() for part in header.split(";"))
    }


def crawl(client: Client, starts: list[str], *, limit: int = MAX_PAGES) -> dict:
    """Every same-site page reachable from ``starts``: url -> response."""
    seen: dict = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(SKIPPED):
            continue
        response = client.get(url)
        seen[url] = response
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'(?:href|action)="([^"]+)"', response.content.decode()):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(link)
            if link.startswith("/") and not parts.netloc:
                queue.append(link)
    return seen


def assert_strict(response, url: str) -> None:
    assert "Content-Security-Policy" in response, url
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], url
    assert policy["script-src"] == ["'self'"], url
    assert policy["style-src"] == ["'self'"], url
    assert policy["object-src"] == ["'none'"], url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["form-action"] == ["'self'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert not any("unsafe" in v for values in policy.values() for v in values), url


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", reports=20, stdout=io.StringIO())


def test_every_public_page_carries_the_strict_policy(seeded):
    pages = crawl(Client(HTTP_ACCEPT_LANGUAGE="en"), ["/"])
    html = {
        url: r
        for url, r in pages.items()
        if "text/html" in r.get("Content-Type", "") and r.status_code < 300
    }
    assert len(html) > 20, sorted(pages)
    for url, response in html.items():
        assert_strict(response, url)


def test_every_back_office_page_carries_the_strict_policy(seeded, client):
    client.force_login(officer())
    pages = crawl(client, ["/office/"], limit=60)
    html = [
        (url, r)
        for url, r in pages.items()
        if "text/html" in r.get("Content-Type", "") and r.status_code < 300
    ]
    assert len(html) > 5, sorted(pages)
    for url, response in html:
        assert_strict(response, url)


@pytest.mark.parametrize(
    "url",
    [
        "/akun/masuk/",
        "/akun/daftar/",
        "/lapor/",
        "/admin/login/",
        "/api/v1/docs/",
        "/no-such-page/",
    ],
)
def test_forms_admin_docs_and_errors_carry_the_strict_policy(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_strict(response, url)


def test_the_admin_carries_the_strict_policy(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    for url in ["/admin/", "/admin/complaints/report/", "/admin/auth/user/add/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)


def test_the_api_docs_page_has_no_inline_script(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert not re.search(r"<script>|<style>", page)
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_images_may_come_from_the_map_tiles(client):
    img = directives(client.get("/"))["img-src"]
    assert img[:3] == ["'self'", "data:", "blob:"]
    assert "https://tile.openstreetmap.org" in img


def test_the_image_origins_follow_the_tile_server_and_the_photo_storage():
    found = settings_under(
        {
            "WARGA_MAP_TILE_URL": "https://{s}.tiles.example.net/{z}/{x}/{y}.png",
            "WARGA_S3_BUCKET": "warga-media",
            "WARGA_MEDIA_CDN_DOMAIN": "media.warga.example.go.id",
        },
        "CONTENT_SECURITY_POLICY",
    )
    img = found["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://*.tiles.example.net" in img
    assert "https://media.warga.example.go.id" in img

    signed = settings_under(
        {"WARGA_S3_BUCKET": "warga-media", "WARGA_S3_ENDPOINT_URL": "https://s3.x.net"},
        "CONTENT_SECURITY_POLICY",
    )["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://s3.x.net" in signed
    assert "https://warga-media.s3.x.net" in signed
    assert not any("amazonaws" in origin for origin in signed)


def test_an_uploaded_photo_keeps_its_own_stricter_policy(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report_filed()
    photo = ReportPhoto.objects.get()
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
