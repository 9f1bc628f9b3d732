"""The browser tests' own harness: what it promises the tests above it."""

import time

from django.db import transaction
from playwright.sync_api import expect

from publications import services
from publications.models import PublicationRead
from tests.factories import TEST_PASSWORD, OrganizationUserFactory, PublicationFactory

from .conftest import finish_server_requests, login, server_requests


def test_a_request_the_closed_tab_left_running_finishes_before_the_flush(page, org, monkeypatch):
    """Opening a publication sends «прочитано» in the background; when the test ends while the
    server still holds that transaction, the flush after the test deadlocked with it (CI on
    PostgreSQL). The harness waits for such requests once the tabs are closed."""
    arrived = []

    def slow_mark_read(**kwargs):
        with transaction.atomic():
            services_mark_read(**kwargs)
            arrived.append(True)
            time.sleep(2)

    services_mark_read = services.publication_mark_read
    monkeypatch.setattr(services, "publication_mark_read", slow_mark_read)
    OrganizationUserFactory(organization=org)
    PublicationFactory(title="Технические требования", body="Рабочее место организатора.")
    login(page, "edu470001", TEST_PASSWORD)
    page.goto("/publications/")
    page.get_by_test_id("publication").locator("summary").click()
    expect(page.get_by_text("Рабочее место организатора.")).to_be_visible()
    deadline = time.monotonic() + 10
    while not arrived and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert arrived, "the «прочитано» request did not reach the server"
    page.context.close()

    assert server_requests(), "the request should still be running when the tab is closed"
    finish_server_requests()
    assert not server_requests()
    assert PublicationRead.objects.count() == 1
