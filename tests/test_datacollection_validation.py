"""Each column type, special codes and contradictory definitions. Validators never raise anything
but CellError, whatever they are given (hypothesis)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from datacollection.models import Column, CrossCheck, FormTable
from datacollection.validation import (
    REQUIRED_MESSAGE,
    CellError,
    check_row,
    clean_value,
    computed_values,
    display_value,
)


def col(**fields) -> Column:
    fields.setdefault("key", "value")
    fields.setdefault("title", "Значение")
    return Column(**fields)


INTEGER = col(type=Column.Type.INTEGER, min_value=Decimal(0), max_value=Decimal(10))
TASK = col(
    type=Column.Type.INTEGER,
    min_value=Decimal(0),
    max_value=Decimal(2),
    special_codes="X\nотсутствовал",
)
DECIMAL = col(type=Column.Type.DECIMAL, min_value=Decimal("0.5"))
TEXT = col(type=Column.Type.TEXT, max_length=5)
CHOICE = col(type=Column.Type.CHOICE, choices="Городская\nСельская")
DATE = col(type=Column.Type.DATE)
YES_NO = col(type=Column.Type.YES_NO)
FILE = col(type=Column.Type.FILE)
ALL = [INTEGER, TASK, DECIMAL, TEXT, CHOICE, DATE, YES_NO, FILE]


@pytest.mark.parametrize(
    ("column", "raw", "stored"),
    [
        (INTEGER, " 7 ", "7"),
        (INTEGER, "10", "10"),
        (INTEGER, "3,0", "3"),
        (INTEGER, "", ""),
        (TASK, "x", "X"),
        (TASK, "Х", "X"),  # Cyrillic capital Ха
        (TASK, "х", "X"),
        (TASK, "X", "X"),
        (TASK, "Отсутствовал", "отсутствовал"),
        (DECIMAL, "2,5", "2.5"),
        (DECIMAL, "2.50", "2.5"),
        (DECIMAL, "1 000", "1000"),
        (TEXT, "80001", "80001"),
        (CHOICE, "сельская", "Сельская"),
        (DATE, "21.11.2026", "2026-11-21"),
        (DATE, "1.2.2026", "2026-02-01"),
        (YES_NO, "Да", "да"),
        (YES_NO, "нет", "нет"),
    ],
)
def test_valid_values_are_normalized(column, raw, stored):
    assert clean_value(column, raw) == stored


@pytest.mark.parametrize(
    ("column", "raw", "message"),
    [
        (INTEGER, "abc", "Введите целое число."),
        (INTEGER, "2,5", "Введите целое число."),
        (INTEGER, "11", "Значение должно быть не больше 10."),
        (INTEGER, "-1", "Значение должно быть не меньше 0."),
        (INTEGER, "X", "Введите целое число."),  # no special codes allowed here
        (TASK, "3", "Значение должно быть не больше 2."),
        (TASK, "XX", "Введите целое число."),
        (DECIMAL, "0,4", "Значение должно быть не меньше 0.5."),
        (DECIMAL, "1e5", "Введите число."),
        (TEXT, "800011", "Не больше 5 символов (сейчас 6)."),
        (CHOICE, "Горная", "Выберите значение из списка: Городская, Сельская."),
        (DATE, "31.02.2026", "Такой даты нет в календаре."),
        (DATE, "2026/11/21", "Введите дату в виде дд.мм.гггг."),
        (YES_NO, "может быть", "Введите «да» или «нет»."),
        (FILE, "scan.pdf", "Файл загружается отдельно."),
    ],
)
def test_invalid_values_give_a_russian_message(column, raw, message):
    with pytest.raises(CellError) as caught:
        clean_value(column, raw)
    assert caught.value.message == message


def test_computed_column_cannot_be_typed_into():
    total = col(type=Column.Type.INTEGER, sum_of="a,b")
    with pytest.raises(CellError, match="вычисляется автоматически"):
        clean_value(total, "5")


@settings(max_examples=300, deadline=None)
@given(
    column=st.sampled_from(ALL),
    raw=st.one_of(
        st.text(),
        st.none(),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.text()),
        st.from_regex(r"^[+-]?\d{1,40}([.,]\d{1,40})?$"),
        st.from_regex(r"^\d{1,3}\.\d{1,3}\.\d{1,6}$"),
    ),
)
def test_validators_raise_only_cell_errors(column, raw):
    try:
        result = clean_value(column, raw)
    except CellError as exc:
        assert exc.message
    else:
        assert isinstance(result, str)
        # A normalized value is stable: cleaning it again gives the same value.
        assert clean_value(column, result) == result


def test_display_value_shows_russian_dates_and_decimal_commas():
    assert display_value(DATE, "2026-11-21") == "21.11.2026"
    assert display_value(DECIMAL, "2.5") == "2,5"
    assert display_value(TASK, "X") == "X"


def test_row_total_sums_numbers_and_ignores_codes():
    columns = [col(key=f"t{n}", type=Column.Type.INTEGER) for n in (1, 2, 3)]
    columns[1].special_codes = "X"
    total = col(key="total", type=Column.Type.INTEGER, sum_of="t1, t2, t3")
    assert computed_values([*columns, total], {"t1": "2", "t2": "X", "t3": "1"}) == {"total": "3"}


def test_row_check_reports_required_cells_and_cross_column_checks():
    table = FormTable(key="counts", title="Численность")
    columns = [
        col(key="listed", title="По списку", type=Column.Type.INTEGER, required=True),
        col(key="present", title="Присутствовало", type=Column.Type.INTEGER, required=True),
        col(key="absent", title="Отсутствовало", type=Column.Type.INTEGER),
    ]
    check = CrossCheck(left="present,absent", operator="eq", right="listed", message="Не сходится.")
    errors = check_row(table, columns, [check], "g4", "4 класс", {"listed": "25", "present": "20"})
    assert [(e.column_key, e.message) for e in errors] == []  # absent empty: check skipped
    errors = check_row(
        table, columns, [check], "g4", "4 класс", {"listed": "25", "present": "20", "absent": "4"}
    )
    assert [(e.column_key, e.message) for e in errors] == [("present", "Не сходится.")]
    assert errors[0].where == "«Численность», строка «4 класс», столбец «Присутствовало»"
    assert errors[0].anchor == "cell-counts-g4-present"
    errors = check_row(table, columns, [check], "g4", "4 класс", {"listed": "25"})
    assert [(e.column_key, e.message) for e in errors] == [("present", REQUIRED_MESSAGE)]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"type": "integer", "min_value": Decimal(5), "max_value": Decimal(1)},
            "max_value",
            "Наименьшее значение (5) больше наибольшего (1).",
        ),
        (
            {"type": "choice"},
            "choices",
            "Для столбца «Выбор из списка» перечислите варианты выбора.",
        ),
        (
            {"type": "text", "min_value": Decimal(1)},
            "min_value",
            "Наименьшее и наибольшее значения задаются только для чисел.",
        ),
        (
            {"type": "integer", "max_length": 5},
            "max_length",
            "Наибольшая длина задается только для текстового столбца.",
        ),
        (
            {"type": "text", "sum_of": "a,b"},
            "sum_of",
            "Вычисляемый столбец должен иметь числовой тип.",
        ),
    ],
)
def test_contradictory_column_is_refused(fields, field, message):
    with pytest.raises(ValidationError) as caught:
        col(**fields).clean()
    assert caught.value.message_dict[field] == [message]


@pytest.mark.django_db
def test_computed_column_must_reference_existing_numeric_columns():
    from tests.factories import make_form

    form = make_form()
    results = form.tables.get(key="results")
    missing = Column(table=results, key="sum2", title="Сумма", sum_of="task_1,task_9")
    with pytest.raises(ValidationError) as caught:
        missing.clean()
    assert caught.value.message_dict["sum_of"] == ["В таблице нет столбца с ключом «task_9»."]
    text = Column(table=results, key="sum3", title="Сумма", sum_of="code")
    with pytest.raises(ValidationError) as caught:
        text.clean()
    assert caught.value.message_dict["sum_of"] == [
        "Столбец «Код участника» не числовой, его нельзя суммировать."
    ]


@pytest.mark.django_db
def test_dynamic_table_needs_a_maximum_and_a_demo_form_has_no_definition_errors():
    from datacollection.definitions import form_definition_errors
    from tests.factories import make_form

    form = make_form()
    assert form_definition_errors(form) == []
    table = FormTable(form=form, key="x", title="Строки", row_mode="dynamic")
    with pytest.raises(ValidationError) as caught:
        table.clean()
    assert "наибольшее число строк" in caught.value.messages[0]
