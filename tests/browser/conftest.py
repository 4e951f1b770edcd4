"""The browser for real-browser journeys: Debian's Chromium, headless, phone-sized."""

import shutil

import pytest
from playwright import sync_api

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made
    # by the test itself (not by the server) are safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        # bypass_csp: Playwright's wait_for_function("...") polls by evaluating the
        # string in the page, which the site's Content-Security-Policy (no eval)
        # refuses. The policy itself is checked by test_content_security_policy.py
        # in a context of its own.
        context = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="en-US",
            bypass_csp=True,
        )
        # No tile server is reachable here: the map must still work.
        context.route("https://**/*", lambda route: route.abort())
        yield context.new_page()
        browser.close()
