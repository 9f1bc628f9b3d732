"""Writes for statistical reports: publishing (the operator) and the build it starts.

The build reads the latest transferred snapshot of every organization of the collection once,
streamed, and keeps only counters: an organization's figures are written as soon as its snapshot
is counted, so memory holds the municipalities', regions' and the national counters, never the
organizations'. The old figures are replaced in one transaction: readers see either the old or
the new figures, never a half-built report.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import User
from core.errors import ServiceError
from datacollection.models import Column, Submission

from .aggregation import Counter, Spec, count_row, parse_grade, snapshot_rows
from .models import Aggregate, ReportDefinition

NOT_ALLOWED_MESSAGE = "Публиковать результаты может только федеральный оператор."
WRITE_BATCH = 2000


class ResultsError(ServiceError):
    pass


def definition_errors(definition: ReportDefinition) -> list[str]:
    """What keeps a definition from being built, in the operator's words."""
    tasks = list(definition.tasks.all())
    if not tasks:
        return [f"«{definition}»: не заданы задания с максимальными баллами."]
    columns = set(
        Column.objects.filter(
            table__form_id=definition.collection.form_id, table__key=definition.table_key
        ).values_list("key", flat=True)
    )
    if not columns:
        return [
            f"«{definition}»: в форме «{definition.collection.form.title}» нет таблицы "
            f"с ключом «{definition.table_key}»."
        ]
    errors = [
        f"«{definition}»: в таблице результатов нет столбца «{task.column_key}» "
        f"(задание {task.title})."
        for task in tasks
        if task.column_key not in columns
    ]
    if definition.grade_column not in columns:
        errors.append(
            f"«{definition}»: в таблице результатов нет столбца «{definition.grade_column}»."
        )
    errors += [
        f"«{definition}»: {error}"
        for error in definition.mark_scale_errors(sum(task.max_score for task in tasks))
    ]
    return errors


def results_publish(
    *,
    definitions: Iterable[ReportDefinition],
    user: User,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> list[ReportDefinition]:
    """Queue the build of the given reports; figures already built stay visible until it ends."""
    if not permissions.may_administer(user):
        raise ResultsError(NOT_ALLOWED_MESSAGE)
    at = at or timezone.now()
    with transaction.atomic():
        definitions = list(
            ReportDefinition.objects.select_for_update(of=("self",))
            .select_related("collection__study", "collection__form")
            .filter(pk__in=[d.pk for d in definitions])
            .order_by("pk")
        )
        errors = [error for definition in definitions for error in definition_errors(definition)]
        if errors:
            raise ResultsError(" ".join(errors))
        by_collection: dict[int, list[int]] = {}
        for definition in definitions:
            definition.status = ReportDefinition.Status.QUEUED
            definition.publish_requested_at = at
            definition.publish_requested_by = user
            definition.build_error = ""
            definition.save(
                update_fields=[
                    "status",
                    "publish_requested_at",
                    "publish_requested_by",
                    "build_error",
                ]
            )
            by_collection.setdefault(definition.collection_id, []).append(definition.pk)
            audit.record(
                actor=user,
                action="results.publish",
                target=f"results:{definition.pk} collection:{definition.collection_id}",
                request=request,
            )
        from .tasks import build_results

        for collection_id, ids in by_collection.items():
            transaction.on_commit(
                lambda c=collection_id, i=ids: build_results.enqueue(
                    collection_id=c, definition_ids=i
                )
            )
    return definitions


def tasks_from_form(*, definition: ReportDefinition, user: User) -> int:
    """Tasks from the results table's columns: every numeric, entered column with a largest
    value (not the class column), its largest value as the maximum score. Existing tasks stay."""
    if not permissions.may_administer(user):
        raise ResultsError(NOT_ALLOWED_MESSAGE)
    existing = set(definition.tasks.values_list("column_key", flat=True))
    columns = Column.objects.filter(
        table__form_id=definition.collection.form_id,
        table__key=definition.table_key,
        type__in=Column.NUMERIC_TYPES,
        max_value__isnull=False,
        sum_of="",
    ).exclude(key=definition.grade_column)
    made = 0
    for column in columns.order_by("order", "pk"):
        if column.key in existing or column.max_value < 1:
            continue
        made += 1
        definition.tasks.create(
            order=column.order,
            column_key=column.key,
            title=column.title.split(" (")[0].removeprefix("Задание ").strip() or column.key,
            max_score=int(column.max_value),
        )
    if made:
        audit.record(
            actor=user, action="results.tasks_from_form", target=f"results:{definition.pk}"
        )
    return made


@dataclass
class BuildSummary:
    snapshots: int = 0
    organizations: int = 0
    participants: int = 0


def _spec(definition: ReportDefinition) -> Spec:
    tasks = list(definition.tasks.all())
    bounds = None
    if definition.has_mark_scale:
        bounds = (definition.mark_3_from, definition.mark_4_from, definition.mark_5_from)
    return Spec(
        definition_id=definition.pk,
        grade=definition.grade,
        task_keys=tuple(task.column_key for task in tasks),
        max_scores=tuple(task.max_score for task in tasks),
        grade_column=definition.grade_column,
        absent_code=definition.absent_code,
        mark_bounds=bounds,
    )


def _aggregate(spec: Spec, counter: Counter, at: datetime, **where) -> Aggregate:
    return Aggregate(
        definition_id=spec.definition_id,
        organizations=counter.organizations,
        participants=counter.participants,
        absentees=counter.absentees,
        score_sum=counter.score_sum,
        average_score=counter.average_score,
        task_score_sums=counter.task_score_sums,
        score_counts=counter.score_counts,
        mark_counts=counter.mark_counts,
        built_at=at,
        **where,
    )


def latest_snapshots(collection_id: int):
    """(organization, municipality, region, data) of the latest snapshot of every report,
    streamed: ordered by report, newest first, and the older ones of a report skipped."""
    rows = (
        Submission.objects.filter(report__collection_id=collection_id)
        .order_by("report_id", "-submitted_at", "-pk")
        .values_list(
            "report_id",
            "report__organization_id",
            "report__organization__municipality_id",
            "report__organization__region_id",
            "data",
        )
        .iterator(chunk_size=500)
    )
    previous = None
    for report_id, organization_id, municipality_id, region_id, data in rows:
        if report_id == previous:
            continue
        previous = report_id
        yield organization_id, municipality_id, region_id, data


def results_build(
    *, collection_id: int, definition_ids: list[int] | None = None, at: datetime | None = None
) -> BuildSummary:
    """Build (or rebuild) the figures of the collection's report definitions."""
    selected = ReportDefinition.objects.filter(collection_id=collection_id)
    if definition_ids is not None:
        selected = selected.filter(pk__in=definition_ids)
    ids = list(selected.values_list("pk", flat=True))
    ReportDefinition.objects.filter(pk__in=ids).update(status=ReportDefinition.Status.BUILDING)
    try:
        with transaction.atomic():
            summary = _build(collection_id, ids, at or timezone.now())
    except Exception as error:
        ReportDefinition.objects.filter(pk__in=ids).update(
            status=ReportDefinition.Status.FAILED, build_error=str(error)[:2000]
        )
        raise
    return summary


def _build(collection_id: int, ids: list[int], at: datetime) -> BuildSummary:
    definitions = list(
        ReportDefinition.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )
    specs = {}
    for definition in definitions:
        specs.setdefault((definition.table_key, definition.grade_column), {})[definition.grade] = (
            _spec(definition)
        )
    Aggregate.objects.filter(definition__in=definitions).delete()

    municipalities: dict[tuple[int, int], Counter] = {}
    municipality_regions: dict[int, int] = {}
    regions: dict[tuple[int, int], Counter] = {}
    everybody = {
        spec.definition_id: Counter.for_spec(spec)
        for by_grade in specs.values()
        for spec in by_grade.values()
    }
    batch: list[Aggregate] = []
    summary = BuildSummary()
    for organization_id, municipality_id, region_id, data in latest_snapshots(collection_id):
        summary.snapshots += 1
        municipality_regions[municipality_id] = region_id
        for (table_key, grade_column), by_grade in specs.items():
            counters: dict[int, Counter] = {}
            for values in snapshot_rows(data, table_key):
                spec = by_grade.get(parse_grade(values.get(grade_column)))
                if spec is None:
                    continue
                if spec.grade not in counters:
                    counters[spec.grade] = Counter.for_spec(spec)
                    counters[spec.grade].organizations = 1
                count_row(values, spec, counters[spec.grade])
            for grade, counter in counters.items():
                spec = by_grade[grade]
                key = spec.definition_id
                for totals, subject in (
                    (municipalities, municipality_id),
                    (regions, region_id),
                ):
                    if (key, subject) not in totals:
                        totals[key, subject] = Counter.for_spec(spec)
                    totals[key, subject].merge(counter)
                everybody[key].merge(counter)
                batch.append(
                    _aggregate(
                        spec,
                        counter,
                        at,
                        level=Aggregate.Level.ORGANIZATION,
                        organization_id=organization_id,
                        municipality_id=municipality_id,
                        region_id=region_id,
                    )
                )
        if len(batch) >= WRITE_BATCH:
            Aggregate.objects.bulk_create(batch)
            batch = []
    Aggregate.objects.bulk_create(batch)

    all_specs = {
        spec.definition_id: spec for by_grade in specs.values() for spec in by_grade.values()
    }
    rest = [
        _aggregate(
            all_specs[key],
            counter,
            at,
            level=Aggregate.Level.MUNICIPALITY,
            municipality_id=municipality_id,
            region_id=municipality_regions[municipality_id],
        )
        for (key, municipality_id), counter in municipalities.items()
    ]
    rest += [
        _aggregate(all_specs[key], counter, at, level=Aggregate.Level.REGION, region_id=region_id)
        for (key, region_id), counter in regions.items()
    ]
    rest += [
        _aggregate(all_specs[key], counter, at, level=Aggregate.Level.ALL)
        for key, counter in everybody.items()
    ]
    Aggregate.objects.bulk_create(rest, batch_size=WRITE_BATCH)
    for counter in everybody.values():
        summary.organizations += counter.organizations
        summary.participants += counter.participants
    ReportDefinition.objects.filter(pk__in=ids).update(
        status=ReportDefinition.Status.PUBLISHED, built_at=at, build_error=""
    )
    return summary
