"""The admin site of the federal operators: who enters is decided by `accounts.permissions`."""

from functools import partial

from django.contrib import admin
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import mark_safe

from accounts.permissions import may_administer

from .admin_russian import RussianNamesMixin


class NikoAdminSite(admin.AdminSite):
    site_header = "ФИС ОКО · НИКО — администрирование"
    site_title = "ФИС ОКО · НИКО"
    index_title = "Управление"

    # Distinct app lists kept by a process: one per set of permissions met (and language),
    # a handful in practice; past this many the kept ones are dropped and built again.
    APP_LISTS_KEPT = 64
    # Rendered sidebars: one per app list and current model (~40 models, a few lists).
    SIDEBARS_KEPT = 512

    def __init__(self, name="admin"):
        super().__init__(name)
        self._app_lists = {}
        self._sidebars = {}

    def has_permission(self, request):
        return may_administer(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ModelAdmin, ours and third-party, speaks agreeing Russian (admin_russian)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RussianNamesMixin):
            admin_class = type(admin_class.__name__, (RussianNamesMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        """Django's list of apps and models (the sidebar of every admin page, the index pages),
        built once per process for each answer of the models' permission checks: building it
        reverses two URLs per model and cost ~1.4 ms of every admin page (bench/admin.py).
        The key is what the list is built from — each model admin's own answers for this
        request (a superuser's are all «yes»; a staff user's follow their permissions; an admin
        may answer from data, as «Расписание напоминаний» allows adding only while there is
        none), the language of the names and the URL prefix — so a kept list is always the
        one Django would build. The current model is marked by the template from the path."""
        key = (
            app_label,
            translation.get_language(),
            get_script_prefix(),
            tuple(
                (
                    model._meta.label_lower,
                    model_admin.has_module_permission(request),
                    tuple(model_admin.get_model_perms(request).items()),
                )
                for model, model_admin in self._registry.items()
                if app_label is None or model._meta.app_label == app_label
            ),
        )
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= self.APP_LISTS_KEPT:
                self._app_lists.clear()
            app_list = self._app_lists[key] = super().get_app_list(request, app_label)
        # Copies: a page may change its list (sort, add) without changing the kept one.
        return [
            {**app, "models": [{**model, "perms": dict(model["perms"])} for model in app["models"]]}
            for app in app_list
        ]

    def each_context(self, request):
        context = super().each_context(request)
        context["nav_app_list"] = partial(self.nav_app_list, request, context["available_apps"])
        return context

    def nav_app_list(self, request, app_list):
        """The sidebar's list of models (`admin/app_list.html`, as Django's
        `admin/nav_sidebar.html` includes it), rendered once per process for each list and
        each current app and model: rendering it in every page cost ~4 ms (bench/admin.py).
        The template marks as current every app and model whose URL is in the page's path;
        those are found here the same way and are part of the key, with what the template
        shows of each app and model and the language."""
        path = urlencode(request.path)
        key = (
            translation.get_language(),
            tuple(
                (
                    app["app_label"],
                    app["app_url"],
                    str(app["name"]),
                    app["app_url"] in path,
                    tuple(
                        (
                            model["object_name"],
                            model["admin_url"],
                            model["add_url"],
                            str(model["name"]),
                            bool(model["admin_url"]) and model["admin_url"] in path,
                        )
                        for model in app["models"]
                    ),
                )
                for app in app_list
            ),
        )
        html = self._sidebars.get(key)
        if html is None:
            if len(self._sidebars) >= self.SIDEBARS_KEPT:
                self._sidebars.clear()
            context = {"app_list": app_list, "show_changelinks": False, "request": request}
            html = self._sidebars[key] = render_to_string("admin/app_list.html", context)
        return mark_safe(html)  # noqa: S308 — Django's template, escaped by it
