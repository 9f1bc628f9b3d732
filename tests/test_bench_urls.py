"""The benchmarks' bare view is served by the bench URLconf only, never by the portal's."""

import pytest
from django.test import Client, override_settings
from django.urls import Resolver404, resolve


def test_the_portal_does_not_serve_the_bare_view():
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bench_urlconf_serves_it_behind_the_login(org_user):
    assert Client().get("/bench/bare/").status_code == 302
    client = Client()
    client.force_login(org_user)
    response = client.get("/bench/bare/")
    assert response.status_code == 200 and response.content == b"ok"
    assert client.get("/accounts/login/").status_code in (200, 302)  # the portal still there
