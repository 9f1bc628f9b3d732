"""The admin in agreeing Russian: «Добавить публикацию», «Публикация «…» была успешно
добавлена», a sensible greeting; every registered model has its forms."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import strip_tags

from fisoko.admin_russian import FEMININE, FORMS, MASCULINE, NEUTER
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_registered_model_has_its_accusative_and_gender():
    reverse("admin:index")  # the URLconf is loaded: it unregisters the task queue's admin
    missing = [
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.label_lower not in FORMS
    ]
    assert not missing, f"Add to fisoko.admin_russian.FORMS: {missing}"
    assert {gender for _, gender in FORMS.values()} <= {MASCULINE, FEMININE, NEUTER}


def test_titles_and_the_add_button_agree(operator):
    client = client_for(operator)
    changelist = client.get(reverse("admin:publications_publication_changelist"))
    page = changelist.content.decode()
    assert "Добавить публикацию" in page
    assert "Выберите публикацию для изменения" in page
    assert "Добавить публикация" not in page
    add = client.get(reverse("admin:publications_publication_add")).content.decode()
    assert "<title>Добавить публикацию" in add
    assert "&rsaquo; Добавить публикацию" in add
    study = client.get(reverse("admin:datacollection_study_add")).content.decode()
    assert "Добавить исследование" in study


def test_messages_agree_with_the_gender(operator, region):
    client = client_for(operator)
    response = client.post(
        reverse("admin:forum_category_add"), {"name": "Вопросы по анкетам", "order": 5}
    )
    texts = [strip_tags(str(m)) for m in get_messages(response.wsgi_request)]
    assert texts == ["Категория «Вопросы по анкетам» была успешно добавлена."], texts

    url = reverse("admin:accounts_region_change", args=[region.pk])
    response = client.post(url, {"code": region.code, "name": "Ленинградская обл."})
    texts = [strip_tags(str(m)) for m in get_messages(response.wsgi_request)]
    assert texts[-1] == f"Регион «{region.code} — Ленинградская обл.» был успешно изменен."


def test_the_greeting_names_the_operator_sensibly(operator):
    operator.first_name, operator.last_name = "Федеральный", "оператор"
    operator.save()
    page = client_for(operator).get(reverse("admin:index")).content.decode()
    assert "<strong>Федеральный оператор</strong>" in page
