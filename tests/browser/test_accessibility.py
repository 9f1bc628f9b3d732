"""axe-core over every page of every role at 1280 and 390 px: zero critical, zero serious.

The pages are the URL walk's (tests/factories/url_walk.py): every GET in CASES that answers 200
to the role, so a new page is checked as soon as its access line is written; for the operator
also the admin: its index, every app, and the list, add and change page of every registered
model (the change page of the first stored object). axe-core comes from npm (package-lock.json,
installed by scripts/_setup.sh) and is run with page.evaluate, which the CSP does not restrict.

One browser and one live server serve the whole walk; one test per role and width.
"""

import json
import os
from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.factories import CASES, ROLES

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {1280: 900, 390: 844}
BLOCKING = {"critical", "serious"}
# AXE_SCREENSHOTS=1: a full-page screenshot of every page walked, in test-artifacts/pages/.
SCREENSHOTS = bool(os.environ.get("AXE_SCREENSHOTS"))

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
  }));
}"""


def application_pages(role, world):
    """URLs of the walk that the role opens as a page."""
    return [
        case.url(name, world)
        for name, case in sorted(CASES.items())
        if case.method == "get" and case.expect[role] == HTTPStatus.OK
    ]


def admin_pages():
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        pages.append(reverse("admin:app_list", kwargs={"app_label": app_label}))
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return pages


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (scripts/_setup.sh does it)")
    return AXE.read_text(encoding="utf-8")


def _violations(page, axe_source):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("width", sorted(WIDTHS, reverse=True))
@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_accessibility_violation(
    role, width, url_world, browser, live_server, axe_source
):
    user = url_world["users"][role]
    context = browser.new_context(
        base_url=live_server.url,
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        viewport={"width": width, "height": WIDTHS[width]},
    )
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
    page = context.new_page()
    urls = application_pages(role, url_world)
    if role == "operator":
        urls += admin_pages()
    # One page that does not exist: the 404 page of the role.
    urls.append("/no-such-page/")

    checked, found, too_wide = [], [], []
    try:
        for url in urls:
            probe = page.request.get(url, max_redirects=0)
            content_type = probe.headers.get("content-type", "")
            if probe.status in (200, 404) and content_type.startswith("text/html"):
                page.goto(url)
                checked.append(url)
                if SCREENSHOTS:
                    shot = ARTIFACTS / "pages" / f"{role}-{width}" / f"{len(checked):03}.png"
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=shot, full_page=True)
                overflow = page.evaluate("() => document.documentElement.scrollWidth")
                if overflow > width and not url.startswith("/admin/"):
                    too_wide.append(f"{url}: {overflow} px")
                for violation in _violations(page, axe_source):
                    found.append({"url": url, **violation})
    finally:
        context.close()

    report = ARTIFACTS / "axe"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"{role}-{width}.json").write_text(
        json.dumps({"checked": checked, "violations": found}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert len(checked) >= 3, checked
    # Nothing makes the whole page scroll sideways (wide tables scroll in their own box); the
    # admin's change pages with tabular inlines are Django's own desktop layout.
    assert not too_wide, too_wide
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(
        f"{v['impact']} {v['id']} on {v['url']}: {v['help']} — "
        + "; ".join(node["target"] for node in v["nodes"][:5])
        for v in blocking
    )
