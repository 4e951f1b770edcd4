"""The public list of reports: filters in the URL, pages, caching, my reports."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Channel, Coordination, Report
from complaints.services.intake import PhotoUpload, report_submit
from routing.models import Unit
from tests.factories import KUNINGAN, MONAS, citizen, image_bytes
from transparency import paging

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("transparency:report-list")


def _report(*, point=MONAS, category="sampah", title="Sampah menumpuk", **extra):
    return report_submit(
        actor=extra.pop("actor", None) or _anonymous(),
        channel=Channel.objects.get(code="web"),
        category=Category.objects.get(code=category),
        title=title,
        description="Sudah tiga hari.",
        latitude=point[0],
        longitude=point[1],
        reporter_name="Hartono Rahasiawan",
        reporter_email="hartono.rahasia@example.com",
        reporter_phone="081233344455",
        address="Jl. Rahasia No. 7 RT 001/RW 002",
        photos=[PhotoUpload(name="p.jpg", data=image_bytes())],
        **extra,
    ).report


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _tickets(response) -> list[str]:
    return [r.ticket for r in response.context["page"].object_list]


def test_the_list_shows_every_report_newest_first_with_colour_and_reason(client):
    older = _report(title="Sampah lama")
    newer = _report(title="Jalan rusak", category="jalan-rusak", point=KUNINGAN)
    response = client.get(URL)
    assert response.status_code == 200
    assert _tickets(response) == [newer.ticket, older.ticket]
    html = response.content.decode()
    assert "status-red" in html
    assert "waiting for" in html


def test_filters_narrow_the_list_and_stay_in_the_links(client):
    gambir = _report()
    kuningan = _report(point=KUNINGAN, category="jalan-rusak", title="Lubang")
    response = client.get(URL, {"kota": "31.74"})
    assert _tickets(response) == [kuningan.ticket]
    response = client.get(URL, {"kelurahan": gambir.area.code})
    assert _tickets(response) == [gambir.ticket]
    response = client.get(URL, {"category": "jalan-rusak", "colour": "red"})
    assert _tickets(response) == [kuningan.ticket]
    response = client.get(URL, {"colour": "green"})
    assert _tickets(response) == []
    response = client.get(URL, {"q": "lubang"})
    assert _tickets(response) == [kuningan.ticket]
    response = client.get(URL, {"q": gambir.ticket.lower()})
    assert _tickets(response) == [gambir.ticket]
    response = client.get(URL, {"unit": kuningan.handling_unit.code})
    assert _tickets(response) == [kuningan.ticket]
    # The export links carry the same filters.
    html = client.get(URL, {"kota": "31.74"}).content.decode()
    assert "export.csv?kota=31.74" in html


def _link(html: str, rel: str) -> str:
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    assert match, rel
    return unescape(match.group(1))


def test_pages_go_older_and_newer_and_keep_the_filters(client):
    reports = [_report(title=f"Sampah {i}") for i in range(27)]
    _report(category="jalan-rusak", title="Lubang")
    response = client.get(URL, {"category": "sampah"})
    newest_first = [r.ticket for r in reversed(reports)]
    assert _tickets(response) == newest_first[:25]
    html = response.content.decode()
    assert "27 reports" in html
    assert 'rel="prev"' not in html
    older = _link(html, "next")
    assert older.startswith("?category=sampah&before=")
    second = client.get(URL + older)
    assert _tickets(second) == newest_first[25:]
    assert 'rel="next"' not in second.content.decode()
    back = client.get(URL + _link(second.content.decode(), "prev"))
    assert _tickets(back) == newest_first[:25]


def test_reports_received_at_the_same_instant_are_neither_skipped_nor_repeated(
    client,
):
    reports = [_report(title=f"Sampah {i}") for i in range(30)]
    Report.objects.update(created_at=reports[0].created_at)
    seen, url = [], URL
    for _ in range(2):
        response = client.get(url)
        seen += _tickets(response)
        if 'rel="next"' in response.content.decode():
            url = URL + _link(response.content.decode(), "next")
    assert sorted(seen) == sorted(r.ticket for r in reports)


def test_the_count_stops_at_the_cap(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    for i in range(5):
        _report(title=f"Sampah {i}")
    assert "More than 3 reports" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "cursor", ["abc", "1.", ".5", "1.2.3", "9" * 30 + ".1", "-9999999999999999999.1"]
)
def test_a_broken_page_link_answers_400_and_says_so(client, cursor):
    _report()
    for name in ("before", "after"):
        response = client.get(URL, {name: cursor})
        assert response.status_code == 400
        assert "This page link is broken" in response.content.decode()


@pytest.mark.parametrize(
    "params,field",
    [
        ({"kota": "99.99"}, "kota"),
        ({"category": "no-such-category"}, "category"),
        ({"colour": "purple"}, "colour"),
        ({"date_from": "not-a-date"}, "date_from"),
        ({"date_from": "1800-01-01"}, "date_from"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "__all__"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_filters_answer_400_with_the_error_shown(client, params, field):
    _report()
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.context["filters"].errors


def test_an_old_page_number_link_shows_the_newest_reports(client):
    _report()
    response = client.get(URL, {"page": "999"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_the_list_never_shows_the_reporters_personal_data(client):
    _report()
    html = client.get(URL).content.decode()
    for secret in ("Hartono", "hartono.rahasia", "081233344455", "Jl. Rahasia"):
        assert secret not in html


def test_the_list_uses_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    _report()
    # The page of rows (count, rows, coordinations, photos) and the filter
    # form's choices (categories, channels, areas, units).
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for i in range(20):
        _report(title=f"Sampah {i}", point=KUNINGAN if i % 2 else MONAS)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"colour": "red"})


def test_anonymous_pages_may_be_cached_but_a_citizens_may_not(client):
    report = _report()
    for url in (URL, reverse("transparency:home"), report.get_absolute_url()):
        response = client.get(url)
        assert "public" in response["Cache-Control"], url
        assert "max-age=60" in response["Cache-Control"]
        assert "csrftoken" not in response.cookies
    client.force_login(citizen())
    response = client.get(URL)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_page_showing_a_flash_message_is_never_shared(client, mailoutbox):
    report = _report()
    response = client.post(
        reverse("transparency:email-link"),
        {"email": "someone.private@example.com", "next": report.get_absolute_url()},
        follow=True,
    )
    assert "someone.private@example.com" in response.content.decode()
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    # The next visit, with the message gone, may be cached again.
    client.cookies.clear()
    assert "public" in client.get(report.get_absolute_url())["Cache-Control"]


def test_a_citizen_sees_their_own_reports(client):
    mine = citizen()
    own = _report(actor=mine, title="Punya saya")
    _report(title="Punya orang lain")
    client.force_login(mine)
    response = client.get(reverse("accounts:my-reports"))
    assert _tickets(response) == [own.ticket]


def test_my_reports_asks_a_visitor_to_log_in(client):
    response = client.get(reverse("accounts:my-reports"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_list_works_without_javascript(client):
    html = client.get(URL).content.decode()
    # A plain GET form: every filter is a field of it.
    assert 'method="get"' in html
    for name in ("colour", "category", "kota", "kecamatan", "kelurahan", "unit"):
        assert f'name="{name}"' in html
    assert Report.objects.count() == 0


def test_duplicates_of_a_coordinated_report_cost_no_query_each(
    client, django_assert_max_num_queries
):
    parent = _report(title="Induk")
    Report.objects.filter(pk=parent.pk).update(status="coordinated")
    Coordination.objects.create(
        report=parent,
        unit=Unit.objects.get(code="KEC-31.71.01"),
        invited_at=timezone.now(),
    )

    def duplicate():
        twin = _report(title="Kembar")
        Report.objects.filter(pk=twin.pk).update(status="merged", parent=parent)

    duplicate()
    with django_assert_max_num_queries(12) as few:
        response = client.get(URL, {"colour": "grey"})
    assert "is coordinating with" in response.content.decode()
    for _ in range(6):
        duplicate()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"colour": "grey"})
    assert len(response.context["page"].object_list) == 7


def test_the_form_keeps_the_chosen_filters_selected(client):
    _report()
    html = client.get(
        URL, {"kota": "31.74", "kecamatan": "31.74.02", "category": "sampah"}
    ).content.decode()
    assert '<option value="31.74" data-parent="31" selected>' in html
    assert '<option value="31.74.02" data-parent="31.74" selected>' in html
    assert '<option value="sampah" selected>' in html
    # Kelurahan name their kecamatan, for the script that narrows the list.
    assert 'value="31.74.02.1008" data-parent="31.74.02">' in html


def test_pages_travel_compressed_and_small(client):
    for i in range(25):
        _report(title=f"Sampah {i}")
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 20_000
    home = client.get(reverse("transparency:home"), HTTP_ACCEPT_ENCODING="gzip")
    assert len(home.content) < 20_000
