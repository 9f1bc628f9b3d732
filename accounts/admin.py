import base64
import secrets

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from core.files import download
from fisoko.admin_paging import EstimatedCountMixin

from . import importing, permissions, services
from .credentials import (
    Credential,
    credentials_filename,
    credentials_workbook,
)
from .forms import OrganizationImportForm
from .models import AuditEvent, Municipality, Organization, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


# The checked import file waits in the session between the dry run and the confirmation
# (never on disk); the token ties the confirmation to that very file.
IMPORT_SESSION_KEY = "accounts.organization_import"
IMPORT_PREVIEW_ROWS = 20
IMPORT_FILE_GONE = (
    "Проверенный файл не найден: он уже импортирован или сессия истекла. Загрузите файл снова."
)


def _remember_import_file(session, *, filename: str, data: bytes) -> str:
    token = secrets.token_urlsafe(16)
    session[IMPORT_SESSION_KEY] = {
        "token": token,
        "filename": filename,
        "data": base64.b64encode(data).decode("ascii"),
    }
    return token


def _take_import_file(session, token: str) -> tuple[str, bytes] | None:
    """The remembered file if the token matches; it leaves the session either way once used."""
    stored = session.get(IMPORT_SESSION_KEY)
    if not stored or not token or not secrets.compare_digest(stored["token"], token):
        return None
    del session[IMPORT_SESSION_KEY]
    return stored["filename"], base64.b64decode(stored["data"])


def credentials_response(credentials: list[Credential]) -> HttpResponse:
    """The credentials sheet as a download that no browser or proxy keeps."""
    return download(
        credentials_workbook(credentials), credentials_filename(), cache_control="no-store"
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["login", "name", "kind", "municipality", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["login", "name"]
    list_select_related = ["region", "municipality"]
    autocomplete_fields = ["municipality"]
    list_per_page = 50
    change_list_template = "admin/accounts/organization/change_list.html"
    import_template = "admin/accounts/organization/import.html"
    actions = ["issue_new_passwords"]

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_organization_import",
            ),
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """«Импорт организаций»: upload → dry run (errors or preview) → confirm → credentials."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._import_confirm(request)
        if request.method != "POST":
            return self._import_page(request, {"form": OrganizationImportForm()})
        form = OrganizationImportForm(request.POST, request.FILES)
        context = {"form": form}
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            result = importing.check_file(data=data, filename=upload.name)
            context["result"] = result
            if result.is_valid:
                context["token"] = _remember_import_file(
                    request.session, filename=upload.name, data=data
                )
        return self._import_page(request, context)

    def _import_confirm(self, request):
        stored = _take_import_file(request.session, request.POST["token"])
        if stored is None:
            self.message_user(request, IMPORT_FILE_GONE, messages.ERROR)
            return redirect("admin:accounts_organization_import")
        filename, data = stored
        try:
            rows = importing.read_file(data=data, filename=filename)
            credentials = services.organizations_import(
                rows=rows, actor=request.user, request=request, source=filename
            )
        except importing.ImportRejected as rejected:
            result = importing.ImportResult(errors=rejected.errors)
            return self._import_page(request, {"form": OrganizationImportForm(), "result": result})
        # The passwords exist only in this response: it is the sheet itself, not a page.
        return credentials_response(credentials)

    def _import_page(self, request, context):
        result = context.get("result")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Импорт организаций",
            "max_size": importing.max_size_words(),
            **context,
        }
        if result is not None and result.is_valid:
            context["summary"] = importing.organizations_words(len(result.rows))
            context["preview"] = result.rows[:IMPORT_PREVIEW_ROWS]
        response = TemplateResponse(request, self.import_template, context)
        # The page may show a token that confirms a write: never cached.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(
        description="Выдать новые пароли (лист учетных данных)",
        permissions=["change"],
    )
    def issue_new_passwords(self, request, queryset):
        """A lost credentials sheet is re-issued: new one-time passwords; the old ones stop
        working."""
        limit = services.MAX_ORGANIZATIONS_PER_RESET
        if queryset.count() > limit:
            self.message_user(
                request,
                f"Новые пароли выдаются не более чем {limit} организациям за раз: "
                "выберите меньше организаций.",
                messages.ERROR,
            )
            return None
        credentials = services.organizations_password_reset(
            organizations=queryset.order_by("login"), actor=request.user, request=request
        )
        if not credentials:
            self.message_user(
                request,
                "У выбранных организаций нет учетных записей: пароли не выданы.",
                messages.WARNING,
            )
            return None
        return credentials_response(credentials)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "role", "region", "municipality", "organization", "is_active"]
    list_filter = ["role", "is_active", "region"]
    list_select_related = ["region", "municipality", "organization"]
    search_fields = ["username", "first_name", "last_name", "email", "organization__name"]
    autocomplete_fields = ["region", "municipality", "organization"]
    # 46,000 users, one per organization: a page of 50 and one count, as «Образовательные
    # организации».
    list_per_page = 50
    show_full_result_count = False
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Роль и область", {"fields": ("role", "region", "municipality", "organization")}),
        ("Пароль", {"fields": ("must_change_password",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Роль и область", {"fields": ("role", "region", "municipality", "organization")}),
    )

    def get_fieldsets(self, request, obj=None):
        """Groups and permissions only for an account that may enter the admin
        (`permissions.may_administer`): for anyone else they mean nothing, and the two lists
        of 236 permissions were most of the page of a school's account. Made an operator,
        the account shows them again."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or permissions.may_administer(obj):
            return fieldsets
        admin_only = {"groups", "user_permissions"}
        return tuple(
            (name, {**options, "fields": [f for f in options["fields"] if f not in admin_only]})
            for name, options in fieldsets
        )


class ReadOnlyAdminMixin:
    """Records that are evidence (the journal, downloads, transferred reports): the operator
    reads them, nobody adds, edits or deletes them through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionListFilter(admin.SimpleListFilter):
    """The journal's actions, each read from the index on `action` (PostgreSQL: one probe per
    action, a recursive query) instead of Django's DISTINCT over every event (189,000 events:
    34 ms)."""

    title = "действие"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(action, action) for action in journal_actions()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


def journal_actions() -> list[str]:
    if connection.vendor != "postgresql":
        return list(
            AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE actions(action) AS ("
            " (SELECT action FROM accounts_auditevent ORDER BY action LIMIT 1)"
            " UNION ALL SELECT (SELECT e.action FROM accounts_auditevent e"
            " WHERE e.action > actions.action ORDER BY e.action LIMIT 1)"
            " FROM actions WHERE actions.action IS NOT NULL)"
            " SELECT action FROM actions WHERE action IS NOT NULL"
        )
        return [row[0] for row in cursor.fetchall()]


@admin.register(AuditEvent)
class AuditEventAdmin(EstimatedCountMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The journal grows by every action in the country. Dates filter by period: a date
    hierarchy reads the distinct days of every row on each page (46 ms at 189,000 rows)."""

    list_display = ["created_at", "actor", "organization", "action", "target", "ip_address"]
    list_filter = [("created_at", admin.DateFieldListFilter), ActionListFilter]
    search_fields = ["target", "actor__username", "organization__login"]
    list_select_related = ["actor", "organization"]
    # Rows are written when things happen: the newest id is the newest event, and the primary
    # key read backwards needs no sort (by time, the events of one moment were sorted by id).
    ordering = ["-id"]
