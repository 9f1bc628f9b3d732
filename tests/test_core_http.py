"""core.http and core.middleware: hostile input answers 400 in Russian before it reaches a
query (PostgreSQL refuses NUL in text), a database outage answers 503 and passes by itself, and
the client's address is read behind a proxy the way django-axes reads it."""

import json
from http import HTTPStatus
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import RequestFactory
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEvent
from core.http import BadRequest, client_ip, json_body
from core.views import DATABASE_UNAVAILABLE
from datacollection.models import Report
from tests.factories import ReportFactory, make_collection, make_form

NUL_MESSAGE = "нулевой символ"


@pytest.fixture
def report(org):
    collection = make_collection(organizations=[org], form=make_form(scan=True))
    return ReportFactory(collection=collection, organization=org)


def autosave_url(report):
    return reverse("datacollection:report_autosave", args=[report.pk])


def post_json(client, url, body: str):
    return client.post(url, data=body, content_type="application/json")


# ----- NUL bytes and broken JSON: 400 with a Russian message, nothing saved -----


@pytest.mark.parametrize(
    "cell",
    [
        {"table": "grade4\x00", "row": "grade4", "column": "listed", "value": "1", "version": 0},
        {"table": "results", "row": "grade4\x00", "column": "listed", "value": "1", "version": 0},
        {"table": "results", "row": "grade4", "column": "lis\x00ted", "value": "1", "version": 0},
        {"table": "results", "row": "grade4", "column": "listed", "value": "2\x00", "version": 0},
        {"table": "results", "row": "grade4", "column": "listed", "value": "1", "ver\x00": 0},
    ],
)
def test_nul_anywhere_in_the_autosave_json_is_400_json(as_user, org_user, report, cell):
    response = post_json(as_user(org_user), autosave_url(report), json.dumps({"cells": [cell]}))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert NUL_MESSAGE in response.json()["error"]
    assert not report.cells.exists()


@pytest.mark.parametrize("depth", [100, 5_000, 200_000])
def test_deeply_nested_json_is_400_json_not_recursion_error(as_user, org_user, report, depth):
    body = "[" * depth + "]" * depth
    response = post_json(as_user(org_user), autosave_url(report), body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "JSON" in response.json()["error"]


@pytest.mark.parametrize("body", ["{", "\ud800", "null", '{"cells": "x"}'])
def test_broken_json_is_400_json(as_user, org_user, report, body):
    response = as_user(org_user).post(
        autosave_url(report),
        data=body.encode("utf-8", "surrogatepass"),
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"].startswith("Некорректный запрос")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("datacollection:report_row_add", {"table\x00": "results"}),
        ("datacollection:report_row_add", {"table": "results\x00"}),
        ("datacollection:report_row_remove", {"table": "results", "row": "x\x00"}),
        ("datacollection:report_file_remove", {"table": "protocol", "row": "\x00", "column": "s"}),
    ],
)
def test_nul_in_a_form_post_is_400_page(as_user, org_user, report, name, data):
    response = as_user(org_user).post(reverse(name, args=[report.pk]), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    content = response.content.decode()
    assert "Некорректный запрос" in content and NUL_MESSAGE in content


@pytest.mark.parametrize(
    "data",
    [
        {"table": "protocol", "row": "grade4", "column": "scan\x00"},
        {"table": "protocol", "row": "grade4", "column": "scan", "file\x00": "x"},
    ],
)
def test_nul_in_a_file_upload_post_is_400(as_user, org_user, report, data):
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n")
    response = as_user(org_user).post(
        reverse("datacollection:report_file_upload", args=[report.pk]), {**data, "file": upload}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Report.objects.get(pk=report.pk).cells.exists()


def test_nul_in_an_uploaded_file_name_is_400(as_user, org_user, report):
    upload = SimpleUploadedFile("scan\x00.pdf", b"%PDF-1.4\n%%EOF\n")
    response = as_user(org_user).post(
        reverse("datacollection:report_file_upload", args=[report.pk]),
        {"table": "protocol", "row": "grade4", "column": "scan", "file": upload},
    )
    # Django's multipart parser may already drop what follows the NUL; either way no 500.
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FOUND)


@pytest.mark.parametrize(
    "query",
    [
        "?q=%00",
        "?region__id__exact=1%00",
        "?o=%00",
        "?%00=1",
    ],
)
def test_nul_in_an_admin_changelist_filter_is_400(as_user, operator, query):
    response = as_user(operator).get(reverse("admin:accounts_organization_changelist") + query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert NUL_MESSAGE in response.content.decode()


def test_nul_in_a_search_box_is_400(as_user, org_user):
    response = as_user(org_user).get(reverse("forum:question_list"), {"q": "вопрос\x00"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_nul_in_the_login_form_is_400_without_a_lockout_row(db, client):
    response = client.post(reverse("accounts:login"), {"username": "a\x00", "password": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not AccessAttempt.objects.exists()


def test_nul_in_the_session_cookie_is_400(db, client):
    client.cookies["sessionid"] = "abcdefgh\x00ijk"
    response = client.get(reverse("accounts:login"))
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_clean_requests_pass_the_guard(as_user, org_user, report):
    cell = {"table": "counts", "row": "grade4", "column": "listed", "value": "25", "version": 0}
    response = post_json(as_user(org_user), autosave_url(report), json.dumps({"cells": [cell]}))
    assert response.status_code != HTTPStatus.BAD_REQUEST


def test_json_body_parses_once_and_refuses_in_russian():
    rf = RequestFactory()
    request = rf.post("/", data='{"a": [1, {"b": "в"}]}', content_type="application/json")
    assert json_body(request) == {"a": [1, {"b": "в"}]}
    assert json_body(request) is json_body(request)
    for body in ('{"a\\u0000": 1}', '["\\u0000"]', "[" * 40 + "]" * 40, "{"):
        with pytest.raises(BadRequest) as refused:
            json_body(rf.post("/", data=body, content_type="application/json"))
        assert refused.value.message.startswith("Некорректный запрос")
    # An escaped backslash before "u0000" is text, not a NUL.
    assert json_body(rf.post("/", data='["\\\\u0000"]', content_type="application/json")) == [
        "\\u0000"
    ]


# ----- The database is down: 503, JSON for the table editor, and it passes by itself -----


def _database_down():
    return mock.patch.object(
        CursorWrapper,
        "execute",
        side_effect=OperationalError("connection to server failed: Connection refused"),
    )


def test_database_outage_is_a_russian_503_page_and_recovers(as_user, org_user):
    client = as_user(org_user)
    client.raise_request_exception = False
    with _database_down():
        response = client.get(reverse("cabinet"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"]
    content = response.content.decode()
    assert "Сервис временно недоступен" in content and DATABASE_UNAVAILABLE in content
    assert client.get(reverse("cabinet")).status_code == HTTPStatus.OK


def test_database_outage_answers_the_autosave_in_json_and_recovers(as_user, org_user, report):
    client = as_user(org_user)
    client.raise_request_exception = False
    cell = {"table": "counts", "row": "grade4", "column": "listed", "value": "25", "version": 0}
    body = json.dumps({"cells": [cell]})
    with _database_down():
        response = post_json(client, autosave_url(report), body)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"error": DATABASE_UNAVAILABLE}
    # The table editor sends the queued edit again: saved.
    again = post_json(client, autosave_url(report), body)
    assert again.status_code == HTTPStatus.OK
    assert again.json()["results"][0]["status"] == "saved"


def test_other_server_errors_stay_500(as_user, org_user):
    client = as_user(org_user)
    client.raise_request_exception = False
    with mock.patch.object(CursorWrapper, "execute", side_effect=RuntimeError("bug")):
        response = client.get(reverse("cabinet"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Ошибка на сервере" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_unreachable_postgresql_is_503_and_recovers(org_user, settings):
    """A real outage on PostgreSQL: the connection goes to a closed port."""
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to lose; the patched cursor above covers it")
    client = Client(raise_request_exception=False)
    client.force_login(org_user)
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get(reverse("cabinet"))
        json_response = client.post(
            reverse("datacollection:report_autosave", args=[1]),
            data="{}",
            content_type="application/json",
        )
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Сервис временно недоступен" in response.content.decode()
    assert json_response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert json_response.json() == {"error": DATABASE_UNAVAILABLE}
    assert client.get(reverse("cabinet")).status_code == HTTPStatus.OK


# ----- The client's address behind a reverse proxy: one rule, the one of django-axes -----


@pytest.mark.parametrize(
    ("proxy_count", "forwarded_for", "expected"),
    [
        (0, "93.184.216.34", "10.0.0.2"),  # no proxy: the header is the client's word, ignored
        (1, "93.184.216.34", "93.184.216.34"),  # nginx appended the address it saw
        # A client that sends the header itself: the chain does not match the proxies
        # (django-ipware is strict), so the forged address is never taken.
        (1, "77.88.8.8, 93.184.216.34", "10.0.0.2"),
        (2, "93.184.216.34, 10.0.0.9", "93.184.216.34"),  # balancer, then nginx
        (1, None, "10.0.0.2"),  # a request that bypassed the proxy
    ],
)
def test_client_ip_behind_proxies(settings, proxy_count, forwarded_for, expected):
    settings.AXES_IPWARE_PROXY_COUNT = proxy_count - 1 if proxy_count else None
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = (
        ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if proxy_count else ("REMOTE_ADDR",)
    )
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers)
    assert client_ip(request) == expected


def test_audit_log_and_lockout_record_the_same_client_address(settings, client, org_user):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "93.184.216.34"}
    client.post(
        reverse("accounts:login"), {"username": org_user.username, "password": "no"}, **proxy
    )
    assert AccessAttempt.objects.get().ip_address == "93.184.216.34"
    request = RequestFactory().post("/", **proxy)
    event = audit.record(actor=org_user, action="test.proxy", request=request)
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "93.184.216.34"


def test_settings_read_proxy_count_from_behind_proxy():
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='fisoko.settings.test';"
        "from django.conf import settings;"
        "print(settings.PROXY_COUNT, settings.AXES_IPWARE_PROXY_COUNT)"
    )
    for env, expected in [
        ({"BEHIND_PROXY": "true"}, "1 0"),
        ({"BEHIND_PROXY": "true", "PROXY_COUNT": "2"}, "2 1"),
        ({"BEHIND_PROXY": "false"}, "0 None"),
    ]:
        import os

        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected
