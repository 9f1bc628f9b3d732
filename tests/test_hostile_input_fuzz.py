"""Hostile input on every endpoint (hypothesis): every URL pattern of the portal and every admin
changelist gets GET and POST requests whose field names and values are arbitrary text, NUL
bytes included, from a school user and from the operator; the autosave endpoint gets arbitrary
JSON whose keys are arbitrary text too. Nothing answers 500, and anything carrying a NUL byte is
refused with 400 (PostgreSQL cannot store it). Runs on SQLite and, in CI, on PostgreSQL."""

import json
from http import HTTPStatus

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.http import contains_nul
from tests.conftest import client_for
from tests.factories import (
    PublicationFactory,
    ReportFactory,
    add_attachment,
    ask,
    make_collection,
    make_form,
)

NUL = "\x00"


def _url_patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_patterns(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


PATTERNS = dict(_url_patterns())
APP_URLS = sorted(name for name in PATTERNS if not name.startswith("admin:"))
ADMIN_LISTS = sorted(name for name in PATTERNS if name.endswith("_changelist"))


def _pk_for(name, world):
    if name.startswith("datacollection:report"):
        return world["report"].pk
    if name.startswith("forum:"):
        return world["question"].pk
    if name.startswith("publications:attachment"):
        return world["attachment"].pk
    if name.startswith("publications:"):
        return world["publication"].pk
    if name.startswith("accounts:"):
        return world["org"].pk
    return world["collection"].pk


def url_for(name, world):
    """The URL with real objects of the world where the parameter names say which."""
    pattern = PATTERNS[name].pattern
    parameters = getattr(pattern, "converters", {}) or dict.fromkeys(pattern.regex.groupindex)
    known = {
        "collection_pk": world["collection"].pk,
        "organization_pk": world["org"].pk,
        "table": "protocol",
        "row": "grade4",
        "column": "scan",
    }
    kwargs = {}
    for parameter, converter in parameters.items():
        if parameter in known:
            kwargs[parameter] = known[parameter]
        elif parameter == "pk":
            kwargs[parameter] = _pk_for(name, world)
        else:
            kwargs[parameter] = 1 if type(converter).__name__ == "IntConverter" else "x"
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def world(org, org_user, operator):
    collection = make_collection(organizations=[org], form=make_form(scan=True))
    publication = PublicationFactory()
    return {
        "org": org,
        "collection": collection,
        "report": ReportFactory(collection=collection, organization=org),
        "question": ask(org_user),
        "publication": publication,
        "attachment": add_attachment(publication),
        "users": {"org_user": org_user, "operator": operator},
    }


# Text with the characters that broke things: NUL, quotes, Cyrillic, formula triggers.
hostile_text = st.text(
    alphabet=st.sampled_from([NUL, "'", '"', "<", "=", "б", "1", "-", " ", "\n", "%"])
    | st.characters(exclude_categories=("Cs",)),
    max_size=12,
)
FIELD_NAMES = [
    "q", "text", "title", "category", "status", "table", "row", "column", "value", "version",
    "original", "published", "target", "until", "reason", "comment", "page", "file", "username",
    "password", "logins", "o", "p", "e", "all",
]  # fmt: skip
field_name = st.sampled_from(FIELD_NAMES) | hostile_text
form_data = st.dictionaries(
    field_name, hostile_text | st.lists(hostile_text, max_size=3), max_size=4
)


def carries_nul(data) -> bool:
    """Whether the request built from `data` carries a NUL (a key with an empty list of values
    is not sent at all)."""
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if values and (NUL in key or any(NUL in item for item in values)):
            return True
    return False


FUZZ = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", APP_URLS)
@FUZZ
@given(
    data=form_data,
    method=st.sampled_from(["get", "post"]),
    role=st.sampled_from(["org_user", "operator"]),
    with_file=st.booleans(),
)
# Found by CI: a NUL under "file" is replaced by the upload, so nothing with a NUL is sent.
@example(data={"file": [NUL]}, method="post", role="org_user", with_file=True)
def test_no_form_input_on_any_endpoint_produces_a_500(world, name, data, method, role, with_file):
    client = client_for(world["users"][role])
    client.raise_request_exception = False
    payload = dict(data)
    if method == "post" and with_file:
        # The upload takes the place of whatever text the example had under "file".
        payload["file"] = ContentFile(b"%PDF-1.4\n%%EOF\n", name="Протокол.pdf")
    response = getattr(client, method)(url_for(name, world), payload)
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (name, data)
    sent = {key: value for key, value in payload.items() if isinstance(value, (str, list))}
    if carries_nul(sent):
        assert response.status_code == HTTPStatus.BAD_REQUEST, (name, data)


@pytest.mark.parametrize("name", ADMIN_LISTS)
@FUZZ
@given(query=form_data)
def test_no_admin_changelist_filter_or_search_produces_a_500(world, name, query):
    client = client_for(world["users"]["operator"])
    client.raise_request_exception = False
    response = client.get(reverse(name), query)
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (name, query)
    if carries_nul(query):
        assert response.status_code == HTTPStatus.BAD_REQUEST, (name, query)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | hostile_text,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["cells", "table", "row", "column", "value", "version"]) | hostile_text,
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)
cell = st.fixed_dictionaries(
    {
        "table": st.sampled_from(["counts", "results"]) | hostile_text,
        "row": st.sampled_from(["grade4", "grade8"]) | hostile_text,
        "column": st.sampled_from(["listed", "present"]) | hostile_text,
        "value": hostile_text,
        "version": st.integers(min_value=0, max_value=3),
    },
    optional={"x": json_value},
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=json_value | st.fixed_dictionaries({"cells": st.lists(cell, max_size=3)}))
def test_no_autosave_json_produces_a_500_and_nul_is_400(world, payload):
    client = client_for(world["users"]["org_user"])
    client.raise_request_exception = False
    response = client.post(
        reverse("datacollection:report_autosave", args=[world["report"].pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code in (200, 400, 409), (payload, response.content[:300])
    if contains_nul(payload):
        assert response.status_code == HTTPStatus.BAD_REQUEST
