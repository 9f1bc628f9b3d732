"""Demo НИКО forms and collections for region 47 (a `seed_demo` step, idempotent)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization

from .models import Collection, Column, CrossCheck, FixedRow, Form, FormTable, Study

ABSENT = "отсутствовал"
TASK_MAX_SCORES = [1, 1, 2, 1, 2, 2, 1, 3, 2, 3]

# (key, title, type, extra fields)
INT0 = {"type": Column.Type.INTEGER, "min_value": Decimal(0)}


def _table(form, key, title, order, *, columns, rows=None, max_rows=None, row_header="Показатель"):
    table, _ = FormTable.objects.update_or_create(
        form=form,
        key=key,
        defaults={
            "title": title,
            "order": order,
            "row_header": row_header,
            "row_mode": FormTable.RowMode.DYNAMIC if max_rows else FormTable.RowMode.FIXED,
            "max_rows": max_rows,
        },
    )
    for number, (column_key, column_title, fields) in enumerate(columns, 1):
        Column.objects.update_or_create(
            table=table,
            key=column_key,
            defaults={"title": column_title, "order": number, **fields},
        )
    for number, (row_key, label) in enumerate(rows or [], 1):
        FixedRow.objects.update_or_create(
            table=table, key=row_key, defaults={"label": label, "order": number}
        )
    if rows is not None:
        # Re-seeding an older demo: rows the definition no longer has go.
        table.fixed_rows.exclude(key__in=[key for key, _ in rows]).delete()
    return table


def _form(code, title, description=""):
    form, _ = Form.objects.update_or_create(
        code=code, defaults={"title": title, "description": description}
    )
    return form


def build_forms() -> dict[str, Form]:
    forms = {}
    info = forms["info"] = _form(
        "niko_oo_info", "Сведения об ОО", "Контекстные данные об ОО, без персональных данных."
    )
    _table(
        info,
        "general",
        "Общие сведения",
        1,
        columns=[("value", "Значение", {"type": Column.Type.TEXT, "max_length": 300})],
        rows=[("location", "Тип населенного пункта")],
    )
    # Headcounts are numbers (checked, summed in exports), never free text.
    _table(
        info,
        "headcount",
        "Численность",
        2,
        columns=[("count", "Человек", {**INT0, "required": True})],
        rows=[
            ("pupils", "Численность обучающихся в ОО"),
            ("teachers", "Численность педагогических работников"),
        ],
    )
    counts = _table(
        info,
        "classes",
        "Классы, участвующие в НИКО",
        3,
        row_header="Класс",
        columns=[
            ("classes", "Количество классов", {**INT0, "required": True}),
            ("listed", "Обучающихся по списку", {**INT0, "required": True}),
        ],
        rows=[("grade4", "4 класс"), ("grade8", "8 класс")],
    )
    del counts

    rooms = forms["rooms"] = _form("niko_rooms", "Распределение участников по аудиториям")
    _table(
        rooms,
        "rooms",
        "Аудитории",
        1,
        max_rows=50,
        row_header="№",
        columns=[
            (
                "room",
                "Номер аудитории",
                {"type": Column.Type.TEXT, "max_length": 20, "required": True},
            ),
            ("grade", "Класс", {**INT0, "min_value": Decimal(1), "max_value": Decimal(11)}),
            ("participants", "Число участников", {**INT0, "required": True}),
            ("organizer", "Организатор в аудитории назначен", {"type": Column.Type.YES_NO}),
        ],
    )

    protocol = forms["protocol"] = _form("niko_protocol", "Протокол проведения НИКО в ОО")
    table = _table(
        protocol,
        "attendance",
        "Явка участников",
        1,
        row_header="Класс",
        columns=[
            ("listed", "По списку", {**INT0, "required": True}),
            ("present", "Присутствовало", {**INT0, "required": True}),
            ("absent", "Отсутствовало", {**INT0, "required": True}),
            (
                "scan",
                "Скан протокола проведения в аудитории",
                {
                    "type": Column.Type.FILE,
                    "required": True,
                    "help_text": "PDF, JPG или PNG; несколько аудиторий — одним PDF.",
                },
            ),
        ],
        rows=[("grade4", "4 класс"), ("grade8", "8 класс")],
    )
    CrossCheck.objects.update_or_create(
        table=table,
        left="present, absent",
        defaults={
            "operator": CrossCheck.Operator.EQ,
            "right": "listed",
            "message": "Присутствовало + отсутствовало должно равняться числу по списку.",
        },
    )
    _table(
        protocol,
        "conduct",
        "Проведение",
        2,
        columns=[("value", "Значение", {"type": Column.Type.TEXT, "max_length": 500})],
        rows=[
            ("date", "Дата проведения"),
            ("observers", "Присутствие независимых наблюдателей"),
            ("incidents", "Нештатные ситуации"),
        ],
    )

    survey = forms["survey"] = _form("niko_survey", "Анкета ОО")
    _table(
        survey,
        "answers",
        "Вопросы анкеты",
        1,
        row_header="Вопрос",
        columns=[
            (
                "answer",
                "Ответ",
                {"type": Column.Type.CHOICE, "choices": "Да\nСкорее да\nСкорее нет\nНет"},
            )
        ],
        rows=[
            ("q1", "В ОО есть план работы по повышению качества образования"),
            ("q2", "Результаты оценочных процедур обсуждаются на педагогическом совете"),
            ("q3", "Педагоги прошли повышение квалификации за последние три года"),
        ],
    )

    results = forms["results"] = _form("niko_results", "Форма сбора результатов")
    tasks = [
        (
            f"task_{number}",
            f"Задание {number} (макс. {score})",
            {
                **INT0,
                "max_value": Decimal(score),
                "special_codes": f"X\n{ABSENT}",
                "help_text": "X — задание не выполнялось.",
            },
        )
        for number, score in enumerate(TASK_MAX_SCORES, 1)
    ]
    _table(
        results,
        "results",
        "Результаты участников",
        1,
        max_rows=300,
        row_header="№",
        columns=[
            (
                "code",
                "Код участника",
                {"type": Column.Type.TEXT, "max_length": 7, "required": True},
            ),
            (
                "grade",
                "Класс",
                {**INT0, "min_value": Decimal(4), "max_value": Decimal(8), "required": True},
            ),
            ("variant", "Вариант", {"type": Column.Type.CHOICE, "choices": "1\n2"}),
            *tasks,
            (
                "total",
                "Первичный балл",
                {
                    "type": Column.Type.INTEGER,
                    "sum_of": ",".join(key for key, _, _ in tasks),
                },
            ),
        ],
    )
    return forms


def _moscow(days: int, hour: int) -> datetime:
    today = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


@transaction.atomic
def seed(*, stdout) -> None:
    study, _ = Study.objects.update_or_create(
        code="niko2026", defaults={"title": "НИКО по литературе и ОБЖ, 4 и 8 классы", "year": 2026}
    )
    forms = build_forms()
    windows = {
        "info": (-10, 2),  # open, closes in two days
        "rooms": (-5, 7),
        "results": (-3, 10),
        "survey": (-30, -1),  # closed
        "protocol": (5, 20),  # not yet open
    }
    organizations = list(Organization.objects.filter(region__code="47"))
    for key, (opens, closes) in windows.items():
        collection = Collection.objects.filter(form=forms[key], study=study).first()
        if collection is None:
            collection = Collection.objects.create(
                form=forms[key],
                study=study,
                opens_at=_moscow(opens, 9),
                closes_at=_moscow(closes, 18),
            )
        collection.organizations.add(*organizations)
    stdout.write(f"Сбор данных: {len(windows)} форм НИКО для {len(organizations)} ОО региона 47.")
