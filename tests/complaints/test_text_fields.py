"""Text as people type it: markup, right-to-left and zero-width characters, emoji,
combining marks and 10,000-character words are stored exactly as sent, and shown
escaped, whatever the channel (issue 8, "Bad input, at volume").

Only what the database cannot hold (a NUL) and what is longer than a field allows
are refused: a clear 400 or form error, nothing saved.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from complaints.models import Comment, Report, ReportEvent
from complaints.services.comments import comment_add
from complaints.workflow import Action, InvalidInput, transition
from tests.factories import (
    KUNINGAN,
    citizen,
    image_bytes,
    integrator,
    officer,
    report_filed,
    upload,
)

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # Kuningan Timur, where KUNINGAN is
INTAKE = reverse("complaints:report-create")
API_REPORTS = reverse("api:report-list")
OPEN311 = "/open311/v2"
EXPORT = reverse("transparency:export-csv")

# Each fits a title (150 characters); none starts or ends with white space, which
# every text field trims.
NASTY = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '<img src=x onerror="alert(document.cookie)">',
    "textarea-close": "</textarea><script>alert('x')</script>",
    "comment-and-cdata": "<!-- x --><![CDATA[ ]]> a < b && c > d",
    "entities-and-template-tags": "&amp; &lt;b&gt; &#60; {{ secret }} {% csrf_token %}",
    "quotes": "\"double\" 'single' `back` \\backslash",
    "rtl-override": "شارع مكسور \u202egpj.exe\u202c רחוב שבור",
    "zero-width": "\u200bjalan\u200d\u200brusak\ufeff\u2060",
    "emoji": "👍🏽 👩🏾\u200d🔧 👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 🇮🇩",
    "combining-marks": "Ja\u0301lan Z\u0351\u0364a\u0308\u0327l\u036ego"
    "e\u0301 \u0e01\u0e33",
    "lines": "satu\ndua\r\ntiga",
}
TITLES = {k: v for k, v in NASTY.items() if "\n" not in v}
LONG_WORD = "Sampahmenumpuk" * 714 + "bau!"  # one word, 10,000 characters
assert len(LONG_WORD) == 10_000


@pytest.fixture(autouse=True)
def fresh_limits(db):
    """Rate limits and cached pages from other tests do not leak in."""
    cache.clear()
    yield
    cache.clear()


def web_form(**overrides) -> dict:
    from complaints.models import Category

    data = {
        "category": Category.objects.get(code="sampah").pk,
        "title": "Sampah menumpuk",
        "description": "Sudah tiga hari.",
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        "location_source": "pin",
        "reporter_name": "Budi",
        "reporter_email": "budi@example.com",
        "photos": [upload(image_bytes())],
    }
    data.update(overrides)
    return data


def api_client(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def shown(text: str) -> str:
    """How a page shows a text field: escaped (and its lines broken with <br>)."""
    return linebreaksbr(text, autoescape=True)


def assert_escaped(html: str, text: str) -> None:
    """The page holds the text escaped, and never as markup: the pages write no
    bare "<script>" of their own (their scripts have a src)."""
    assert shown(text) in html
    if any(c in text for c in "<>&\"'"):
        assert text not in html
    for raw in ("<script>", "<img src=x", "<!-- x", "<![CDATA["):
        if raw in text:
            assert raw not in html, raw


def clerk_of(client):
    account = officer(unit_code=HOME)
    client.force_login(account)
    return account


def act(client, namespace: str, report: Report, action: str, data=None):
    url = reverse(
        f"{namespace}:report-act", kwargs={"ticket": report.ticket, "action": action}
    )
    version = Report.objects.get(pk=report.pk).version
    return client.post(url, {"version": version, **(data or {})})


# -- intake -----------------------------------------------------------------------


@pytest.mark.parametrize("text", TITLES.values(), ids=TITLES.keys())
def test_web_intake_stores_the_text_exactly_and_every_page_shows_it_escaped(
    client, text, django_capture_on_commit_callbacks
):
    description = f"{text}\n{text}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INTAKE, web_form(title=text, description=description, public_name=text)
        )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.title, report.description, report.public_name) == (
        text,
        description,
        text,
    )
    public = client.get(report.get_absolute_url()).content.decode()
    assert_escaped(public, text)
    assert shown(description) in public
    assert f'<h1 dir="auto">{escape(text)}</h1>' in public
    assert f'<p class="description" dir="auto">{shown(description)}</p>' in public
    listing = client.get(reverse("transparency:report-list")).content.decode()
    assert f'<strong dir="auto">{escape(text)}</strong>' in listing

    clerk_of(client)
    workspace = client.get(reverse("officers:report", args=[report.ticket]))
    assert_escaped(workspace.content.decode(), text)
    inbox = client.get(reverse("officers:inbox")).content.decode()
    assert f'<strong dir="auto">{escape(text)}</strong>' in inbox
    # The receipt is plain text: the title as written, nothing escaped.
    [receipt] = mail.outbox
    assert text in receipt.body
    assert receipt.content_subtype == "plain"
    assert not getattr(receipt, "alternatives", None)


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
def test_api_intake_stores_the_text_exactly(text):
    _connector, key = integrator(channel_code="qlue")
    api = api_client(key)
    title = text.replace("\r", "").replace("\n", " ")
    body = {
        "category": "sampah",
        "title": title,
        "description": text,
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
    }

    response = api.post(API_REPORTS, body, format="json")

    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert (report.title, report.description) == (title, text)
    assert (response.json()["title"], response.json()["description"]) == (title, text)
    again = api.get(reverse("api:report-detail", args=[report.ticket])).json()
    assert (again["title"], again["description"]) == (title, text)


def test_a_10000_character_word_fits_a_description_and_wraps_on_the_page(client):
    response = client.post(INTAKE, web_form(description=LONG_WORD))

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.description == LONG_WORD
    page = client.get(report.get_absolute_url()).content.decode()
    assert f'<p class="description" dir="auto">{LONG_WORD}</p>' in page
    css = (Path(settings.BASE_DIR) / "static" / "css" / "warga.css").read_text()
    assert '[dir="auto"] { overflow-wrap: anywhere; }' in css


def test_a_10000_character_word_fits_an_api_description():
    _connector, key = integrator(channel_code="qlue")
    body = {
        "category": "sampah",
        "title": "Panjang",
        "description": LONG_WORD,
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
    }
    response = api_client(key).post(API_REPORTS, body, format="json")
    assert response.status_code == 201, response.json()
    assert Report.objects.get().description == LONG_WORD


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": LONG_WORD + "x"}, "description"),
        ({"title": LONG_WORD}, "title"),
        ({"address": LONG_WORD}, "address"),
        ({"public_name": LONG_WORD}, "public_name"),
        ({"description": "Sampah\x00menumpuk"}, "description"),
    ],
    ids=["10001-description", "10000-title", "10000-address", "10000-name", "nul"],
)
def test_text_a_field_cannot_hold_is_a_form_error_and_nothing_is_saved(
    client, media_files, overrides, field
):
    response = client.post(INTAKE, web_form(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Report.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": LONG_WORD + "x"}, "description"),
        ({"title": LONG_WORD}, "title"),
        ({"description": "Sampah\x00menumpuk"}, "description"),
        ({"title": "Sampah\ud800"}, "title"),  # a lone surrogate: not UTF-8 text
    ],
    ids=["10001-description", "10000-title", "nul", "lone-surrogate"],
)
def test_text_a_field_cannot_hold_is_a_400_in_the_api_and_nothing_is_saved(
    overrides, field
):
    _connector, key = integrator(channel_code="qlue")
    body = {
        "category": "sampah",
        "title": "Sampah",
        "description": "Menumpuk.",
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        **overrides,
    }
    # As sent on the wire: json.dumps writes a lone surrogate as the escape
    # "\ud800", which JSON allows.
    response = api_client(key).post(
        API_REPORTS, json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


# -- Open311 ----------------------------------------------------------------------


def open311_file(key: str, description: str):
    data = {
        "api_key": key,
        "service_code": "sampah",
        "lat": KUNINGAN[0],
        "long": KUNINGAN[1],
        "description": description,
    }
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        f"{OPEN311}/requests.json",
        urlencode(data),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
def test_open311_stores_the_text_exactly_and_answers_it_in_json_and_xml(text):
    _connector, key = integrator(channel_code="qlue")

    response = open311_file(key, text)

    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.description == text
    reader = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    as_json = reader.get(f"{OPEN311}/requests/{report.ticket}.json")
    assert as_json.json()[0]["description"] == text
    as_xml = reader.get(f"{OPEN311}/requests/{report.ticket}.xml").content
    root = ET.fromstring(as_xml)  # well-formed, or this raises
    assert root.find("request/description").text == text
    assert root.find("request/service_name") is not None
    if "<" in text:
        assert text.encode() not in as_xml


def test_open311_keeps_the_specs_4000_characters_for_a_description():
    """GeoReport v2 limits a description to 4,000 characters: a 10,000-character
    word is refused by name, nothing saved."""
    _connector, key = integrator(channel_code="qlue")

    response = open311_file(key, LONG_WORD)

    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("description: ")
    assert not Report.objects.exists()


# -- comments ---------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
def test_a_comment_is_stored_exactly_and_shown_escaped(client, text):
    report = report_filed()
    client.force_login(citizen())
    url = reverse("transparency:comment-create", args=[report.ticket])
    name = text.replace("\r", "").replace("\n", " ")[:60]

    response = client.post(url, {"body": text, "display_name": name})

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.body, comment.display_name) == (text, name)
    public = client.get(report.get_absolute_url()).content.decode()
    assert_escaped(public, text)
    assert f'<p class="body" dir="auto">{shown(text)}</p>' in public
    assert f'<strong dir="auto">{escape(name)}</strong>' in public
    clerk_of(client)
    workspace = client.get(reverse("officers:report", args=[report.ticket]))
    assert_escaped(workspace.content.decode(), text)


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
def test_a_comment_through_the_api_is_stored_exactly(text):
    _connector, key = integrator(channel_code="qlue")
    api = api_client(key)
    ticket = api.post(
        API_REPORTS,
        {
            "category": "sampah",
            "title": "Sampah",
            "description": "Menumpuk.",
            "latitude": KUNINGAN[0],
            "longitude": KUNINGAN[1],
        },
        format="json",
    ).json()["ticket"]
    url = reverse("api:report-comments", args=[ticket])

    response = api.post(url, {"body": text}, format="json")

    assert response.status_code == 201, response.json()
    assert Comment.objects.get().body == text
    assert api.get(url).json()[0]["body"] == text


@pytest.mark.parametrize(
    "body", [LONG_WORD, "Halo\x00"], ids=["10000-word-over-2000", "nul"]
)
def test_a_comment_the_field_cannot_hold_is_refused_and_nothing_is_saved(client, body):
    report = report_filed()
    client.force_login(citizen())
    url = reverse("transparency:comment-create", args=[report.ticket])

    response = client.post(url, {"body": body})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["body"]
    assert not Comment.objects.exists()


def test_a_2000_character_word_fits_a_comment(client):
    report = report_filed()
    client.force_login(citizen())
    url = reverse("transparency:comment-create", args=[report.ticket])
    response = client.post(url, {"body": LONG_WORD[:2000]})
    assert response.status_code == 302
    assert Comment.objects.get().body == LONG_WORD[:2000]


def test_the_comment_service_refuses_a_nul_whoever_calls_it():
    from django.core.exceptions import ValidationError

    report = report_filed()
    with pytest.raises(ValidationError) as refused:
        comment_add(actor=citizen(), report=report, body="Halo\x00")
    assert "body" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        comment_add(actor=citizen(), report=report, body="Halo", display_name="a\x00")
    assert "display_name" in refused.value.message_dict
    assert not Comment.objects.exists()


# -- follow-up notes and dispute reasons ------------------------------------------


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
def test_a_follow_up_note_is_stored_exactly_shown_escaped_and_emailed_as_written(
    client, text, django_capture_on_commit_callbacks
):
    report = report_filed()
    clerk_of(client)
    assert act(client, "officers", report, "accept").status_code == 302
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, "officers", report, "follow_up", {"note": text})

    assert response.status_code == 302
    event = ReportEvent.objects.get(report=report, action="follow_up")
    assert event.note == text
    workspace = client.get(reverse("officers:report", args=[report.ticket]))
    assert f'<blockquote dir="auto">{shown(text)}</blockquote>' in (
        workspace.content.decode()
    )
    assert_escaped(workspace.content.decode(), text)
    client.logout()
    public = client.get(report.get_absolute_url()).content.decode()
    assert f'<blockquote dir="auto">{shown(text)}</blockquote>' in public
    assert_escaped(public, text)
    # The reporter hears of it by a plain-text email: the note as written.
    [email] = [m for m in mail.outbox if report.reporter.email in m.to]
    assert text in email.body
    assert email.content_subtype == "plain"
    assert not getattr(email, "alternatives", None)


@pytest.mark.parametrize(
    "note", [LONG_WORD, "Selesai\x00"], ids=["10000-word-over-5000", "nul"]
)
def test_a_follow_up_note_the_field_cannot_hold_is_refused_and_nothing_is_saved(
    client, note
):
    report = report_filed()
    clerk_of(client)
    act(client, "officers", report, "accept")

    response = act(client, "officers", report, "follow_up", {"note": note})

    assert response.status_code == 400
    assert not ReportEvent.objects.filter(action="follow_up").exists()


def test_the_workflow_refuses_a_nul_in_a_note_whoever_calls_it():
    report = report_filed()
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)

    with pytest.raises(InvalidInput):
        transition(
            actor=clerk,
            report_id=report.pk,
            action=Action.FOLLOW_UP,
            note="Selesai\x00",
        )
    assert not ReportEvent.objects.filter(action="follow_up").exists()


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
def test_a_dispute_reason_is_stored_exactly_and_shown_escaped(client, text):
    from complaints.services.photos import PhotoUpload

    report = report_filed()
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("after.jpg", image_bytes(color=(1, 150, 1)))],
    )
    client.force_login(report.reporter)

    response = act(client, "transparency", report, "dispute", {"note": text})

    assert response.status_code == 302
    assert ReportEvent.objects.get(report=report, action="dispute").note == text
    public = client.get(report.get_absolute_url()).content.decode()
    assert f'<blockquote dir="auto">{shown(text)}</blockquote>' in public
    assert_escaped(public, text)


# -- open data --------------------------------------------------------------------

FORMULAS = ["=1+1", "+62 812", "-5 derajat", "@SUM(A1)", '=HYPERLINK("x","y")']


def test_the_exports_carry_each_title_exactly_the_csv_with_formulas_made_inert(
    client,
):
    base = report_filed()
    titles = [*TITLES.values(), *FORMULAS]
    copies = []
    for i, title in enumerate(titles):
        copy = Report.objects.get(pk=base.pk)
        copy.pk, copy.ticket, copy.title = None, f"JKT-2501-8{i:05d}", title
        copies.append(copy)
    Report.objects.bulk_create(copies)

    response = client.get(EXPORT)

    text = b"".join(response.streaming_content).decode("utf-8")
    rows = {r["ticket"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    for i, title in enumerate(titles):
        expected = "'" + title if title[0] in "=+-@" else title
        assert rows[f"JKT-2501-8{i:05d}"]["title"] == expected
    # GeoJSON is read by programs, not spreadsheets: every title as written.
    geojson = client.get(reverse("transparency:export-geojson"))
    features = json.loads(b"".join(geojson.streaming_content))["features"]
    by_ticket = {f["properties"]["ticket"]: f["properties"] for f in features}
    for i, title in enumerate(titles):
        assert by_ticket[f"JKT-2501-8{i:05d}"]["title"] == title
