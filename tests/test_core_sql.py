"""`core.sql`: prepared statements for the hot path and `Statement`'s compiled queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from core.sql import InIds, Slot, Statement, prepared_cursor
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
only_postgresql = pytest.mark.skipif(not POSTGRESQL, reason="prepared statements: PostgreSQL")


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@only_postgresql
def test_a_prepared_cursor_prepares_its_statement_once_and_django_cursors_prepare_nothing():
    before = prepared_statements()
    for number in range(7):  # more than psycopg's threshold of automatic preparation
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int + 100", [number])
            assert cursor.fetchone() == (number + 100,)
    assert prepared_statements() == before
    for number in range(3):
        with prepared_cursor(connection) as cursor:
            cursor.execute("SELECT %s::int + 200", [number])
            assert cursor.fetchone() == (number + 200,)
    new = [statement for statement in prepared_statements() if statement not in before]
    assert new == ["SELECT $1::int + 200"]


def test_a_prepared_cursors_statements_are_logged_like_any_other():
    """Query counts pinned by tests see prepared statements too (Django's wrappers)."""
    with CaptureQueriesContext(connection) as queries, prepared_cursor(connection) as cursor:
        cursor.execute("SELECT 1 + %s", [1])
        assert cursor.fetchone() == (2,)
    assert len(queries) == 1


@pytest.mark.parametrize("prepared", [False, True])
def test_a_statement_returns_the_querysets_rows_with_other_ids_each_run(prepared):
    first, second, third = OrganizationFactory.create_batch(3)
    statement = Statement(
        Organization.objects.filter(InIds("id", Slot.ids("ids")))
        .order_by("pk")
        .values_list("pk", "login"),
        prepared=prepared,
    )
    assert statement.rows(ids=[first.pk, third.pk]) == [
        (first.pk, first.login),
        (third.pk, third.login),
    ]
    assert statement.rows(ids=[second.pk]) == [(second.pk, second.login)]
    assert statement.rows(ids=[]) == []
