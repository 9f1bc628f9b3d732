"""Every URL pattern, every role: the right role gets in, every other role gets 403/404 or the
login page. A URL pattern that is not listed in CASES (tests/factories/url_walk.py, shared with
the accessibility walk) fails `test_every_url_pattern_is_covered`, so a new view cannot ship
without its access rules being written down there.

Admin URLs are checked by one rule for all of them (`test_admin_is_for_operators_only`).
"""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import (
    ADMIN_OPEN,
    CASES,
    LOGIN,
    RESULTS_OTHER_SIDE,
    ROLES,
    admin_url,
    application_url_names,
    iter_url_names,
    unnamed_patterns,
)

from .conftest import client_for

OK = HTTPStatus.OK
FOUND = HTTPStatus.FOUND


def test_every_url_pattern_is_covered():
    missing = [name for name in application_url_names() if name not in CASES]
    assert not missing, f"URL patterns without access rules in CASES: {missing}"
    unnamed = unnamed_patterns()
    assert not unnamed, f"Unnamed URL patterns cannot be checked: {unnamed}"


@pytest.mark.parametrize("who", ["other_school", "other_regional"])
@pytest.mark.parametrize("name", sorted(RESULTS_OTHER_SIDE))
def test_results_reports_from_the_other_side(name, who, url_world):
    """The statistical reports from their other side: a school of the same study and
    municipality never opens another school's report; another region's coordinator sees
    nothing of this region (the first-side roles are in CASES)."""
    url = CASES[name].url(name, url_world)
    response = client_for(url_world[who]).get(url)
    assert response.status_code == RESULTS_OTHER_SIDE[name][who], f"{name} as {who}"


def test_an_unnamed_pattern_inside_an_app_include_is_found():
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern, URLResolver

    def view(request):
        raise AssertionError("never called")

    app_patterns = ([path("named/", view, name="named"), path("hidden/", view)], "probe")
    resolver = URLResolver(RegexPattern(r"^/"), [path("probe/", include(app_patterns))])
    assert unnamed_patterns(resolver) == ["probe:hidden/"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_url_access(name, role, url_world):
    world = url_world
    case = CASES[name]
    url = case.url(name, world)
    client = client_for(world["users"][role])
    response = getattr(client, case.method)(url, case.data)
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == FOUND, f"{name} as {role}: {response.status_code}"
        assert response["Location"].startswith(reverse("accounts:login")), response["Location"]
    else:
        assert response.status_code == expected, (
            f"{name} as {role}: expected {expected}, got {response.status_code}"
        )


@pytest.mark.parametrize("role", ["anonymous", "regional", "municipal", "organization"])
def test_admin_is_for_operators_only(role, users_by_role):
    client = client_for(users_by_role[role])
    checked = 0
    for name, entry in iter_url_names():
        if not name.startswith("admin:") or name in ADMIN_OPEN:
            continue
        url = admin_url(entry, name)
        response = client.get(url)
        assert response.status_code == FOUND, f"{name} as {role}: {response.status_code}"
        assert "/admin/login/" in response["Location"] or response["Location"].startswith(
            reverse("accounts:login")
        ), f"{name} as {role} → {response['Location']}"
        checked += 1
    assert checked > 20


def test_admin_index_opens_for_the_operator(operator):
    response = client_for(operator).get(reverse("admin:index"))
    assert response.status_code == OK
    assert "Управление" in response.content.decode()
