"""A form definition loaded once per request (tables, columns, fixed rows, checks: 4 queries),
and the definition problems that make a form unusable."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

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
