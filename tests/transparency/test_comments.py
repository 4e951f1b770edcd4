"""Citizens comment on a report page; the units working on it, the monitoring room
and supervisors may hide a comment, and the page then says who hid it and why."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from complaints.models import Comment, Report, ReportEvent
from complaints.services.comments import comment_add, comment_hide
from complaints.workflow import Action, transition
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP
from routing.models import Unit
from tests.factories import citizen, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # the kelurahan that handles report_filed()'s reports
ELSEWHERE = "KEL-31.71.01.1001"
KECAMATAN = "KEC-31.74.02"


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def report():
    return report_filed()


def comment_url(report) -> str:
    return reverse("transparency:comment-create", kwargs={"ticket": report.ticket})


def hide_url(comment) -> str:
    return reverse("officers:comment-hide", kwargs={"pk": comment.pk})


def a_comment(report, body="Di depan rumah saya juga.", **extra) -> Comment:
    return comment_add(actor=citizen(), report=report, body=body, **extra)


def in_group(name: str):
    account = user()
    account.groups.add(Group.objects.get(name=name))
    return account


def test_a_citizen_comments_under_the_name_they_choose(client, report):
    author = citizen(last_name="Santoso")
    client.force_login(author)
    response = client.post(
        comment_url(report), {"body": "Bau sekali.", "display_name": "Pak RT 05"}
    )
    comment = Comment.objects.get(report=report)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Bau sekali." in html and "Pak RT 05" in html
    assert author.get_full_name() not in html and author.email not in html


def test_a_comment_without_a_name_reads_a_citizen(client, report):
    a_comment(report, body="Masih ada.")
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Masih ada." in html
    assert "A citizen" in html


def test_an_officer_comments_as_their_unit_never_by_name(client, report):
    clerk = officer(unit_code=HOME)
    clerk.first_name, clerk.last_name = "Siti", "Petugas"
    clerk.save()
    client.force_login(clerk)
    client.post(
        comment_url(report), {"body": "Besok diangkut.", "display_name": "Siti"}
    )
    comment = Comment.objects.get(report=report)
    assert comment.author_unit.code == HOME and comment.display_name == ""
    client.logout()
    html = client.get(report.get_absolute_url()).content.decode()
    assert Unit.objects.get(code=HOME).name in html
    assert "Siti" not in html


def test_an_officers_comment_is_marked_official_and_a_citizens_is_not(client, report):
    comment_add(actor=officer(unit_code=HOME), report=report, body="Besok diangkut.")
    a_comment(report, body="Terima kasih.", display_name="Pak RT 05")
    html = client.get(report.get_absolute_url()).content.decode()
    unit = Unit.objects.get(code=HOME).name
    assert html.count('class="badge official"') == 1
    assert html.index(unit) < html.index("badge official") < html.index("Besok")
    assert html.index("Pak RT 05") > html.index("Besok")  # after the badge
    client.force_login(officer(unit_code=HOME))
    workspace = client.get(reverse("officers:report", kwargs={"ticket": report.ticket}))
    assert workspace.content.decode().count('class="badge official"') == 1


@pytest.mark.parametrize(
    "name",
    [
        "Kelurahan Kuningan Timur",
        "  kelurahan   KUNINGAN timur ",
        "Kecamatan Setiabudi",
        "Suku Dinas Bina Marga Jakarta Selatan",
        "Sudin SDA Jaksel",
        "Dinas Lingkungan Hidup",
        "Walikota Jakarta Selatan",
        "Kota Administrasi Jakarta Selatan",
        "Pak Lurah",
        "Satuan Polisi Pamong Praja",  # a unit's name without any of the words
    ],
)
def test_a_citizen_cannot_comment_under_a_units_name(client, report, name):
    client.force_login(citizen())
    response = client.post(
        comment_url(report), {"body": "Sudah kami tangani.", "display_name": name}
    )
    assert response.status_code == 400
    [error] = response.context["comment_form"].errors["display_name"]
    assert "belongs to the city's units" in error
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Warga Kuningan Timur", "Bu Dinastuti", "Pak RT 05"])
def test_a_name_that_only_resembles_an_office_is_accepted(client, report, name):
    client.force_login(citizen())
    response = client.post(comment_url(report), {"body": "Ok.", "display_name": name})
    assert response.status_code == 302
    assert Comment.objects.get().display_name == name


@pytest.mark.parametrize(
    "data, field",
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": "ok", "display_name": "n" * 61}, "display_name"),
    ],
)
def test_a_blank_or_too_long_comment_is_refused_and_nothing_is_saved(
    client, report, data, field
):
    client.force_login(citizen())
    response = client.post(comment_url(report), data)
    assert response.status_code == 400
    assert response.context["comment_form"].errors[field]
    assert not Comment.objects.exists()


def test_comments_on_a_rejected_report_are_refused(client, report):
    head = officer(unit_code=HOME, role="head")
    transition(
        actor=head,
        report_id=report.pk,
        action=Action.REJECT,
        reason="spam",
        note="Iklan",
    )
    assert Report.objects.get(pk=report.pk).status == "rejected"
    client.force_login(citizen())
    response = client.post(comment_url(report), {"body": "Kenapa ditolak?"})
    assert response.status_code == 409
    assert "comments are closed" in response.content.decode()
    assert not Comment.objects.exists()
    # The page offers no comment form there.
    assert client.get(report.get_absolute_url()).context["comment_form"] is None


def test_commenting_needs_a_login(client, report):
    response = client.post(comment_url(report), {"body": "Halo"})
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert not Comment.objects.exists()


def test_commenting_on_an_unknown_report_is_a_404(client):
    client.force_login(citizen())
    assert (
        client.post("/reports/JKT-0000-999999/comments/", {"body": "x"}).status_code
        == 404
    )


def test_the_handling_officer_hides_a_comment_and_the_page_says_who_and_why(
    client, report
):
    comment = a_comment(report, body="Nomor HP petugas 0812xxxx, telepon saja!")
    clerk = officer(unit_code=HOME)
    client.force_login(clerk)
    workspace = client.get(reverse("officers:report", kwargs={"ticket": report.ticket}))
    assert workspace.context["comments"][0].hide_form is not None
    response = client.post(hide_url(comment), {"reason": "Memuat data pribadi"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.hidden_by == clerk and comment.hidden_by_unit.code == HOME
    event = ReportEvent.objects.get(report=report, action="comment_hidden")
    assert event.is_public is False and event.note == "Memuat data pribadi"
    client.logout()
    html = client.get(report.get_absolute_url()).content.decode()
    unit = Unit.objects.get(code=HOME).name
    assert f"Hidden by {unit}: Memuat data pribadi" in html
    assert "0812xxxx" not in html
    assert "hid a comment" not in html  # the timeline event is internal


def test_hiding_without_a_reason_is_refused(client, report):
    comment = a_comment(report)
    client.force_login(officer(unit_code=HOME))
    response = client.post(hide_url(comment), {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the comment is hidden." in response.content.decode()
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert not ReportEvent.objects.filter(action="comment_hidden").exists()


def test_hiding_a_hidden_comment_again_is_refused(client, report):
    comment = a_comment(report)
    client.force_login(officer(unit_code=HOME))
    client.post(hide_url(comment), {"reason": "Kasar"})
    response = client.post(hide_url(comment), {"reason": "Lagi"})
    assert response.status_code == 409
    comment.refresh_from_db()
    assert comment.hidden_reason == "Kasar"


@pytest.mark.parametrize("group", [SUPERVISOR_GROUP, MONITORING_ROOM_GROUP])
def test_supervisors_and_the_monitoring_room_hide_as_a_supervisor(
    client, report, group
):
    comment = a_comment(report)
    client.force_login(in_group(group))
    assert client.post(hide_url(comment), {"reason": "Spam"}).status_code == 302
    client.logout()
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Hidden by a supervisor: Spam" in html


def test_a_citizen_cannot_hide_a_comment(client, report):
    comment = a_comment(report)
    client.force_login(citizen())
    assert client.post(hide_url(comment), {"reason": "Tidak suka"}).status_code == 404
    with pytest.raises(PermissionDenied):
        comment_hide(actor=report.reporter, comment=comment, reason="Tidak suka")
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_an_officer_of_an_unrelated_unit_gets_a_404(client, report):
    comment = a_comment(report)
    client.force_login(officer(unit_code=ELSEWHERE))
    assert client.post(hide_url(comment), {"reason": "x"}).status_code == 404
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_hiding_needs_a_login(client, report):
    comment = a_comment(report)
    response = client.post(hide_url(comment), {"reason": "x"})
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_workspace_offers_no_hide_form_to_a_unit_that_only_sent_it_away(
    client, report
):
    """The kelurahan that disposed the report still sees it, but no longer works on
    it: it may not hide comments there."""
    clerk = officer(unit_code=HOME)
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.DISPOSE,
        unit=Unit.objects.get(code=KECAMATAN),
        note="Bukan wewenang kami",
    )
    comment = a_comment(report)
    client.force_login(clerk)
    page = client.get(reverse("officers:report", kwargs={"ticket": report.ticket}))
    assert page.status_code == 200
    assert page.context["comments"][0].hide_form is None
    response = client.post(hide_url(comment), {"reason": "x"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_the_admin_reads_comments_and_follows_but_does_not_write_them(
    admin_client, report
):
    shown = a_comment(report, body="Terlihat")
    hidden = a_comment(report, body="Tersembunyi")
    comment_hide(actor=user(is_superuser=True), comment=hidden, reason="Spam")
    listing = admin_client.get(
        reverse("admin:complaints_comment_changelist"), {"hidden": "yes"}
    )
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [hidden]
    assert shown.body not in listing.content.decode()
    assert (
        admin_client.get(
            reverse("admin:complaints_comment_changelist"), {"q": report.ticket}
        ).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:complaints_comment_add")).status_code == 403
    follows = admin_client.get(reverse("admin:complaints_follow_changelist"))
    assert follows.status_code == 200
    assert admin_client.get(reverse("admin:complaints_follow_add")).status_code == 403
