"""`seed_demo` leaves published statistical reports with varied results behind."""

import io

from django.core.management import call_command

from accounts.models import Organization
from datacollection.models import Report
from results.demo import participant_rows
from results.models import Aggregate, ReportDefinition


def test_seed_demo_publishes_reports_with_varied_results(db):
    call_command("seed_demo", stdout=io.StringIO())
    definitions = ReportDefinition.objects.order_by("grade")
    assert [d.grade for d in definitions] == [4, 8]
    assert all(d.is_published and d.has_mark_scale for d in definitions)
    for definition in definitions:
        everybody = Aggregate.objects.get(definition=definition, level="all")
        assert everybody.participants > 100 and everybody.absentees > 0
        assert all(count > 0 for count in everybody.mark_counts)
    school = Organization.objects.get(login="edu470001")
    assert Aggregate.objects.filter(level="organization", organization=school).count() == 2
    # edu470002 keeps an empty results form for the «Заполнить» walkthrough.
    assert not Report.objects.filter(
        organization__login="edu470002", collection__form__code="niko_results"
    ).exists()


def test_demo_results_have_absentees_and_not_attempted_tasks():
    rows = [row for number in range(1, 41) for row in participant_rows(number)]
    values = [value for row in rows for key, value in row.items() if key.startswith("task_")]
    assert "X" in values and "отсутствовал" in values
    assert 400 <= len(rows) <= 1300
