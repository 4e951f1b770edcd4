"""The browser for real-browser journeys: Debian's Chromium, headless, phone-sized,
and the screenshots each journey keeps of its steps."""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright import sync_api

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
SCREENSHOTS_DEFAULT = "test-artifacts/screenshots"


def _phone_page(browser):
    """A new page in a context of its own: another person on another phone, with
    no cookie of the others."""
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
    return context.new_page()


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made
    # by the test itself (not by the server) are safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
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
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Makes phone-sized pages, each in a fresh context (its own cookies)."""
    return lambda: _phone_page(browser)


@pytest.fixture
def page(new_page):
    return new_page()


def screenshots_root(rootpath: Path) -> Path:
    """``$WARGA_SCREENSHOTS``, or test-artifacts/screenshots; relative to the
    project's root, wherever pytest was started from."""
    root = Path(os.environ.get("WARGA_SCREENSHOTS") or SCREENSHOTS_DEFAULT)
    return root if root.is_absolute() else rootpath / root


def _safe(name: str) -> str:
    """A file name from a test's or a step's name (a parameter's brackets too)."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


@pytest.fixture
def shot(request):
    """``shot(page, name)`` keeps a full-page PNG of ``page`` as a test artefact:
    <screenshots>/<test>/<NN>-<name>.png, numbered in the order taken. A test's
    folder is emptied at its first shot, so a rerun leaves no stale step behind."""
    folder = screenshots_root(request.config.rootpath) / _safe(request.node.name)
    taken: list[Path] = []

    def take(page, name: str) -> Path:
        if not taken:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(taken) + 1:02d}-{_safe(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return take
