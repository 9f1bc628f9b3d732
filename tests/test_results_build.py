"""The build of statistical reports: every stored figure equals a direct computation on small
hand-made results (absentees excluded, X and empty as 0, per-task sums, score bins, marks by the
scale), only the latest snapshot counts, re-publishing rebuilds, bad definitions are refused."""

from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from results import services
from results.aggregation import task_score
from results.models import Aggregate, ReportDefinition
from tests.factories import earlier, make_collection, make_definition, result_row, submit_results

ABSENT = "отсутствовал"


@pytest.fixture
def world(org, org_same_municipality, org_other_municipality, org_other_region):
    collection = make_collection(
        organizations=[org, org_same_municipality, org_other_municipality, org_other_region]
    )
    definition = make_definition(collection, grade=4, max_scores=(2, 2, 2), scale=(2, 4, 6))
    # An older snapshot of `org`, superseded by the one below: it must not count.
    submit_results(collection, org, [result_row(4, 0, 0, 0)], at=earlier(120))
    submit_results(
        collection,
        org,
        [
            result_row(4, 2, 1, "X"),  # 3 → «3»
            result_row(4, 2, 2, 2),  # 6 → «5»
            result_row(4, ABSENT, ABSENT, ABSENT),  # absentee
            result_row(8, 2, 2, 2),  # another class: not in this report
        ],
    )
    submit_results(collection, org_same_municipality, [result_row(4, 0, "", 1)])  # 1 → «2»
    submit_results(collection, org_other_municipality, [result_row(4, 2, 2, 1)])  # 5 → «4»
    submit_results(
        collection,
        org_other_region,
        [result_row(4, "X", "X", "X"), result_row(4, 1, 1, 1)],  # 0 → «2», 3 → «3»
    )
    return collection, definition


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish as the admin action does; the build task runs on commit (immediate backend)."""

    def run(definition, user):
        with django_capture_on_commit_callbacks(execute=True):
            services.results_publish(definitions=[definition], user=user)

    return run


def figures(aggregate):
    return {
        "organizations": aggregate.organizations,
        "participants": aggregate.participants,
        "absentees": aggregate.absentees,
        "score_sum": aggregate.score_sum,
        "average": aggregate.average_score,
        "tasks": aggregate.task_score_sums,
        "scores": aggregate.score_counts,
        "marks": aggregate.mark_counts,
    }


def test_every_level_equals_the_hand_computation(
    world, publish, org, municipality, region, operator
):
    _, definition = world
    publish(definition, operator)
    definition.refresh_from_db()
    assert definition.status == ReportDefinition.Status.PUBLISHED
    assert definition.built_at is not None
    rows = Aggregate.objects.filter(definition=definition)
    assert figures(rows.get(level="organization", organization=org)) == {
        "organizations": 1,
        "participants": 2,
        "absentees": 1,
        "score_sum": 9,
        "average": Decimal("4.50"),
        "tasks": [4, 3, 2],
        "scores": [0, 0, 0, 1, 0, 0, 1],
        "marks": [0, 1, 0, 1],
    }
    assert figures(rows.get(level="municipality", municipality=municipality)) == {
        "organizations": 2,
        "participants": 3,
        "absentees": 1,
        "score_sum": 10,
        "average": Decimal("3.33"),
        "tasks": [4, 3, 3],
        "scores": [0, 1, 0, 1, 0, 0, 1],
        "marks": [1, 1, 0, 1],
    }
    assert figures(rows.get(level="region", region=region)) == {
        "organizations": 3,
        "participants": 4,
        "absentees": 1,
        "score_sum": 15,
        "average": Decimal("3.75"),
        "tasks": [6, 5, 4],
        "scores": [0, 1, 0, 1, 0, 1, 1],
        "marks": [1, 1, 1, 1],
    }
    assert figures(rows.get(level="all")) == {
        "organizations": 4,
        "participants": 6,
        "absentees": 1,
        "score_sum": 18,
        "average": Decimal("3.00"),
        "tasks": [7, 6, 5],
        "scores": [1, 1, 0, 2, 0, 1, 1],
        "marks": [2, 2, 1, 1],
    }
    # 4 organizations, 3 municipalities, 2 regions, everybody.
    assert rows.count() == 4 + 3 + 2 + 1
    assert AuditEvent.objects.filter(action="results.publish").count() == 1


def test_without_a_scale_no_marks_are_counted(world, operator):
    collection, _ = world
    definition = make_definition(collection, grade=8, max_scores=(2, 2, 2), scale=None)
    services.results_build(collection_id=collection.pk, definition_ids=[definition.pk])
    everybody = Aggregate.objects.get(definition=definition, level="all")
    assert (everybody.participants, everybody.score_sum, everybody.mark_counts) == (1, 6, [])


def test_republishing_rebuilds_from_corrected_results(world, publish, org, operator):
    collection, definition = world
    publish(definition, operator)
    first = ReportDefinition.objects.get(pk=definition.pk).built_at
    submit_results(collection, org, [result_row(4, 0, 0, 0)])  # corrected and transferred again
    publish(definition, operator)
    definition.refresh_from_db()
    assert definition.built_at > first
    mine = Aggregate.objects.get(definition=definition, level="organization", organization=org)
    assert (mine.participants, mine.absentees, mine.score_sum) == (1, 0, 0)
    assert Aggregate.objects.filter(definition=definition).count() == 10  # replaced, not added


def test_only_the_operator_publishes(world, regional):
    _, definition = world
    with pytest.raises(services.ResultsError) as caught:
        services.results_publish(definitions=[definition], user=regional)
    assert caught.value.message == services.NOT_ALLOWED_MESSAGE
    assert not Aggregate.objects.exists()


def test_a_definition_naming_a_missing_column_is_refused(world, operator):
    _, definition = world
    definition.tasks.create(order=9, column_key="task_9", title="9", max_score=1)
    with pytest.raises(services.ResultsError) as caught:
        services.results_publish(definitions=[definition], user=operator)
    assert "нет столбца «task_9»" in caught.value.message
    definition.refresh_from_db()
    assert definition.status == ReportDefinition.Status.NOT_PUBLISHED
    assert not Aggregate.objects.exists()


def test_mark_bounds_must_grow(world):
    from django.core.exceptions import ValidationError

    _, definition = world
    definition.mark_4_from = 1
    with pytest.raises(ValidationError, match="должны возрастать"):
        definition.clean()
    definition.mark_4_from, definition.mark_5_from = None, None
    with pytest.raises(ValidationError, match="задается целиком"):
        definition.clean()


@pytest.mark.parametrize(
    ("value", "score"),
    [("X", 0), ("х", 0), ("", 0), (None, 0), ("2", 2), (" 1 ", 1), ("5", 2), ("-1", 0), ("a", 0)],
)
def test_task_cells_as_scores(value, score):
    assert task_score(value, 2) == score


def test_tasks_from_the_results_form(world, operator):
    collection, _ = world
    definition = ReportDefinition.objects.create(collection=collection, grade=8)
    assert services.tasks_from_form(definition=definition, user=operator) == 3
    assert [(t.column_key, t.max_score) for t in definition.tasks.all()] == [
        ("task_1", 2),
        ("task_2", 2),
        ("task_3", 2),
    ]
    assert services.tasks_from_form(definition=definition, user=operator) == 0


def test_an_absence_code_in_any_task_makes_an_absentee():
    from results.aggregation import Counter, Spec, count_row

    spec = Spec(1, 4, ("task_1", "task_2"), (2, 2), "grade", ABSENT, (1, 2, 3))
    counter = Counter.for_spec(spec)
    count_row({"task_1": "2", "task_2": " Отсутствовал "}, spec, counter)
    count_row({"task_1": "x", "task_2": "1"}, spec, counter)
    assert (counter.absentees, counter.participants, counter.score_sum) == (1, 1, 1)
    assert counter.task_score_sums == [0, 1] and counter.score_counts == [0, 1, 0, 0, 0]
    assert counter.mark_counts == [0, 1, 0, 0]
