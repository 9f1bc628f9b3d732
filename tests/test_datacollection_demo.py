from io import StringIO

import pytest

from datacollection import demo
from datacollection.definitions import form_definition_errors
from datacollection.models import Collection, Column, FixedRow, Form, FormTable

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_its_forms_are_consistent(org):
    demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())
    assert Form.objects.count() == 5 and Collection.objects.count() == 5
    for form in Form.objects.all():
        assert form_definition_errors(form) == []
    total = Column.objects.get(table__form__code="niko_results", key="total")
    assert total.summed_keys == [f"task_{n}" for n in range(1, 11)]
    assert all(c.organizations.filter(pk=org.pk).exists() for c in Collection.objects.all())


def test_demo_headcounts_are_whole_numbers_not_text(org):
    """Users copy the demo forms: «Численность …» is typed as a number, checked as a number."""
    demo.seed(stdout=StringIO())
    counts = FormTable.objects.get(form__code="niko_oo_info", key="headcount")
    assert [row.label for row in counts.fixed_rows.order_by("order")] == [
        "Численность обучающихся в ОО",
        "Численность педагогических работников",
    ]
    (column,) = counts.columns.all()
    assert column.type == Column.Type.INTEGER and column.min_value == 0 and column.required
    # Nothing about headcounts is left in a text column or a text row.
    assert not FixedRow.objects.filter(
        table__columns__type=Column.Type.TEXT, label__startswith="Численность"
    ).exists()
    text_columns = Column.objects.filter(type=Column.Type.TEXT, title__startswith="Численность")
    assert not text_columns.exists()


def test_reseeding_an_older_demo_drops_the_headcount_text_rows(org):
    demo.seed(stdout=StringIO())
    general = FormTable.objects.get(form__code="niko_oo_info", key="general")
    FixedRow.objects.create(table=general, key="pupils", label="Численность обучающихся в ОО")
    demo.seed(stdout=StringIO())
    assert list(general.fixed_rows.values_list("key", flat=True)) == ["location"]
