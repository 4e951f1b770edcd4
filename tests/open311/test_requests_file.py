"""Filing service requests (POST requests): as 311 clients send them, filed
through report_submit into the api_key's channel; every bad input refused in the
spec's error format, with nothing saved and no file left."""

import json
from urllib.parse import urlencode

import pytest
from rest_framework.authtoken.models import Token

from complaints.models import Category, Report
from complaints.services.intake import TITLE_MAX
from open311.tokens import ticket_of
from tests.factories import (
    BANDUNG,
    GAMBIR_CODE,
    KUNINGAN,
    KUNINGAN_TIMUR_CODE,
    citizen,
    image_bytes,
    integrator,
)
from tests.open311.spec import BASE, FILED_KEYS, answer, child_tags, errors_of

pytestmark = pytest.mark.usefixtures("ref")
FORMATS = ["json", "xml"]
FORM = "application/x-www-form-urlencoded; charset=utf-8"
DESCRIPTION = "Lubang besar di lajur kiri, sudah dua minggu dan makin dalam tiap hujan."


def post(api, fmt: str, data: dict, **headers):
    """POST as the spec's example does: a form, urlencoded."""
    return api.post(
        f"{BASE}/requests.{fmt}", urlencode(data), content_type=FORM, **headers
    )


def arguments(key: str, **overrides) -> dict:
    data = {
        "api_key": key,
        "jurisdiction_id": "jakarta.go.id",
        "service_code": "jalan-rusak",
        "lat": KUNINGAN[0],
        "long": KUNINGAN[1],
        "description": DESCRIPTION,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_files_a_request_as_the_spec_sends_it(api, connector, fmt):
    connector_, key = connector

    response = post(
        api,
        fmt,
        arguments(
            key,
            email="warga@example.com",
            first_name="Siti",
            last_name="Rahayu",
            phone="+62 812 0000 1111",
            device_id="tt222111",
            account_id="123456",
            address_string="Jl. H.R. Rasuna Said Kav. 1",
        ),
    )

    assert response.status_code == 201
    [filed] = answer(response, fmt)
    assert list(filed) == FILED_KEYS
    report = Report.objects.get()
    assert filed == {
        "service_request_id": report.ticket,
        "service_notice": "A first response within 24 hours; done within 14 days.",
        "account_id": "123456",
        "token": filed["token"],
    }
    assert ticket_of(filed["token"]) == report.ticket
    assert (report.channel.code, report.integrator) == ("qlue", connector_)
    assert report.category.code == "jalan-rusak"
    assert report.area.code == KUNINGAN_TIMUR_CODE
    assert (report.latitude, report.longitude) == KUNINGAN
    assert report.location_source == "channel"
    assert report.description == DESCRIPTION
    assert report.title.startswith("Jalan rusak: Lubang besar di lajur kiri")
    assert len(report.title) <= TITLE_MAX
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == (
        "Siti Rahayu",
        "warga@example.com",
        "+62 812 0000 1111",
    )
    assert report.address == "Jl. H.R. Rasuna Said Kav. 1"
    assert report.public_name == ""  # anonymous on the portal
    if fmt == "xml":
        assert child_tags(response.content, ".") == ["request"]
        assert child_tags(response.content, "request") == FILED_KEYS


def test_json_bodies_are_accepted_too(api, connector):
    _connector, key = connector
    response = api.post(
        f"{BASE}/requests.json", arguments(key, lat=str(KUNINGAN[0])), format="json"
    )
    assert response.status_code == 201
    assert Report.objects.get().ticket == response.json()[0]["service_request_id"]


def test_the_api_key_may_come_in_the_query_string(api, connector):
    _connector, key = connector
    data = arguments(key)
    del data["api_key"]
    response = api.post(
        f"{BASE}/requests.xml?api_key={key}", urlencode(data), content_type=FORM
    )
    assert response.status_code == 201


def test_an_empty_optional_argument_counts_as_not_sent(api, connector):
    _connector, key = connector
    response = post(
        api, "json", arguments(key, email="", address_string=" ", media_url="")
    )
    assert response.status_code == 201
    assert response.json()[0]["account_id"] is None


@pytest.mark.parametrize(
    "address, code",
    [
        ("Jl. Medan Merdeka Barat, Gambir, Jakarta Pusat", GAMBIR_CODE),
        ("Menara Jamsostek, Kuningan Timur, Setiabudi", KUNINGAN_TIMUR_CODE),
        # Karet Kuningan, not Karet; Cikini, in the kecamatan Menteng.
        ("Jl. Prof. Dr. Satrio, KARET KUNINGAN", "31.74.02.1003"),
        ("Jl. Cikini Raya 73, Menteng, Jakarta Pusat", None),
    ],
)
def test_without_coordinates_the_kelurahan_named_in_the_address_is_the_place(
    api, connector, address, code
):
    _connector, key = connector
    response = post(
        api, "json", arguments(key, lat=None, long=None, address_string=address)
    )

    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    if code is None:
        assert report.area.name == "Cikini"
    else:
        assert report.area.code == code
    assert (report.latitude, report.longitude) == (None, None)
    assert report.location_source == "area"
    assert report.address == address


def test_an_address_id_is_a_kelurahans_code(api, connector):
    _connector, key = connector
    response = post(
        api, "xml", arguments(key, lat=None, long=None, address_id=GAMBIR_CODE)
    )
    assert response.status_code == 201
    assert Report.objects.get().area.code == GAMBIR_CODE


def test_the_same_idempotency_key_gives_the_first_request_back(
    api, connector, media_server
):
    _connector, key = connector
    data = arguments(key, media_url=media_server.url("/photo.jpg"))

    first = post(api, "json", data, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(api, "json", data, HTTP_IDEMPOTENCY_KEY="k-1")
    other = post(api, "json", data, HTTP_IDEMPOTENCY_KEY="k-2")

    assert (first.status_code, again.status_code, other.status_code) == (
        201,
        200,
        201,
    )
    assert (
        first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    )
    assert Report.objects.count() == 2
    assert media_server.hits == {"/photo.jpg": 2}  # not fetched for the retry


def test_markup_in_the_description_is_stored_as_written(api, connector):
    """Kept as sent, whatever the spec's "not html or code" asks of clients: the
    pages and answers escape it (tests/complaints/test_text_fields.py)."""
    _connector, key = connector
    text = "<script>x</script> & <b>lubang</b>"
    response = post(api, "json", arguments(key, description=text))
    assert response.status_code == 201
    assert Report.objects.get().description == text


@pytest.fixture
def nothing_saved(db, media_files):
    """Asserts, after the test, that no report and no file was left behind."""
    yield
    assert Report.objects.count() == 0
    assert media_files() == []


def refused(response, fmt: str, status: int = 400) -> str:
    assert response.status_code == status, response.content
    return " | ".join(e["description"] for e in errors_of(response, fmt))


@pytest.mark.usefixtures("nothing_saved")
class TestBadInput:
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_an_unknown_service_is_a_404_as_the_spec_says(self, api, connector, fmt):
        Category.objects.filter(code="sampah").update(is_active=False)
        _connector, key = connector
        for code in ("no-such-service", "sampah"):
            response = post(api, fmt, arguments(key, service_code=code))
            assert f"No service has the code {code}." in refused(response, fmt, 404)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_a_request_without_a_location_is_refused(self, api, connector, fmt):
        _connector, key = connector
        response = post(api, fmt, arguments(key, lat=None, long=None))
        assert "lat: Say where" in refused(response, fmt)

    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"long": None}, "long: Send both lat and long"),
            ({"lat": "north"}, "lat: A finite number is required."),
            ({"lat": "nan"}, "lat: A finite number is required."),
            ({"long": "200"}, "long: "),
            ({"lat": BANDUNG[0], "long": BANDUNG[1]}, "outside DKI Jakarta"),
        ],
    )
    def test_unusable_coordinates_are_refused(
        self, api, connector, overrides, expected
    ):
        _connector, key = connector
        response = post(api, "json", arguments(key, **overrides))
        assert expected in refused(response, "json")

    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize(
        "address, expected",
        [
            ("Jl. Sudirman No. 1", "names no kelurahan"),
            ("Antara Gambir dan Kuningan Timur", "several kelurahan (Gambir, "),
        ],
    )
    def test_an_address_that_names_no_or_several_kelurahan_asks_for_coordinates(
        self, api, connector, fmt, address, expected
    ):
        _connector, key = connector
        response = post(
            api, fmt, arguments(key, lat=None, long=None, address_string=address)
        )
        message = refused(response, fmt)
        assert message.startswith("address_string: ")
        assert expected in message and "Send lat and long" in message

    def test_an_address_id_that_is_not_a_kelurahan_is_refused(self, api, connector):
        _connector, key = connector
        response = post(
            api, "json", arguments(key, lat=None, long=None, address_id="31.71.01")
        )
        assert "address_id: 31.71.01 is not" in refused(response, "json")

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_an_attribute_we_do_not_define_is_refused_by_name(
        self, api, connector, fmt
    ):
        _connector, key = connector
        data = arguments(key, **{"attribute[WHISPAWN]": "123456"})
        data["attribute[WHISDORN][]"] = "COISL001"
        message = refused(post(api, fmt, data), fmt)
        assert "attribute: No service has the attribute WHISPAWN." in message
        assert "attribute: No service has the attribute WHISDORN." in message

    def test_an_attribute_in_json_is_refused_by_name(self, api, connector):
        _connector, key = connector
        response = api.post(
            f"{BASE}/requests.json",
            {**arguments(key), "attribute": {"COLOUR": "red"}},
            format="json",
        )
        assert "the attribute COLOUR" in refused(response, "json")

    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"description": None}, "description: This field is required."),
            ({"description": "x" * 4001}, "description: "),
            ({"description": "x" * 10_000}, "description: "),
            ({"description": "Sampah\x00"}, "description: Null characters"),
            ({"email": "not-an-email"}, "email: Enter a valid email"),
            ({"phone": "1" * 40}, "phone: "),
            ({"first_name": "a" * 70, "last_name": "b" * 70}, "first_name: At most"),
            ({"service_code": None}, "service_code: This field is required."),
        ],
    )
    def test_unusable_fields_are_refused_by_their_open311_name(
        self, api, connector, overrides, expected
    ):
        _connector, key = connector
        message = refused(post(api, "json", arguments(key, **overrides)), "json")
        assert expected in message

    def test_a_too_long_idempotency_key_is_refused(self, api, connector):
        _connector, key = connector
        response = post(api, "json", arguments(key), HTTP_IDEMPOTENCY_KEY="k" * 101)
        assert "Idempotency-Key: At most 100" in refused(response, "json")

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_a_body_that_is_not_json_is_refused(self, api, connector, fmt):
        response = api.post(
            f"{BASE}/requests.{fmt}", "{not json", content_type="application/json"
        )
        assert "JSON parse error" in refused(response, fmt)

    def test_a_body_of_another_type_is_a_415(self, api, connector):
        response = api.post(
            f"{BASE}/requests.json", "<request/>", content_type="text/xml"
        )
        assert "Unsupported media type" in refused(response, "json", 415)

    @pytest.mark.parametrize(
        "media_url, expected",
        [
            ("ftp://example.com/photo.jpg", "Only http:// and https://"),
            ("not a url", "Only http:// and https://"),
            ("http://127.0.0.1/photo.jpg", "is not a public address"),
            ("http://169.254.169.254/latest/meta-data", "is not a public address"),
        ],
    )
    def test_a_media_url_we_may_not_fetch_is_refused(
        self, api, connector, media_url, expected
    ):
        _connector, key = connector
        message = refused(
            post(api, "json", arguments(key, media_url=media_url)), "json"
        )
        assert message.startswith("media_url: ") and expected in message

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_an_unreachable_media_url_is_refused(
        self, api, connector, media_server, fmt
    ):
        _connector, key = connector
        media_server.stop()
        response = post(
            api, fmt, arguments(key, media_url=media_server.url("/photo.jpg"))
        )
        assert "media_url: The server 127.0.0.1 cannot be reached." in refused(
            response, fmt
        )

    def test_a_media_url_that_answers_an_error_is_refused(
        self, api, connector, media_server
    ):
        _connector, key = connector
        response = post(
            api, "json", arguments(key, media_url=media_server.url("/gone.jpg"))
        )
        assert "media_url: The server answered HTTP 404" in refused(response, "json")

    @pytest.mark.parametrize(
        "body, expected",
        [
            (b"<html>not a photo</html>", "not a photo we can read"),
            (b"", "the file is empty"),
            (image_bytes(fmt="GIF"), "only JPEG, PNG, WebP and HEIC"),
            (image_bytes()[:200], "damaged or incomplete"),
        ],
    )
    def test_media_that_is_not_a_photo_is_refused(
        self, api, connector, media_server, body, expected
    ):
        _connector, key = connector
        media_server.routes["/page.jpg"] = (200, {"Content-Type": "image/jpeg"}, body)
        response = post(
            api, "json", arguments(key, media_url=media_server.url("/page.jpg"))
        )
        message = refused(response, "json")
        assert message.startswith("media_url: page.jpg: ") and expected in message

    def test_media_larger_than_the_upload_limit_is_refused(
        self, api, connector, media_server, settings
    ):
        settings.WARGA_MAX_PHOTO_BYTES = 500
        _connector, key = connector
        response = post(
            api, "json", arguments(key, media_url=media_server.url("/photo.jpg"))
        )
        assert "media_url: The photo is larger than" in refused(response, "json")

    def test_a_bad_photo_with_other_bad_fields_reports_them_all(
        self, api, connector, media_server
    ):
        _connector, key = connector
        media_server.routes["/page.jpg"] = (200, {}, b"<html></html>")
        response = post(
            api,
            "json",
            arguments(key, email="nope", media_url=media_server.url("/page.jpg")),
        )
        message = refused(response, "json")
        assert "email: " in message and "media_url: " in message


@pytest.mark.usefixtures("nothing_saved")
class TestWrongCaller:
    @pytest.mark.parametrize("fmt", FORMATS)
    def test_without_an_api_key_filing_is_a_403(self, api, connector, fmt):
        _connector, key = connector
        response = post(api, fmt, arguments(key, api_key=None))
        assert "No api_key received" in refused(response, fmt, 403)

    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("bad", ["0" * 40, "x" * 500, "key with spaces", "abc\x00"])
    def test_an_unknown_api_key_is_a_403(self, api, connector, fmt, bad):
        response = post(api, fmt, arguments(bad))
        assert "Invalid api_key" in refused(response, fmt, 403)

    def test_a_citizens_token_is_not_an_api_key(self, api):
        key = Token.objects.create(user=citizen()).key
        response = post(api, "json", arguments(key))
        assert "not belong to an active integrator" in refused(response, "json", 403)

    def test_an_inactive_integrators_key_is_refused(self, api, connector):
        connector_, key = connector
        connector_.is_active = False
        connector_.save()
        response = post(api, "json", arguments(key))
        assert "not belong to an active integrator" in refused(response, "json", 403)

    def test_the_key_of_a_disabled_account_is_refused(self, api, connector):
        connector_, key = connector
        connector_.user.is_active = False
        connector_.user.save()
        response = post(api, "json", arguments(key))
        assert "Invalid api_key" in refused(response, "json", 403)

    def test_an_integrator_without_a_channel_may_not_file(self, api):
        _unit_system, key = integrator(
            channel_code=None, unit_code="KEL-" + GAMBIR_CODE
        )
        response = post(api, "json", arguments(key))
        assert "has no channel" in refused(response, "json", 403)

    def test_the_api_key_must_be_a_string(self, api):
        response = api.post(
            f"{BASE}/requests.json",
            json.dumps({"api_key": ["a", "b"], "service_code": "sampah"}),
            content_type="application/json",
        )
        refused(response, "json", 403)


def test_filing_is_limited_per_api_key(api, connector, settings):
    settings.WARGA_OPEN311_RATE_POST = "2/minute"
    _connector, key = connector
    _other, other_key = integrator(channel_code="jaki")

    statuses = [post(api, "json", arguments(key)).status_code for _ in range(3)]
    other = post(api, "xml", arguments(other_key))
    over = post(api, "xml", arguments(key))

    assert statuses == [201, 201, 429]
    assert other.status_code == 201
    [error] = errors_of(over, "xml")
    assert error["code"] == 429
