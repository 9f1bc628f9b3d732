"""Real-browser tests: Playwright for Python driving Debian's chromium against live_server.

Without chromium the tests are skipped with a message, unless REQUIRE_BROWSER=1 (as in CI),
where a missing browser is a failure.
"""

import os
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def server_finishes_its_requests(request):
    """Closing a tab does not stop what the server is doing for it: a «прочитано» POST or an
    autosave may still hold a row lock when the test ends, and the flush after the test then
    deadlocks with it (seen in CI on PostgreSQL). Set up after the database fixture, this waits,
    after every page is closed, for the live server's request threads to finish."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("live_server")
    request.getfixturevalue("transactional_db")
    yield
    finish_server_requests()


def server_requests() -> list[threading.Thread]:
    """The live server answers each request in a daemon thread that nobody joins; Python names a
    thread after its target, so these are the threads still named after the server's method."""
    return [t for t in threading.enumerate() if t.name.endswith("(process_request_thread)")]


def finish_server_requests(timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    for thread in server_requests():
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            pytest.fail(f"the live server still answers a request {timeout} s after the test ended")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """`new_page()` opens a page in a fresh browser context (its own cookies): two users, or
    two tabs of one user, in one test."""
    contexts = []

    def make(context=None):
        if context is None:
            context = browser.new_context(
                base_url=live_server.url,
                locale="ru-RU",
                timezone_id="Europe/Moscow",
                accept_downloads=True,
            )
            context.set_default_timeout(10_000)
            contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None)
    for number, context in enumerate(contexts):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for index, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{number}-{index}.png")
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def login(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


def shots(page, name: str, folder: str = "admin") -> None:
    """The page at 1280 and at 390 px wide (test-artifacts/<folder>/<name>-<width>.png), back
    to 1280: the two widths every page is looked at."""
    shots_dir = ARTIFACTS / folder
    shots_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shots_dir / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=shots_dir / f"{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def saved_status(page):
    """Waits until the table editor reports every edit saved."""
    return expect(page.get_by_test_id("save-status")).to_contain_text("Все изменения сохранены в")
