"""Playwright driving Debian's Chromium against a live server.

Without Chromium the browser tests skip with a reason, except under CI=true, where a missing
browser is a failure (CI installs it: see .ci/run).
"""

import os
import shutil

import pytest
from django.db import connection

# Playwright's sync API runs an event loop; the ORM calls in the test bodies are still
# synchronous and run in the main thread between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        message = "Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser, live_server):
    """Open a fresh browser context (phone-sized if asked) that records CSP violations."""
    contexts = []

    def make(*, phone=False):
        options = {"locale": "zh-CN", "base_url": live_server.url}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.csp_violations = []
        page.on("console", lambda message: "Content Security Policy" in message.text
                and page.csp_violations.append(message.text))
        return page

    yield make
    for context in contexts:
        context.close()
    if connection.vendor == "postgresql":
        # The flush that ends a browser test (pytest-django's transactional set-up, torn down after this
        # fixture) truncates every table, and the funding ledger's TRUNCATE trigger refuses a ledger
        # that holds entries unless the session opts in (funding/migrations/0003). Session-level, not
        # LOCAL: the flush runs in a transaction of its own. The setting ends with the connection,
        # which Django closes after the flush (TransactionTestCase._post_teardown).
        with connection.cursor() as cursor:
            cursor.execute("SET outpost.ledger_truncate = 'allow'")


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
