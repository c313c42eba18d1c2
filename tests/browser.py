"""Debian's Chromium for the browser tests, driven by Playwright, and watched: a
Content-Security-Policy violation, a Permissions-Policy complaint or an uncaught script error
on any page fails the test that opened it.

Registered in tests/conftest.py (``pytest_plugins``): a test asks for ``browser`` and opens
pages with ``browser.new_page(...)`` or contexts with ``browser.new_context(...)``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Chromium reports a refused inline script or style on the console, but not every violation
# reaches it (a style="" set from script, for one): the page's own event catches the rest.
_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"}`
                + ` (${e.sourceFile || location.href}:${e.lineNumber})`);
});
"""
_REPORTED = (
    "Content Security Policy",
    "Content-Security-Policy",
    "CSP violation",
    "Permissions-Policy",
    "Permissions policy",
)


class WatchedBrowser:
    """A Playwright browser whose pages report what Chromium refused or failed to run."""

    def __init__(self, browser):
        self._browser = browser
        self.problems: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(_WATCH)
        context.on("console", self._console)
        context.on("page", self._page)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def take_problems(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems

    def _console(self, message):
        if any(marker in message.text for marker in _REPORTED):
            self.problems.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def _page(self, page):
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))


@pytest.fixture
def browser(monkeypatch):
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        watched = WatchedBrowser(chromium)
        yield watched
        chromium.close()
        # The test's queries ran inside Playwright's context, on connections of their own:
        # close them, or the test database cannot be dropped at the end.
        connections.close_all()
    if watched.problems:
        pytest.fail("Chromium reported:\n" + "\n".join(watched.problems), pytrace=False)
