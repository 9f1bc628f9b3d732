"""The big tables keep one index per leading column: lookups by report use the unique address
index, and no second index on `report_id` alone is written on every autosave."""

import pytest
from django.db import connection

from datacollection.models import Cell, ReportRow

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Cell, ReportRow])
def test_lookups_by_report_use_one_index_that_starts_with_it(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    starting_with_report = sorted(
        name
        for name, info in constraints.items()
        if (info["index"] or info["unique"])
        and not info["primary_key"]
        and info["columns"]
        and info["columns"][0] == "report_id"
    )
    assert len(starting_with_report) == 1, starting_with_report
    [name] = starting_with_report
    assert constraints[name]["unique"]
    assert len(constraints[name]["columns"]) > 1
