from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD, OrganizationUserFactory

LOGIN_URL = "/accounts/login/"
LOCKOUT_TEXT = "Вход временно заблокирован"


@pytest.fixture
def school_user(org):
    return OrganizationUserFactory(organization=org)


def post_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def test_login_page_is_russian_and_open_to_anonymous(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "Личный кабинет ФИС ОКО" in content
    assert "Логин" in content and "Пароль" in content and "Войти" in content
    assert "helpfisoko@fioco.ru" in content


def test_anonymous_is_sent_to_login_from_every_page(client, db):
    response = client.get("/publications/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{LOGIN_URL}?next=/publications/"


def test_login_with_issued_login_in_any_case(client, school_user):
    response = post_login(client, " EDU470001", TEST_PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("cabinet")
    page = client.get(reverse("cabinet"))
    assert school_user.organization.name in page.content.decode()


def test_wrong_password_gives_a_russian_error(client, school_user):
    response = post_login(client, "edu470001", "wrong")
    assert response.status_code == HTTPStatus.OK
    assert "Неверный логин или пароль" in response.content.decode()


def test_logout_ends_the_session(client, school_user):
    client.force_login(school_user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(reverse("cabinet")).status_code == HTTPStatus.FOUND


def test_lockout_after_repeated_failures(client, school_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_login(client, "edu470001", "wrong")
        assert LOCKOUT_TEXT not in response.content.decode()
    response = post_login(client, "Edu470001", "wrong")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert LOCKOUT_TEXT in response.content.decode()
    assert "через 15 мин." in response.content.decode()
    # Even the right password is refused while the lockout lasts.
    response = post_login(client, "edu470001", TEST_PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_login_does_not_block_another(client, school_user, org_same_municipality):
    OrganizationUserFactory(organization=org_same_municipality)
    for _ in range(10):
        post_login(client, "edu470001", "wrong")
    response = post_login(client, "edu470002", TEST_PASSWORD)
    assert response.status_code == HTTPStatus.FOUND


def test_one_time_password_must_be_changed_first(client, school_user):
    school_user.must_change_password = True
    school_user.save()
    client.force_login(school_user)
    response = client.get(reverse("publications:feed"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert "одноразовым паролем" in page.content.decode()

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Novyi-parol-2026",
            "new_password2": "Novyi-parol-2026",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    school_user.refresh_from_db()
    assert not school_user.must_change_password
    assert school_user.check_password("Novyi-parol-2026")
    assert client.get(reverse("publications:feed")).status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(action="user.password_changed", actor=school_user).exists()


def test_password_change_rejects_a_weak_password_in_russian(client, school_user):
    client.force_login(school_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "Введённый пароль слишком широко распространён" in response.content.decode()
    school_user.refresh_from_db()
    assert school_user.check_password(TEST_PASSWORD)
