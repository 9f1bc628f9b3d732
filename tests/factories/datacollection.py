"""Factories for data collection, shared by the datacollection tests and browser tests.

`make_form()` builds a small form with both kinds of tables:
«Численность участников» (fixed rows 4 and 8 класс; по списку, присутствовало, отсутствовало with
the check присутствовало + отсутствовало = по списку) and «Результаты» (rows added by the ОО, up
to 5: код участника, класс, задания 1–3 with X and «отсутствовал», итог = сумма заданий).
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from datacollection.models import (
    Collection,
    Column,
    CrossCheck,
    FixedRow,
    Form,
    FormTable,
    Report,
    Study,
)


class StudyFactory(DjangoModelFactory):
    class Meta:
        model = Study
        django_get_or_create = ("code",)

    code = "niko2026"
    title = "НИКО по литературе"
    year = 2026


class FormFactory(DjangoModelFactory):
    class Meta:
        model = Form

    code = factory.Sequence(lambda n: f"form_{n}")
    title = factory.Sequence(lambda n: f"Форма сбора результатов {n}")


class CollectionFactory(DjangoModelFactory):
    class Meta:
        model = Collection
        skip_postgeneration_save = True

    form = factory.SubFactory(FormFactory)
    study = factory.SubFactory(StudyFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2, minutes=5))

    @factory.post_generation
    def organizations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organizations.set(extracted)


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    collection = factory.SubFactory(CollectionFactory)


def column(table, key, title, order, **fields):
    return Column.objects.create(table=table, key=key, title=title, order=order, **fields)


def add_scan_table(form: Form) -> FormTable:
    """«Протокол»: fixed rows 4 and 8 класс with a file column «Скан протокола» (PDF/JPG/PNG)."""
    table = FormTable.objects.create(
        form=form, key="protocol", title="Протокол", order=3, row_header="Класс"
    )
    FixedRow.objects.create(table=table, key="grade4", label="4 класс", order=1)
    FixedRow.objects.create(table=table, key="grade8", label="8 класс", order=2)
    column(table, "scan", "Скан протокола", 1, type=Column.Type.FILE)
    column(table, "note", "Примечание", 2, type=Column.Type.TEXT, max_length=100)
    return table


def make_form(title="Форма сбора результатов", *, scan=False) -> Form:
    """`scan=True` adds the «Протокол» table with a file column (`add_scan_table`)."""
    form = FormFactory(title=title)
    counts = FormTable.objects.create(
        form=form, key="counts", title="Численность участников", order=1, row_header="Класс"
    )
    FixedRow.objects.create(table=counts, key="grade4", label="4 класс", order=1)
    FixedRow.objects.create(table=counts, key="grade8", label="8 класс", order=2)
    for order, (key, title) in enumerate(
        [("listed", "По списку"), ("present", "Присутствовало"), ("absent", "Отсутствовало")], 1
    ):
        column(counts, key, title, order, type=Column.Type.INTEGER, required=True, min_value=0)
    CrossCheck.objects.create(
        table=counts,
        left="present, absent",
        operator=CrossCheck.Operator.EQ,
        right="listed",
        message="Присутствовало + отсутствовало должно равняться числу по списку.",
    )
    results = FormTable.objects.create(
        form=form,
        key="results",
        title="Результаты",
        order=2,
        row_mode=FormTable.RowMode.DYNAMIC,
        max_rows=5,
        row_header="№",
    )
    column(results, "code", "Код участника", 1, type=Column.Type.TEXT, required=True, max_length=5)
    column(results, "grade", "Класс", 2, type=Column.Type.INTEGER, min_value=4, max_value=11)
    for number in range(1, 4):
        column(
            results,
            f"task_{number}",
            f"Задание {number}",
            2 + number,
            type=Column.Type.INTEGER,
            min_value=0,
            max_value=Decimal(2),
            special_codes="X\nотсутствовал",
        )
    column(results, "total", "Итог", 9, type=Column.Type.INTEGER, sum_of="task_1,task_2,task_3")
    if scan:
        add_scan_table(form)
    return form


def make_collection(*, organizations, **fields) -> Collection:
    fields.setdefault("form", make_form())
    return CollectionFactory(organizations=organizations, **fields)


def cell_address(report, table_key, column_key):
    """(table, column) of a report's form by their keys."""
    table = report.collection.form.tables.get(key=table_key)
    return table, table.columns.get(key=column_key)


def save_cell(report, user, table_key, row, column_key, value, base_version=0, **kwargs):
    """One autosave through the service, as the table page does it."""
    from datacollection import services

    table, column = cell_address(report, table_key, column_key)
    return services.cell_save(
        report=report,
        user=user,
        table=table,
        row=row,
        column=column,
        value=value,
        base_version=base_version,
        **kwargs,
    )


def fill_valid(report, user):
    """«Численность участников» of `make_form()` filled so that it passes «Сдать отчет»."""
    for row in ("grade4", "grade8"):
        for key, value in (("listed", "25"), ("present", "24"), ("absent", "1")):
            save_cell(report, user, "counts", row, key, value)
