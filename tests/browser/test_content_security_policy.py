"""The strict Content-Security-Policy breaks nothing: the maps, the report form, the
back-office, the admin and the API documentation run in a real browser without a
single violation."""

import pytest

from tests.browser.conftest import PHONE
from tests.factories import MONAS, officer, report_filed

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "petugas-2026-rahasia"
# Injected by the browser itself (not a page script): every violation is kept.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def strict_page(page):
    """A page of a context that keeps the policy (the shared one bypasses it)."""
    context = page.context.browser.new_context(viewport=PHONE, locale="en-US")
    context.route("https://**/*", lambda route: route.abort())
    return context.new_page()


def watch(page) -> list[str]:
    """Console messages about the policy; the page's own record is read later."""
    refused: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return refused


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_no_page_breaks_the_policy(live_server, strict_page):
    page = strict_page
    report = report_filed(point=MONAS)
    clerk = officer()
    clerk.set_password(PASSWORD)
    clerk.save()
    refused = watch(page)

    visited = []
    for path, ready in [
        ("/", "[data-portal-map][data-state=ready]"),
        ("/lapor/", ".leaflet-container"),
        (f"/reports/{report.ticket}/", ".leaflet-container"),
        ("/api/v1/docs/", ".swagger-ui .info"),
        ("/admin/login/", "#login-form"),
    ]:
        response = page.goto(live_server.url + path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready)
        visited.append((path, violations(page)))

    page.goto(live_server.url + "/akun/masuk/?next=/office/")
    page.fill("input[name=username]", clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.link)")
    page.wait_for_url("**/office/")
    visited.append(("/office/", violations(page)))
    page.goto(live_server.url + f"/office/reports/{report.ticket}/")
    page.wait_for_selector(".leaflet-container")
    visited.append(("workspace", violations(page)))

    assert all(not found for _, found in visited), visited
    assert refused == []

    # The watch works, and the policy holds: an injected style attribute is refused.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    for _ in range(50):  # the event is reported asynchronously
        if violations(page):
            break
        page.wait_for_timeout(100)
    assert violations(page)[0].startswith("style-src-attr")
