"""The admin's list of apps and models (the sidebar of every admin page, the index pages) is
built once per process for each set of permission answers, and the sidebar rendered once for
each list and current model; both are always what Django builds itself: for an operator (a
superuser), for a staff operator with some permissions, and for a model whose admin answers
from data («Расписание напоминаний»: added only while there is none)."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from notifications.models import ReminderSettings
from tests.factories import OperatorFactory


@pytest.fixture(autouse=True)
def nothing_kept():
    # The URLconf, loaded by the first reverse, takes the task queue's admin off the registry;
    # a request has always resolved its URL before the site lists the registry.
    reverse("admin:index")
    admin.site._app_lists.clear()
    admin.site._sidebars.clear()
    yield
    admin.site._app_lists.clear()
    admin.site._sidebars.clear()


@pytest.fixture
def limited(db):
    """A staff operator without superuser: may view regions and add and change organizations."""
    user = OperatorFactory(username="limited", is_superuser=False)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["view_region", "add_organization", "change_organization"],
        )
    )
    return user


def request_of(user, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = type(user).objects.get(pk=user.pk)  # a fresh permission cache, as per request
    return request


def django_list(user, app_label=None):
    """The list Django's own AdminSite builds, nothing kept."""
    return AdminSite.get_app_list(admin.site, request_of(user), app_label)


@pytest.mark.parametrize("app_label", [None, "accounts", "datacollection"])
def test_the_kept_list_is_djangos_for_an_operator(operator, app_label):
    first = admin.site.get_app_list(request_of(operator), app_label)
    again = admin.site.get_app_list(request_of(operator), app_label)
    assert first == again == django_list(operator, app_label)
    assert first and all(app["models"] for app in first)


def test_the_kept_list_is_djangos_for_a_staff_operator_with_some_permissions(operator, limited):
    admin.site.get_app_list(request_of(operator))  # the operator's list kept first
    listed = admin.site.get_app_list(request_of(limited))
    assert listed == django_list(limited)
    [accounts] = listed
    models = {model["object_name"]: model for model in accounts["models"]}
    assert set(models) == {"Region", "Organization"}
    assert models["Region"]["add_url"] is None
    assert models["Region"]["view_only"] is True
    assert models["Organization"]["add_url"] == reverse("admin:accounts_organization_add")
    assert admin.site.get_app_list(request_of(operator)) == django_list(operator)


def test_a_second_request_builds_nothing(operator, limited):
    with mock.patch.object(
        AdminSite, "_build_app_dict", autospec=True, side_effect=AdminSite._build_app_dict
    ) as build:
        for _ in range(3):
            admin.site.get_app_list(request_of(operator))
            admin.site.get_app_list(request_of(limited))
    assert build.call_count == 2  # once for each set of permissions


def test_a_list_answered_from_data_follows_the_data(operator):
    def reminders():
        [app] = [
            a
            for a in admin.site.get_app_list(request_of(operator))
            if a["app_label"] == "notifications"
        ]
        return next(m for m in app["models"] if m["object_name"] == "ReminderSettings")

    assert reminders()["add_url"] == reverse("admin:notifications_remindersettings_add")
    ReminderSettings.objects.create()
    assert reminders()["add_url"] is None
    assert admin.site.get_app_list(request_of(operator)) == django_list(operator)


def test_a_page_changing_its_list_leaves_the_kept_one(operator):
    listed = admin.site.get_app_list(request_of(operator))
    listed[0]["models"].clear()
    listed.clear()
    assert admin.site.get_app_list(request_of(operator)) == django_list(operator)


def test_the_index_pages_and_the_sidebar_mark_the_current_model(client, operator):
    client.force_login(operator)
    index = client.get(reverse("admin:index"))  # the list in the page, no sidebar
    assert index.context["app_list"] == django_list(operator)
    assert reverse("admin:accounts_region_add") in index.content.decode()
    app = client.get(reverse("admin:app_list", kwargs={"app_label": "accounts"}))
    assert app.context["app_list"] == django_list(operator, "accounts")
    assert 'id="nav-sidebar"' not in index.content.decode() + app.content.decode()
    regions = client.get(reverse("admin:accounts_region_changelist"))
    html = regions.content.decode()
    assert 'class="app-accounts module current-app"' in html
    assert 'class="model-region current-model"' in html
    assert html.count("current-model") == 1
    assert regions.context["available_apps"] == django_list(operator)


def sidebar_of(user, request):
    """Django's own sidebar list (`admin/nav_sidebar.html` includes `admin/app_list.html`)
    of Django's own list of apps, nothing kept."""
    context = {"app_list": django_list(user), "show_changelinks": False, "request": request}
    return render_to_string("admin/app_list.html", context).strip()


@pytest.mark.parametrize(
    "page",
    [
        ("admin:accounts_region_changelist", []),
        ("admin:accounts_organization_add", []),
        ("admin:datacollection_collection_changelist", []),
    ],
)
def test_the_sidebar_is_djangos_on_every_page(client, operator, limited, page):
    name, args = page
    for user in (operator, limited, operator):  # the operator's again: from what is kept
        client.force_login(user)
        response = client.get(reverse(name, args=args))
        if response.status_code != HTTPStatus.OK:  # a page the limited operator may not open
            assert user == limited and response.status_code == HTTPStatus.FORBIDDEN
            continue
        assert sidebar_of(user, response.wsgi_request) in response.content.decode()


def test_a_second_page_of_the_same_model_renders_no_sidebar(client, operator):
    client.force_login(operator)
    with mock.patch("fisoko.admin_site.render_to_string", wraps=render_to_string) as rendered:
        client.get(reverse("admin:accounts_region_changelist"))
        client.get(reverse("admin:accounts_region_changelist"))
        assert rendered.call_count == 1
        client.get(reverse("admin:accounts_organization_changelist"))  # another current model
        assert rendered.call_count == 2
