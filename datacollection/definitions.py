"""A form definition loaded once per request (tables, columns, fixed rows, checks: 4 queries),
and the definition problems that make a form unusable."""

from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch

from .models import Column, CrossCheck, FixedRow, Form, FormTable


@dataclass
class TableDefinition:
    table: FormTable
    columns: list[Column]
    fixed_rows: list[FixedRow]
    checks: list[CrossCheck]
    columns_by_key: dict[str, Column] = field(init=False)

    def __post_init__(self):
        self.columns_by_key = {column.key: column for column in self.columns}


def load_form(form: Form) -> list[TableDefinition]:
    tables = FormTable.objects.filter(form=form).prefetch_related(
        Prefetch("columns", queryset=Column.objects.order_by("order", "pk")),
        Prefetch("fixed_rows", queryset=FixedRow.objects.order_by("order", "pk")),
        Prefetch("checks", queryset=CrossCheck.objects.order_by("pk")),
    )
    return [
        TableDefinition(
            table=table,
            columns=list(table.columns.all()),
            fixed_rows=list(table.fixed_rows.all()),
            checks=list(table.checks.all()),
        )
        for table in tables.order_by("order", "pk")
    ]


def form_definition_errors(form: Form) -> list[str]:
    """Everything contradictory in a saved form, as messages for the operator."""
    messages = []
    definitions = load_form(form)
    if not definitions:
        messages.append(f"В форме «{form.title}» нет ни одной таблицы.")
    for definition in definitions:
        objects = [definition.table, *definition.columns, *definition.checks]
        if not definition.columns:
            messages.append(f"В таблице «{definition.table.title}» нет столбцов.")
        if not definition.table.is_dynamic and not definition.fixed_rows:
            messages.append(f"В таблице «{definition.table.title}» нет строк.")
        for obj in objects:
            try:
                obj.clean()
            except ValidationError as exc:
                for message in exc.messages:
                    messages.append(f"«{definition.table.title}» — {obj}: {message}")
    return messages


# ------------------------------------------------------------------ cached per form version

CACHE_SECONDS = 60 * 60 * 24


@lru_cache(maxsize=64)
def cached_form(form_id: int, version: int) -> list[TableDefinition]:
    """The definition of a form, kept in the process and in the shared cache once this version
    of it was loaded (no query, no cache round trip: the autosave path). The key holds
    `Form.version`, which every change of the definition bumps, so a stale definition is never
    served. Callers only read it (several requests share the same objects)."""
    key = f"datacollection:form:{form_id}:v{version}"
    definitions = cache.get(key)
    if definitions is None:
        definitions = load_form(Form(pk=form_id))
        cache.set(key, definitions, CACHE_SECONDS)
    return definitions


def bump_form_version(form_id: int | None) -> None:
    if form_id is not None:
        Form.objects.filter(pk=form_id).update(version=F("version") + 1)


def _form_id_of(instance) -> int | None:
    if isinstance(instance, FormTable):
        return instance.form_id
    table_id = getattr(instance, "table_id", None)
    if table_id is None:
        return None
    return FormTable.objects.filter(pk=table_id).values_list("form_id", flat=True).first()


def definition_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a table, column, fixed row or check: the form's version moves
    (connected in `apps.DatacollectionConfig.ready`)."""
    if kwargs.get("raw"):
        return
    bump_form_version(_form_id_of(instance))
