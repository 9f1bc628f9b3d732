import re

import pytest
from playwright.sync_api import expect

from forum.models import Category
from tests.factories import TEST_PASSWORD, OrganizationUserFactory, RegionalCoordinatorFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_school_asks_the_region_answers_and_the_school_sees_the_answer(new_page, org, region):
    OrganizationUserFactory(organization=org)
    RegionalCoordinatorFactory(region=region)
    # Transactional tests flush the database, data migrations included: the categories of
    # the migration may be gone when this test runs after another browser test.
    for order, name in enumerate(["Организационные вопросы", "Технические вопросы"], 1):
        Category.objects.get_or_create(name=name, defaults={"order": order})

    school = new_page()
    login(school, "edu470001", TEST_PASSWORD)
    school.get_by_role("link", name="Форум", exact=True).click()
    school.get_by_role("link", name="Задать вопрос").click()
    school.get_by_label("Категория").select_option(label="Технические вопросы")
    school.get_by_label("Тема вопроса").fill("Не открывается форма протокола")
    school.get_by_label("Вопрос*", exact=True).fill("Нажимаем «Заполнить», страница пустая.")
    school.get_by_role("button", name="Отправить вопрос").click()
    expect(school.get_by_role("heading", name="Не открывается форма протокола")).to_be_visible()
    expect(school.get_by_text("Новый", exact=True)).to_be_visible()
    expect(school.get_by_test_id("forum-unread")).to_have_count(0)

    coordinator = new_page()
    login(coordinator, "reg470000", TEST_PASSWORD)
    coordinator.goto("/forum/queue/")
    coordinator.get_by_role("link", name="Не открывается форма протокола").click()
    coordinator.get_by_label("Сообщение").fill("Обновите браузер до последней версии.")
    coordinator.get_by_role("button", name="Опубликовать ответ").click()
    expect(coordinator.get_by_text("Ответ опубликован")).to_be_visible()

    school.goto("/")
    expect(school.get_by_test_id("forum-unread")).to_have_text(re.compile(r"^1"))
    school.get_by_role("navigation", name="Разделы").get_by_role(
        "link", name=re.compile("^Форум")
    ).click()
    expect(school.get_by_test_id("question").get_by_text("Новый ответ")).to_be_visible()
    school.get_by_role("link", name="Не открывается форма протокола").click()
    expect(school.get_by_test_id("answer")).to_contain_text("Обновите браузер")
    expect(school.get_by_text("Отвечен", exact=True)).to_be_visible()
    expect(school.get_by_test_id("forum-unread")).to_have_count(0)
