"""The autosave's statements in the steady state, pinned (issue 11.2: at most 6 on PostgreSQL,
BEGIN and COMMIT included).

Steady state: the school is logged in, its session is in the shared cache (SESSION_ENGINE
cached_db, as the settings choose when CACHE_URL is set) and the form's definition is cached
for its version. Inside a test the request's transaction is a SAVEPOINT / RELEASE SAVEPOINT in
the test's own transaction: they stand for the BEGIN and COMMIT a real request sends (psycopg
opens the transaction implicitly and Django commits without a cursor, so outside a test those
two would not even show in `connection.queries`). Run on PostgreSQL with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_<name>.
"""

import json

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import AuditEvent
from datacollection.models import Cell, Report
from tests.factories import ReportFactory, make_collection

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def report(org):
    return ReportFactory(collection=make_collection(organizations=[org]), organization=org)


def autosave(client, report, *cells):
    return client.post(
        reverse("datacollection:report_autosave", kwargs={"pk": report.pk}),
        data=json.dumps({"cells": list(cells)}),
        content_type="application/json",
    )


def cell(row, column, value, version, table="counts"):
    return {"table": table, "row": row, "column": column, "value": value, "version": version}


def test_autosave_of_a_fixed_row_cell(
    cached_sessions, as_user, org_user, report, django_assert_num_queries
):
    client = as_user(org_user)
    autosave(client, report, cell("grade4", "listed", "25", 0))  # warms the caches
    # PostgreSQL:
    # 1 SELECT user (AuthenticationMiddleware; the session came from the cache)
    # 2 SAVEPOINT = BEGIN
    # 3 SELECT report ⨝ collection ⨝ form, extension subquery … FOR UPDATE OF report:
    #   the lock, the scope (own organization) and the open window in one read
    # 4 WITH input … INSERT cells ON CONFLICT … WHERE version matches, UPDATE report,
    #   INSERT audit rows, SELECT the answer and the row's other values for the totals
    # 5 RELEASE SAVEPOINT = COMMIT
    # SQLite, the portable path: 1 user, 2 SAVEPOINT = BEGIN, 3 SELECT report … (the lock is
    # the database's write lock), 4 SELECT the cells of the rows concerned,
    # 5 INSERT … ON CONFLICT DO UPDATE cells, 6 UPDATE report, 7 INSERT audit rows,
    # 8 RELEASE SAVEPOINT = COMMIT
    with django_assert_num_queries(5 if POSTGRESQL else 8):
        response = autosave(client, report, cell("grade4", "listed", "26", 1))
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert (result["status"], result["value"], result["version"]) == ("saved", "26", 2)
    assert Cell.objects.get().value == "26"
    assert AuditEvent.objects.filter(action="report.cell_saved").count() == 2


def test_autosave_of_a_pasted_block_in_a_dynamic_row_with_totals(
    cached_sessions, as_user, org_user, report, django_assert_num_queries
):
    """Several cells, a row the school added, a computed total: still one write statement on
    PostgreSQL; the total comes from the values written, not from a read after the write."""
    client = as_user(org_user)
    client.post(reverse("datacollection:report_row_add", args=[report.pk]), {"table": "results"})
    row = report.rows.get().key
    autosave(client, report, cell(row, "task_1", "1", 0, table="results"))
    block = [
        cell(row, "task_1", "2", 1, table="results"),
        cell(row, "task_2", "x", 0, table="results"),
        cell(row, "task_3", "1", 0, table="results"),
    ]
    # PostgreSQL: as above (the row's existence is checked inside the write statement).
    # SQLite: as above + 1 SELECT of the dynamic row's existence.
    with django_assert_num_queries(5 if POSTGRESQL else 9):
        response = autosave(client, report, *block)
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["saved"] * 3
    assert [(r["column"], r["totals"]) for r in results] == [
        ("task_1", {"total": "3"}),
        ("task_2", {"total": "3"}),
        ("task_3", {"total": "3"}),
    ]
    assert Report.objects.get().status == Report.Status.IN_PROGRESS


def test_a_refused_request_writes_nothing_in_one_read(
    cached_sessions, as_user, org_user, report, django_assert_num_queries
):
    client = as_user(org_user)
    autosave(client, report, cell("grade4", "listed", "25", 0))
    # user, BEGIN, the locking read, COMMIT: an invalid value is refused before any write.
    with django_assert_num_queries(4):
        response = autosave(
            client, report, cell("grade4", "listed", "30", 1), cell("grade4", "present", "?", 0)
        )
    assert [r["status"] for r in response.json()["results"]] == ["not_saved", "error"]
    assert Cell.objects.get().value == "25"


def test_a_changed_definition_is_never_served_from_the_cache(
    cached_sessions, as_user, org_user, report
):
    """The cache key holds Form.version, which every change of the definition bumps."""
    client = as_user(org_user)
    autosave(client, report, cell("grade4", "listed", "25", 0))
    form = report.collection.form
    version = type(form).objects.get(pk=form.pk).version
    column = form.tables.get(key="counts").columns.get(key="listed")
    column.max_value = 10
    column.save()
    assert type(form).objects.get(pk=form.pk).version == version + 1
    response = autosave(client, report, cell("grade4", "listed", "26", 1))
    [result] = response.json()["results"]
    assert result["status"] == "error" and "не больше 10" in result["message"]


@pytest.mark.skipif(not POSTGRESQL, reason="prepared statements: PostgreSQL")
def test_the_locking_read_and_the_write_are_prepared_on_the_connection(
    cached_sessions, as_user, org_user, report
):
    """Parsing and planning both statements was about half of PostgreSQL's time per autosave
    (bench/autosave.py): they run as prepared statements, planned once per connection."""
    client = as_user(org_user)
    for version in range(3):
        response = autosave(client, report, cell("grade4", "listed", str(20 + version), version))
        assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [statement.strip() for (statement,) in cursor.fetchall()]
    assert [s for s in statements if s.startswith('SELECT "datacollection_report"."id"')]
    assert [s for s in statements if 'FOR UPDATE OF "datacollection_report"' in s]
    assert [s for s in statements if s.startswith("WITH input")]
