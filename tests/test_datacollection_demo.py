from io import StringIO

import pytest

from datacollection import demo
from datacollection.definitions import form_definition_errors
from datacollection.models import Collection, Column, Form

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
