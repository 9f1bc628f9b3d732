import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, OrganizationUserFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_organization_logs_in_and_sees_the_cabinet(page, org):
    OrganizationUserFactory(organization=org)
    page.goto("/")
    assert "/accounts/login/" in page.url

    login(page, "EDU470001 ", TEST_PASSWORD)

    expect(page.get_by_role("heading", name="Раздел «НИКО»")).to_be_visible()
    expect(page.get_by_test_id("user-scope")).to_contain_text(org.name)
    expect(page.get_by_test_id("user-scope")).to_contain_text("Ответственный организатор ОО")
    expect(page.get_by_role("link", name="Мониторинг")).to_have_count(0)
    expect(page.get_by_text("helpfisoko@fioco.ru").first).to_be_visible()

    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("button", name="Войти")).to_be_visible()


def test_wrong_password_shows_a_russian_message(page, org):
    OrganizationUserFactory(organization=org)
    login(page, "edu470001", "wrong-password")
    expect(page.get_by_text("Неверный логин или пароль")).to_be_visible()
