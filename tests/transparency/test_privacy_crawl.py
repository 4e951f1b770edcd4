"""Privacy, without exception: a crawl of every public page, JSON endpoint and export
of a seeded database finds none of the reporters' personal data, no officer's name,
and no photo with metadata."""

import io
import json
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from complaints.models import Category, Report
from officers.models import Membership

pytestmark = pytest.mark.usefixtures("ref")

# Paths the crawl never follows: the back-office and the admin need a login (and
# are not public), and the account pages change state.
PRIVATE_PREFIXES = ("/office/", "/admin/", "/akun/", "/api/", "/i18n/", "/lapor/")
MAX_PAGES = 400
JAKARTA_BBOX = "106.6,-6.4,107.0,-6.0"


def _secrets() -> set[str]:
    """What must never appear: every reporter's name, email, phone and typed address,
    every officer's and citizen's account name, and the demo citizen's own details."""
    found = set()
    for name, email, phone, address in Report.objects.values_list(
        "reporter_name", "reporter_email", "reporter_phone", "address"
    ):
        found.update(v for v in (name, email, phone, address) if v)
    for user in get_user_model().objects.all():
        found.update(v for v in (user.email, user.get_full_name()) if v)
        # "monitoring" or "supervisor" are also plain words of the interface.
        if "." in user.username or "@" in user.username:
            found.add(user.username)
    return found


def _keys(value) -> set[str]:
    """Every key of a JSON document, however deep."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _links(html: str) -> set[str]:
    return {
        urldefrag(href.replace("&amp;", "&"))[0]
        for href in re.findall(r'(?:href|src)="([^"]+)"', html)
    }


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", reports=80, stdout=io.StringIO())
    assert Report.objects.count() == 80
    assert Membership.objects.exists()


def _crawl(client: Client, starts: list[str]) -> dict[str, bytes]:
    seen: dict[str, bytes] = {}
    queue = deque(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        seen[url] = body
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _links(body.decode()):
            parts = urlsplit(link)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(PRIVATE_PREFIXES):
                continue
            if "/static/" in parts.path:
                continue
            if link not in seen:
                queue.append(link)
    return seen


def test_no_public_page_endpoint_or_export_shows_personal_data(seeded):
    client = Client()
    report = Report.objects.filter(latitude__isnull=False).order_by("id").first()
    category = Category.objects.order_by("id").first()
    starts = [
        reverse("transparency:home"),
        reverse("transparency:report-list"),
        reverse("transparency:stats"),
        reverse("transparency:export-csv"),
        reverse("transparency:export-geojson"),
        reverse("routing:kelurahan-boundaries"),
        *(
            f"{reverse('transparency:map-data')}?bbox={JAKARTA_BBOX}&zoom={z}"
            for z in (10, 13, 17)
        ),
        f"{reverse('transparency:nearby')}?category={category.code}"
        f"&lat={report.latitude}&lng={report.longitude}",
        *(r.get_absolute_url() for r in Report.objects.all()),
    ]
    pages = _crawl(client, starts)
    # English too: the crawl in the other language finds other sentences.
    pages.update(
        {
            f"en:{k}": v
            for k, v in _crawl(Client(HTTP_ACCEPT_LANGUAGE="en"), starts[:8]).items()
        }
    )
    assert len(pages) > 100
    secrets = _secrets()
    assert len(secrets) > 50
    leaks = [
        (url, secret)
        for url, body in pages.items()
        for secret in secrets
        if secret.encode() in body
    ]
    assert leaks == []
    # No JSON anywhere carries a reporter or an account field.
    for url, body in pages.items():
        if url.endswith(".json") or ".json?" in url or "geojson" in url:
            keys = _keys(json.loads(body))
            for word in ("reporter", "email", "phone", "user", "address"):
                assert not [k for k in keys if word in k.lower()], (url, word)


def test_every_photo_the_public_sees_carries_no_metadata(seeded):
    client = Client()
    photo_urls = set()
    for report in Report.objects.filter(photos__isnull=False).distinct()[:15]:
        html = client.get(report.get_absolute_url()).content.decode()
        photo_urls.update(u for u in _links(html) if "/media/" in u)
    assert photo_urls
    for url in photo_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        data = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        image = Image.open(io.BytesIO(data))
        assert not image.getexif(), url
        assert "exif" not in image.info and "xmp" not in image.info, url
