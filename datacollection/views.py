"""«Сбор данных»: the list of collections, the table page, autosave, rows and «Сдать отчет».

Thin views: every report is found through `report_for_user_or_404`, every write goes through
`services`, which checks the window and records the audit row."""

from http import HTTPStatus

from django.contrib import messages
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from core.errors import AccessDenied, ServiceError
from core.files import download, stored_file_open
from core.http import BadRequest, json_body
from core.text import msk, msk_time

from . import excel, receipts, services
from .definitions import load_form
from .models import Column
from .presenters import report_state
from .selectors import (
    cell_file_for_user_or_404,
    collection_cards_for_user,
    collection_for_organization_or_404,
    form_columns,
    report_contents,
    report_for_user_or_404,
    report_grid,
)

MAX_CELLS_PER_REQUEST = 500


@require_GET
def collection_list(request):
    return render(
        request,
        "datacollection/collection_list.html",
        {"collection_cards": collection_cards_for_user(request.user)},
    )


@require_GET
def collection_fill(request, collection_pk):
    """«Заполнить» / «Редактировать»: the organization's report of this collection."""
    permissions.require(
        permissions.is_organization_user(request.user), not_found="Сбор данных не найден"
    )
    collection = collection_for_organization_or_404(request.user.organization, collection_pk)
    if not collection.has_opened() and not collection.organization_reports:
        messages.info(request, f"Сбор данных откроется {msk(collection.opens_at)}.")
        return redirect("datacollection:collection_list")
    report = services.report_open(collection=collection, organization=request.user.organization)
    return redirect("datacollection:report_detail", pk=report.pk)


def _can_edit(user, report) -> bool:
    return permissions.may_enter_data(user, report) and report.collection.is_open_for(
        report.organization
    )


def _render_report(request, report, *, errors=(), import_errors=(), status=HTTPStatus.OK):
    definitions = load_form(report.collection.form)
    return render(
        request,
        "datacollection/report_detail.html",
        {
            "report": report,
            "collection": report.collection,
            "grid": report_grid(report, definitions),
            "can_edit": _can_edit(request.user, report),
            "is_own": request.user.organization_id == report.organization_id,
            "deadline": msk(report.collection.deadline_for(report.organization)),
            "latest_submission_pk": report.submissions.order_by("-submitted_at", "-pk")
            .values_list("pk", flat=True)
            .first(),
            "errors": errors,
            "import_errors": import_errors,
        },
        status=status,
    )


@require_GET
def report_detail(request, pk):
    return _render_report(request, report_for_user_or_404(request.user, pk))


def _parse_cells(request) -> list[dict]:
    payload = json_body(request)
    cells = payload.get("cells") if isinstance(payload, dict) else None
    if not isinstance(cells, list) or not 0 < len(cells) <= MAX_CELLS_PER_REQUEST:
        raise ValueError
    for cell in cells:
        if not isinstance(cell, dict):
            raise ValueError
        for key in ("table", "row", "column"):
            if not isinstance(cell.get(key), str):
                raise ValueError
        version = cell.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise ValueError
    return cells


@require_POST
def report_autosave(request, pk):
    """POST {"cells": [{"table", "row", "column", "value", "version"}]} → a result per cell.

    All or nothing (`services.cells_save`): every cell saved, or none and each cell's answer
    says why; 409 when any of them was changed elsewhere meanwhile. The steady state costs few
    statements (tests/test_datacollection_autosave_queries.py): nothing is read before the
    service's one locking read, which also decides scope."""
    try:
        cells = _parse_cells(request)
    except (BadRequest, ValueError, AttributeError) as error:
        # Out of scope stays 404 and read-only 403, whatever the body.
        message = getattr(error, "message", "Некорректный запрос автосохранения.")
        return _writable_or_refusal(request, pk) or JsonResponse(
            {"error": message}, status=HTTPStatus.BAD_REQUEST
        )
    try:
        saved = services.cells_save(
            report_pk=pk,
            user=request.user,
            cells=[
                services.CellInput(
                    table=cell["table"],
                    row=cell["row"],
                    column=cell["column"],
                    value=cell.get("value"),
                    version=cell["version"],
                )
                for cell in cells
            ],
            request=request,
        )
    except services.ReportNotFoundForWriting:
        return _writable_or_refusal(request, pk) or JsonResponse(
            {"error": services.NOT_YOURS_MESSAGE}, status=HTTPStatus.FORBIDDEN
        )
    except (services.CollectionClosedError, AccessDenied) as error:
        return JsonResponse({"error": error.message}, status=HTTPStatus.FORBIDDEN)
    return JsonResponse(
        {
            "results": saved.results,
            "saved_at": msk_time(saved.saved_at),
            # The report as this request left it: the page shows its status live.
            "report": report_state(saved.report),
        },
        status=HTTPStatus.CONFLICT if saved.conflict else HTTPStatus.OK,
    )


def _writable_or_refusal(request, pk):
    """404 for a report out of the user's scope, a 403 answer for one the user may only read,
    None for the user's own report."""
    report = report_for_user_or_404(request.user, pk)
    if not permissions.may_enter_data(request.user, report):
        return JsonResponse({"error": services.NOT_YOURS_MESSAGE}, status=HTTPStatus.FORBIDDEN)
    return None


def _table_of(report, key):
    table = report.collection.form.tables.filter(key=key).first()
    if table is None:
        raise Http404("Таблица не найдена")
    return table


def _write_or_message(request, report, write):
    try:
        write()
    except AccessDenied as error:
        return HttpResponseForbidden(error.message)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("datacollection:report_detail", pk=report.pk)


@require_POST
def report_row_add(request, pk):
    report = report_for_user_or_404(request.user, pk)
    table = _table_of(report, request.POST.get("table", ""))
    return _write_or_message(
        request,
        report,
        lambda: services.row_add(report=report, user=request.user, table=table, request=request),
    )


@require_POST
def report_row_remove(request, pk):
    report = report_for_user_or_404(request.user, pk)
    table = _table_of(report, request.POST.get("table", ""))
    row = request.POST.get("row", "")
    return _write_or_message(
        request,
        report,
        lambda: services.row_remove(
            report=report, user=request.user, table=table, row=row, request=request
        ),
    )


@require_POST
def report_submit(request, pk):
    """«Сдать отчет»: back to the cabinet with a confirmation, or the table with the errors."""
    report = report_for_user_or_404(request.user, pk)
    try:
        submission = services.report_submit(report=report, user=request.user, request=request)
    except services.ReportHasErrorsError as invalid:
        messages.error(request, invalid.message)
        return _render_report(request, report, errors=invalid.errors)
    except AccessDenied as error:
        return HttpResponseForbidden(error.message)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("datacollection:report_detail", pk=report.pk)
    messages.success(
        request,
        format_html(
            'Отчет «{}» сдан {}. <a href="{}">Квитанция о сдаче отчета № {}</a>',
            report.collection.form.title,
            msk(submission.submitted_at),
            reverse("datacollection:submission_receipt", args=[submission.pk]),
            receipts.receipt_number(submission.pk),
        ),
    )
    return redirect("cabinet")


@require_GET
def submission_receipt(request, pk):
    """«Квитанция о сдаче отчета»: a page to print, for any version the user may see."""
    submission = receipts.submission_for_user_or_404(request.user, pk)
    return render(
        request,
        "datacollection/receipt.html",
        {"receipt": receipts.receipt_for(submission), "submission": submission},
    )


@require_GET
def report_template(request, pk):
    """«Скачать шаблон»: the form as .xlsx with the report's current values."""
    report = report_for_user_or_404(request.user, pk)
    contents = report_contents(report)
    data = excel.template_workbook(
        form=report.collection.form,
        definitions=contents.definitions,
        rows=contents.rows,
        values=contents.values,
    )
    return download(data, f"{report.collection.form.title} — {report.organization.login}.xlsx")


@require_POST
def report_excel_import(request, pk):
    """«Загрузить из Excel»: all values of the file as one edit, or the list of wrong cells and
    nothing changed."""
    report = report_for_user_or_404(request.user, pk)
    try:
        services.ensure_writable(report=report, user=request.user)
        rows = excel.read_report_workbook(
            request.FILES.get("file"),
            form=report.collection.form,
            definitions=load_form(report.collection.form),
        )
        result = services.report_excel_import(
            report=report, user=request.user, rows=rows, request=request
        )
    except AccessDenied as error:
        return HttpResponseForbidden(error.message)
    except excel.ExcelCellErrors as invalid:
        messages.error(request, invalid.message)
        return _render_report(request, report, import_errors=invalid.errors)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("datacollection:report_detail", pk=report.pk)
    messages.success(
        request,
        f"Данные из Excel загружены: изменено ячеек — {result.cells_changed}"
        + (f", добавлено строк — {result.rows_added}." if result.rows_added else "."),
    )
    return redirect("datacollection:report_detail", pk=report.pk)


def _file_address(report, data):
    """(table, row key, column) of a file cell named in a POST, 404 if the form has no such
    column."""
    column = form_columns(report.collection.form).get(
        (data.get("table", ""), data.get("column", ""))
    )
    if column is None or column.type != Column.Type.FILE:
        raise Http404("Такой ячейки в форме нет")
    return column.table, data.get("row", ""), column


def _file_answer(request, report, /, *, ok: bool, message: str, status=HTTPStatus.OK, **data):
    """JSON for the table editor (datacollection-files.js), a redirect with a message for a
    plain form post."""
    if request.headers.get("Accept") == "application/json":
        body = {"status": "saved" if ok else "error", "message": message, **data}
        return JsonResponse(body, status=status)
    (messages.success if ok else messages.error)(request, message)
    return redirect("datacollection:report_detail", pk=report.pk)


def _file_write(request, pk, write):
    report = report_for_user_or_404(request.user, pk)
    if not permissions.may_enter_data(request.user, report):
        return HttpResponseForbidden(services.NOT_YOURS_MESSAGE)
    table, row, column = _file_address(report, request.POST)
    try:
        saved = write(report, table, row, column)
    except AccessDenied as error:
        return HttpResponseForbidden(error.message)
    except services.CollectionClosedError as error:
        return _file_answer(
            request, report, ok=False, message=error.message, status=HTTPStatus.FORBIDDEN
        )
    except services.FileStorageUnavailable as error:
        return _file_answer(
            request, report, ok=False, message=error.message, status=HTTPStatus.SERVICE_UNAVAILABLE
        )
    except ServiceError as error:
        return _file_answer(
            request, report, ok=False, message=error.message, status=HTTPStatus.BAD_REQUEST
        )
    url = reverse(
        "datacollection:report_file_download",
        kwargs={"pk": report.pk, "table": table.key, "row": row, "column": column.key},
    )
    message = f"Файл «{saved.value}» загружен." if saved.value else "Файл удален."
    return _file_answer(
        request,
        report,
        ok=True,
        message=message,
        name=saved.value,
        url=url if saved.value else "",
        version=saved.version,
        saved_at=msk_time(saved.saved_at),
        report=report_state(saved.report or report),
    )


@require_POST
def report_file_upload(request, pk):
    """Upload or replace the file of a file cell (POST table, row, column, file)."""
    return _file_write(
        request,
        pk,
        lambda report, table, row, column: services.cell_file_upload(
            report=report,
            user=request.user,
            table=table,
            row=row,
            column=column,
            upload=request.FILES.get("file"),
            request=request,
        ),
    )


@require_POST
def report_file_remove(request, pk):
    return _file_write(
        request,
        pk,
        lambda report, table, row, column: services.cell_file_remove(
            report=report, user=request.user, table=table, row=row, column=column, request=request
        ),
    )


@require_GET
def report_file_download(request, pk, table, row, column):
    """The file of a cell under its original name; never a public media URL."""
    cell_file = cell_file_for_user_or_404(request.user, pk, table, row, column)
    file = stored_file_open(cell_file.file)
    return download(file, cell_file.name, content_type=cell_file.content_type)
