"""Form definitions as JSON files, so a form is reused next year: export (a read) and import
(a write by the federal operator, in the admin) side by side, so the format has one home."""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts import audit
from accounts.models import User

from ..definitions import form_definition_errors, load_form
from ..errors import DefinitionFileError, DefinitionInvalidError
from ..models import Column, CrossCheck, FixedRow, Form, FormTable, split_lines

FORMAT = "fisoko-niko-form"
FORMAT_VERSION = 1
NOT_A_DEFINITION_MESSAGE = (
    "Файл не является определением формы ФИС ОКО (JSON, выгруженный кнопкой «Экспорт»)."
)
COLUMN_FIELDS = ["key", "title", "order", "type", "required", "max_length", "sum_of", "help_text"]


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def form_export(form: Form) -> dict:
    """Everything that defines a form: tables, columns, fixed rows, cross-column checks."""
    tables = []
    for definition in load_form(form):
        table = definition.table
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "order": table.order,
                "row_mode": table.row_mode,
                "row_header": table.row_header,
                "max_rows": table.max_rows,
                "columns": [
                    {
                        **{name: getattr(column, name) for name in COLUMN_FIELDS},
                        "min_value": _number(column.min_value),
                        "max_value": _number(column.max_value),
                        "choices": column.choice_list,
                        "special_codes": column.special_code_list,
                    }
                    for column in definition.columns
                ],
                "fixed_rows": [
                    {"key": row.key, "label": row.label, "order": row.order}
                    for row in definition.fixed_rows
                ],
                "checks": [
                    {
                        "left": check.left,
                        "operator": check.operator,
                        "right": check.right,
                        "message": check.message,
                    }
                    for check in definition.checks
                ],
            }
        )
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "form": {
            "code": form.code,
            "title": form.title,
            "description": form.description,
            "tables": tables,
        },
    }


def form_export_json(form: Form) -> bytes:
    return json.dumps(form_export(form), ensure_ascii=False, indent=2).encode("utf-8")


def definition_from_file(data: bytes) -> dict:
    """The "form" part of an exported file, or DefinitionFileError."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise DefinitionFileError([NOT_A_DEFINITION_MESSAGE]) from None
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or not isinstance(document.get("form"), dict)
    ):
        raise DefinitionFileError([NOT_A_DEFINITION_MESSAGE])
    if document.get("version") != FORMAT_VERSION:
        version = document.get("version")
        raise DefinitionFileError(
            [f"Версия файла {version!r} не поддерживается (нужна {FORMAT_VERSION})."]
        )
    return document["form"]


def lines_text(value) -> str:
    """Choices and special codes are lists in the file and lines in the model."""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return "\n".join(split_lines(str(value or "")))


# Import

FORM_CODE_TAKEN_MESSAGE = (
    "Форма с кодом «{code}» уже есть. Укажите для импортируемой формы новый код."
)
BAD_STRUCTURE_MESSAGE = "Неверная структура файла: {where}."


def _validated(obj, where: str, messages: list[str]) -> bool:
    """Field-level checks (types, keys, lengths, unique keys); the cross-object rules of
    clean() run once everything is saved, through `form_definition_errors`."""
    try:
        obj.clean_fields()
        obj.validate_constraints()
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
                messages.append(f"{where}{f' ({label})' if label else ''}: {message}")
        return False
    return True


def _items(data: dict, key: str, where: str) -> list[dict]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise DefinitionInvalidError([BAD_STRUCTURE_MESSAGE.format(where=f"{where}, «{key}»")])
    return items


@transaction.atomic
def form_import(
    *,
    definition: dict,
    actor: User,
    code: str = "",
    title: str = "",
    request: HttpRequest | None = None,
) -> Form:
    """A new form from an exported definition (`definition_from_file`), under
    a new code if given. A taken code or a definition that contradicts itself raises
    DefinitionInvalidError with every message, and nothing is created."""
    code = (code or str(definition.get("code") or "")).strip()
    if Form.objects.filter(code=code).exists():
        raise DefinitionInvalidError([FORM_CODE_TAKEN_MESSAGE.format(code=code)])
    messages: list[str] = []
    form = Form(
        code=code,
        title=(title or str(definition.get("title") or "")).strip(),
        description=str(definition.get("description") or ""),
    )
    if not _validated(form, "Форма", messages):
        raise DefinitionInvalidError(messages)
    form.save()
    for number, data in enumerate(_items(definition, "tables", "форма"), 1):
        table = FormTable(
            form=form,
            key=str(data.get("key", "")),
            title=str(data.get("title", "")),
            order=data.get("order", number),
            row_mode=data.get("row_mode", FormTable.RowMode.FIXED),
            row_header=str(data.get("row_header", "")),
            max_rows=data.get("max_rows"),
        )
        where = f"Таблица «{table.title or table.key}»"
        if not _validated(table, where, messages):
            continue
        table.save()
        for order, item in enumerate(_items(data, "columns", where), 1):
            column = Column(
                table=table,
                **{
                    name: item[name]
                    for name in ("key", "title", "type", "required", "max_length", "sum_of")
                    if item.get(name) is not None
                },
                order=item.get("order", order),
                help_text=str(item.get("help_text") or ""),
                min_value=item.get("min_value"),
                max_value=item.get("max_value"),
                choices=lines_text(item.get("choices")),
                special_codes=lines_text(item.get("special_codes")),
            )
            if _validated(column, f"{where}, столбец «{column.title or column.key}»", messages):
                column.save()
        for order, item in enumerate(_items(data, "fixed_rows", where), 1):
            row = FixedRow(
                table=table,
                key=str(item.get("key", "")),
                label=str(item.get("label", "")),
                order=item.get("order", order),
            )
            if _validated(row, f"{where}, строка «{row.label or row.key}»", messages):
                row.save()
        for item in _items(data, "checks", where):
            check = CrossCheck(
                table=table,
                **{k: str(item.get(k, "")) for k in ("left", "operator", "right", "message")},
            )
            if _validated(check, f"{where}, проверка «{check.message}»", messages):
                check.save()
    messages += form_definition_errors(form)
    if messages:
        raise DefinitionInvalidError(messages)  # the atomic block undoes what was saved
    audit.record(
        actor=actor,
        action="form.imported",
        target=f"form:{form.pk} {form.code}",
        request=request,
        source_code=str(definition.get("code") or ""),
    )
    return form
