"""The admin in agreeing Russian: «Добавить публикацию», «Публикация «…» была успешно
добавлена», a sensible greeting; every registered model has its forms."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import strip_tags

from fisoko.admin_russian import FEMININE, FORMS, MASCULINE, NEUTER
from tests.conftest import client_for
from tests.factories import ask

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


def registered_inlines():
    """(parent admin, inline class) for every inline of every registered ModelAdmin."""
    reverse("admin:index")  # the URLconf is loaded: the registry is complete
    return [
        (model_admin, inline)
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    ]


def add_texts_of(page: str) -> dict[str, str]:
    """Inline formset prefix → the add link's text, as Django's inlines.js reads it."""
    soup = BeautifulSoup(page, "html.parser")
    return {
        data["options"]["prefix"]: data["options"]["addText"]
        for data in (
            json.loads(group["data-inline-formset"])
            for group in soup.select("[data-inline-formset]")
        )
    }


def parent_page(client, opts) -> str:
    """The parent's add page, or, where the admin adds none (forum questions are asked by
    schools), the change page of one."""
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    if page.status_code == 403:
        one = opts.model._default_manager.first()
        page = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[one.pk])
        )
    assert page.status_code == 200, opts.label_lower
    return page.content.decode()


def on_add_page(model_admin, inline, operator) -> bool:
    """Whether the parent's add page shows the inline (a section's questions and a table's
    columns are added to a saved parent, on the child's own page)."""
    request = RequestFactory().get("/")
    request.user = operator
    return any(isinstance(i, inline) for i in model_admin.get_inline_instances(request, None))


def test_every_inline_add_link_agrees(operator, org_user):
    """«Добавить еще одну строку», not Django's «Добавить еще один Строка»: each inline's add
    text, on its parent's real page, is the accusative with the right gender from FORMS."""
    ask(org_user)
    client = client_for(operator)
    inlines = registered_inlines()
    assert inlines
    missing = [
        i.model._meta.label_lower for _, i in inlines if i.model._meta.label_lower not in FORMS
    ]
    assert not missing, f"Add to fisoko.admin_russian.FORMS: {missing}"
    adding = [(m, i) for m, i in inlines if on_add_page(m, i, operator)]
    assert len(adding) == len(inlines) - 2  # all but a section's questions, a table's columns
    for model_admin, inline in adding:
        opts = model_admin.model._meta
        texts = add_texts_of(parent_page(client, opts))
        accusative, gender = FORMS[inline.model._meta.label_lower]
        one = {MASCULINE: "еще один", FEMININE: "еще одну", NEUTER: "еще одно"}[gender]
        expected = f"Добавить {one} {accusative}"
        assert expected in texts.values(), (opts.label_lower, inline.__name__, texts)
    page = client.get(reverse("admin:datacollection_formtable_add")).content.decode()
    assert set(add_texts_of(page).values()) == {
        "Добавить еще одну строку",
        "Добавить еще одну проверку между столбцами",
    }


def test_a_school_account_has_no_groups_or_permissions_to_edit(operator, org_user):
    """Only an operator enters the admin: the lists of permissions are shown for operators'
    accounts only, and the school's account still saves through its form."""
    client = client_for(operator)
    page = client.get(reverse("admin:accounts_user_change", args=[org_user.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="user_permissions"' not in html and 'name="groups"' not in html
    assert 'name="is_active"' in html
    own = client.get(reverse("admin:accounts_user_change", args=[operator.pk])).content.decode()
    assert 'name="user_permissions"' in own and 'name="groups"' in own

    # What the page's form holds, with one change (the dates in the admin's two inputs).
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.update(first_name="Новое", date_joined_0="01.01.2026", date_joined_1="10:00:00")
    saved = client.post(reverse("admin:accounts_user_change", args=[org_user.pk]), data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    org_user.refresh_from_db()
    assert org_user.first_name == "Новое"
