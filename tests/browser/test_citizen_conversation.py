"""A visitor on a phone, with no account, proves their email from a report page,
comes back logged in, comments and follows the report."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from complaints.models import Comment, Follow
from tests.factories import report_filed

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_a_visitor_signs_in_by_email_then_comments_and_follows(
    live_server, page, tmp_path
):
    report = report_filed()
    page.goto(live_server.url + report.get_absolute_url())
    assert "Nobody else has said they have this problem yet." in page.content()
    page.click("summary:has-text('Comment, support or follow with your email')")
    page.fill("input[name=email]", "ani@example.com")
    page.click("button:has-text('Email me a link')")
    page.wait_for_selector(".messages li")
    assert "We sent a link to ani@example.com" in page.content()
    assert fits_the_screen(page)

    [message] = [m for m in mail.outbox if m.to == ["ani@example.com"]]
    link = re.search(r"http://\S+/akun/email-link/\S+/", message.body).group(0)
    page.goto(live_server.url + link.split("8000", 1)[1])
    assert fits_the_screen(page)
    page.click("button:has-text('Continue as ani@example.com')")
    page.wait_for_url(f"**{report.get_absolute_url()}")
    assert page.url.endswith(report.get_absolute_url())
    assert "You are logged in as ani@example.com" in page.content()

    page.fill("textarea[name=body]", "Di gang sebelah juga menumpuk.")
    page.fill("input[name=display_name]", "Ani dari RT 05")
    page.click("button:has-text('Publish comment')")
    page.wait_for_selector(".comment")
    assert "Ani dari RT 05" in page.content()
    assert Comment.objects.filter(report=report, author__email="ani@example.com")

    page.click("button:has-text('Follow this report by email')")
    page.wait_for_selector("button:has-text('Stop following this report')")
    assert Follow.objects.filter(report=report, user__email="ani@example.com")
    assert fits_the_screen(page)
    page.screenshot(path=str(tmp_path / "conversation.png"), full_page=True)
