"""Privacy, without exception: a crawl of every public page, JSON endpoint and export
of a seeded database finds none of the reporters' personal data, no officer's name,
and no photo with metadata."""

import csv
import io
import json
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from complaints.models import Category, Report
from officers.models import Membership
from tests.complaints.privacy_world import world_build

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


# -- a crawl over reports in every state, with distinctive secrets ---------------


@pytest.fixture
def world(settings, tmp_path, django_capture_on_commit_callbacks, mailoutbox):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        built = world_build()
    yield built
    cache.clear()


def _leaks(pages: dict[str, bytes], secrets) -> list[tuple[str, str]]:
    return [
        (url, secret)
        for url, body in pages.items()
        for secret in secrets
        if secret.encode() in body
    ]


def _world_starts(world) -> list[str]:
    point = world.reporters["web_named"].point
    return [
        reverse("transparency:home"),
        reverse("transparency:report-list"),
        reverse("transparency:stats"),
        reverse("transparency:track") + f"?ticket={world.ticket('web_anonymous')}",
        reverse("transparency:export-csv"),
        reverse("transparency:export-geojson"),
        *(
            f"{reverse('transparency:map-data')}?bbox={JAKARTA_BBOX}&zoom={z}"
            for z in (10, 13, 15, 17, 18)
        ),
        f"{reverse('transparency:nearby')}?category=sampah"
        f"&lat={point[0]}&lng={point[1]}",
        *(r.get_absolute_url() for r in world.reports.values()),
    ]


def test_no_public_page_shows_a_reporter_in_any_state(world, settings):
    """The portal, crawled anonymously (with the shared page cache on, after the
    reporter looked at her own reports), in English, and as a logged-in citizen
    who is not the reporter."""
    settings.WARGA_PAGE_CACHE_SECONDS = 60
    sekar = Client(HTTP_ACCEPT_LANGUAGE="en")
    sekar.force_login(world.citizens["sekar"])
    for key in ("web_named", "web_anonymous"):
        assert sekar.get(world.reports[key].get_absolute_url()).status_code == 200
    starts = _world_starts(world)
    pages = {}
    for name, client in (
        ("anonymous", Client()),
        ("anonymous-again", Client()),  # answered from the shared cache
        ("en", Client(HTTP_ACCEPT_LANGUAGE="en")),
        ("commenter", Client()),
    ):
        if name == "commenter":
            client.force_login(world.citizens["commenter"])
        pages.update({f"{name}:{k}": v for k, v in _crawl(client, starts).items()})
    assert len(pages) > 60
    assert _leaks(pages, world.secrets) == []
    # The anonymous report's page never names its reporter, not even by the
    # name she shows on her other report, which does show it.
    for name in ("anonymous", "anonymous-again", "en", "commenter"):
        anonymous = pages[f"{name}:{world.reports['web_anonymous'].get_absolute_url()}"]
        named = pages[f"{name}:{world.reports['web_named'].get_absolute_url()}"]
        public_name = world.reporters["web_named"].public_name.encode()
        assert public_name not in anonymous and public_name in named, name
    # The pin is the rounded point.
    for key, reporter in world.reporters.items():
        page = pages[f"anonymous:{world.reports[key].get_absolute_url()}"].decode()
        lat, lng = reporter.public_point
        assert f'data-lat="{lat:f}" data-lng="{lng:f}"' in page, key


def test_exports_carry_only_rounded_points_and_no_reporter(world):
    client = Client()
    csv_url = reverse("transparency:export-csv")
    geojson_url = reverse("transparency:export-geojson")
    answers = {}
    filters = [
        "",
        "?category=sampah",
        "?kelurahan=31.74.02.1008",
        *(f"?colour={c}" for c in ("red", "yellow", "green", "grey")),
        "?channel=qlue",
        "?channel=web",
    ]
    for query in filters:
        for url in (csv_url + query, geojson_url + query):
            response = client.get(url)
            assert response.status_code == 200, url
            answers[url] = b"".join(response.streaming_content)
    # Searching for a reporter's details finds nothing: the search box reads
    # titles and descriptions only.
    for secret in sorted(world.personal_secrets):
        for url in (csv_url, geojson_url):
            response = client.get(url, {"q": secret})
            body = b"".join(response.streaming_content)
            answers[f"{url}?q={secret}"] = body
            for report in world.reports.values():
                assert report.ticket.encode() not in body, (url, secret)
    assert _leaks(answers, world.secrets) == []
    rows = list(csv.DictReader(io.StringIO(answers[csv_url].decode())))
    features = json.loads(answers[geojson_url])["features"]
    by_ticket = {world.ticket(k): k for k in world.reports}
    assert {r["ticket"] for r in rows} == set(by_ticket)
    for row in rows:
        expected = world.reporters[by_ticket[row["ticket"]]].public_point
        assert (float(row["latitude"]), float(row["longitude"])) == expected
    for feature in features:
        expected = world.reporters[by_ticket[feature["properties"]["ticket"]]]
        lng, lat = feature["geometry"]["coordinates"]
        assert (lat, lng) == expected.public_point
        assert not [k for k in _keys(feature) if "reporter" in k or "email" in k]
    assert len(answers) > 50


def test_error_pages_show_no_reporter(world, settings, monkeypatch):
    """404, 405, CSRF failures, 429 from each limit and 500s: none of them
    repeats anything of a reporter."""
    from complaints.models import Comment
    from config.api import IntegratorRateThrottle

    named = world.reports["web_named"]
    anonymous = world.reports["web_anonymous"]
    reporter = world.reporters["web_named"]
    key = world.keys["connector"]
    answers: dict[str, tuple[int, bytes]] = {}

    def keep(label, response):
        answers[label] = (response.status_code, response.content)

    # 404 and 405.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for url in (
        "/reports/JKT-2611-999999/",
        f"/{reporter.email}/",
        "/no-such-page/",
        "/api/v1/nothing-here/",
        f"/api/v1/reports/{reporter.email}/",
        "/open311/v2/requests/JKT-2611-999999.json",
        "/open311/v2/requests/JKT-2611-999999.xml",
        "/open311/v2/nothing.xml",
        f"/reports/{named.ticket}/survey/",  # GET of a POST-only page: 405
        f"/reports/{named.ticket}/nonsense/",
    ):
        keep(url, client.get(url))
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {world.keys['gambir_system']}")
    keep("api-404-other-unit", api.get(f"/api/v1/reports/{named.ticket}/"))

    # CSRF failures: a logged-in citizen's form posted without its token.
    forged = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    forged.force_login(world.citizens["commenter"])
    keep(
        "csrf-comment",
        forged.post(f"/reports/{named.ticket}/comments/", {"body": "Palsu"}),
    )
    keep("csrf-support", forged.post(f"/reports/{anonymous.ticket}/support/"))
    keep("csrf-follow", forged.post(f"/reports/{anonymous.ticket}/follow/"))
    keep("csrf-logout", forged.post(reverse("accounts:logout")))
    assert {answers[k][0] for k in answers if k.startswith("csrf")} == {403}
    assert not Comment.objects.filter(body="Palsu").exists()

    # 429 from the portal's limits, as a page and as JSON.
    cache.clear()
    settings.WARGA_RATE_COMMENTS = "1/h"
    settings.WARGA_RATE_SUPPORTS = "1/h"
    commenter = Client(HTTP_ACCEPT_LANGUAGE="en")
    commenter.force_login(world.citizens["commenter"])
    url = f"/reports/{anonymous.ticket}/comments/"
    commenter.post(url, {"body": "Satu"})
    keep("429-comment", commenter.post(url, {"body": "Dua"}))
    keep(
        "429-comment-json",
        commenter.post(url, {"body": "Tiga"}, HTTP_ACCEPT="application/json"),
    )
    commenter.post(f"/reports/{world.ticket('phone_coordinated')}/support/")
    keep("429-support", commenter.post(f"/reports/{named.ticket}/support/"))
    # ... from Open311's and from the API's.
    settings.WARGA_OPEN311_RATE_GET = "1/minute"
    open311 = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    for fmt in ("json", "xml"):
        open311.get(f"/open311/v2/requests/{named.ticket}.{fmt}")
        keep(f"429-open311-{fmt}", open311.get(f"/open311/v2/requests.{fmt}"))
    monkeypatch.setattr(IntegratorRateThrottle, "rate", "1/minute", raising=False)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.get(f"/api/v1/reports/{world.ticket('api_anonymous')}/")
    keep("429-api", api.get(f"/api/v1/reports/{world.ticket('api_anonymous')}/"))
    assert {answers[k][0] for k in answers if k.startswith("429")} == {429}
    monkeypatch.undo()
    settings.WARGA_OPEN311_RATE_GET = "100000/minute"
    cache.clear()

    # 500s: the view fails with the reporter's details in the exception.
    def fails(*args, **kwargs):
        raise RuntimeError(f"{reporter.name} {reporter.email} {reporter.phone}")

    monkeypatch.setattr("transparency.views.reports.report_public_get", fails)
    monkeypatch.setattr("complaints.api.reports.detail_of", fails)
    monkeypatch.setattr("open311.views.service_request_public", fails)
    settings.DEBUG = False
    for label, browser, url in (
        ("500-page", Client(), named.get_absolute_url()),
        (
            "500-page-en",
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            anonymous.get_absolute_url(),
        ),
        ("500-open311-json", Client(), f"/open311/v2/requests/{named.ticket}.json"),
        ("500-open311-xml", Client(), f"/open311/v2/requests/{named.ticket}.xml"),
        (
            "500-api",
            Client(HTTP_AUTHORIZATION=f"Token {key}"),
            f"/api/v1/reports/{world.ticket('api_anonymous')}/",
        ),
    ):
        browser.raise_request_exception = False
        keep(label, browser.get(url))
    assert {answers[k][0] for k in answers if k.startswith("500")} == {500}

    assert all(status < 500 for k, (status, _) in answers.items() if "500" not in k)
    assert len(answers) > 25
    pages = {label: body for label, (_status, body) in answers.items()}
    # A 404 of a URL the visitor typed may say back what they typed; none does.
    assert _leaks(pages, world.secrets) == []


def test_emails_to_other_citizens_carry_no_reporter(world, mailoutbox):
    """Followers of the report and of its kelurahan, supporters, and the
    reporters of duplicates hear about a report; none learns who reported it."""
    by_ticket = {world.ticket(k): k for k in world.reports}
    to_others = 0
    for message in mailoutbox:
        [address] = message.to
        tickets = [t for t in by_ticket if t in message.subject]
        assert len(tickets) == 1, message.subject
        key = by_ticket[tickets[0]]
        report = world.reports[key]
        own = {report.reporter_email.lower()}
        if report.reporter_id:
            own.add(report.reporter.email.lower())
        text = "\n".join(
            [message.subject, message.body, *map(str, message.extra_headers.values())]
        )
        if address.lower() in own:
            # The reporter's own receipt and news: nobody else's details.
            secrets = world.secrets - set(world.reporters[key].personal)
            secrets -= set(world.reporters[key].coordinates)
        else:
            to_others += 1
            secrets = world.secrets
            assert world.reporters["web_named"].public_name not in text or (
                key == "web_named"
            )
        assert [s for s in secrets if s in text] == [], (address, message.subject)
    assert to_others > 30
    # Who heard: the followers, the supporter, the duplicate's reporter.
    others = {m.to[0] for m in mailoutbox} - {r.email for r in world.reporters.values()}
    assert others == {
        world.citizens[c].email for c in ("supporter", "follower", "area_follower")
    }
