"""The public report page and tracking by ticket."""

import pytest
from django.urls import reverse

from complaints.models import Category, Channel
from complaints.services.intake import report_submit
from tests.factories import KUNINGAN, officer

pytestmark = pytest.mark.usefixtures("ref")


@pytest.fixture
def report():
    return report_submit(
        actor=officer(),
        channel=Channel.objects.get(code="phone"),
        category=Category.objects.get(code="pohon-tumbang"),
        title="Pohon tumbang di Jl. Rasuna Said",
        description="Menutup satu lajur.",
        latitude=KUNINGAN[0],
        longitude=KUNINGAN[1],
        reporter_name="Rina",
        reporter_email="rina@example.com",
        reporter_phone="081299988877",
        public_name="Warga Kuningan",
    ).report


def test_the_report_page_says_why_it_is_red_and_who_handles_it(client, report):
    page = client.get(report.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "status-red" in html
    assert "waiting for Suku Dinas Pertamanan dan Hutan Kota Jakarta Selatan" in html
    assert "Kuningan Timur" in html
    assert "Sent to Suku Dinas Pertamanan dan Hutan Kota Jakarta Selatan" in html


def test_the_report_page_never_shows_the_reporters_contact_details(client, report):
    html = client.get(report.get_absolute_url()).content.decode()
    assert "rina@example.com" not in html
    assert "081299988877" not in html


def test_the_portal_speaks_indonesian_by_default(client_id, report):
    html = client_id.get(report.get_absolute_url()).content.decode()
    assert 'lang="id"' in html
    assert "Menunggu" in html


def test_tracking_by_ticket_leads_to_the_report(client, report):
    response = client.get(
        reverse("transparency:track"), {"ticket": report.ticket.lower()}
    )
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()


def test_an_unknown_ticket_says_so(client):
    response = client.get(reverse("transparency:track"), {"ticket": "JKT-0000-000000"})
    assert response.status_code == 200
    assert "No report has ticket number JKT-0000-000000" in response.content.decode()


def test_an_unknown_report_page_is_a_404(client):
    assert client.get("/reports/JKT-0000-999999/").status_code == 404


def test_the_home_page_lists_the_latest_reports(client, report):
    html = client.get("/").content.decode()
    assert report.ticket in html


def test_the_report_page_and_home_use_a_fixed_number_of_queries(
    client, report, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get(report.get_absolute_url())
    # Home: the latest rows, their coordinations and photos, the headline, and the
    # reference data's token (in the database cache here; Redis in production).
    with django_assert_max_num_queries(5):
        client.get("/")


def test_english_readers_see_english_category_names(client, client_id, report):
    assert "Fallen tree" in client.get(report.get_absolute_url()).content.decode()
    assert "Pohon tumbang" in client_id.get(report.get_absolute_url()).content.decode()


def test_the_conversation_does_not_grow_the_report_pages_queries(
    client, report, django_assert_max_num_queries
):
    """Comments (a citizen's, a unit's, a hidden one) and supports cost the same
    number of queries however many there are, for a visitor and for a citizen."""
    from complaints.services.comments import comment_add, comment_hide
    from complaints.services.support import support_add
    from tests.factories import citizen

    clerk = officer(unit_code=report.handling_unit.code)
    for n in range(5):
        fan = citizen()
        support_add(actor=fan, report=report)
        comment_add(actor=fan, report=report, body=f"Komentar {n}", display_name="")
    said = comment_add(actor=clerk, report=report, body="Kami tangani.")
    comment_hide(actor=clerk, comment=said, reason="Salah laporan")
    with django_assert_max_num_queries(6):
        page = client.get(report.get_absolute_url())
    html = page.content.decode()
    assert "5 citizens have this problem too." in html
    assert "Komentar 4" in html and "Hidden by" in html
    client.force_login(citizen())
    with django_assert_max_num_queries(26):
        client.get(report.get_absolute_url())
