"""`InIds`: «column is one of these ids» with the ids as ONE query parameter —
`= ANY(%s::bigint[])` with an array literal on PostgreSQL, `IN (SELECT value FROM
json_each(%s))` on SQLite — instead of `__in`'s one placeholder per id. For an id list already
read (a scope of thousands of organizations) that several parts of a query filter by again:
Django compiles one parameter instead of thousands and PostgreSQL plans a constant array
instead of re-running the scope's subquery in every part.

    Report.objects.filter(InIds("organization_id", ids))

`prepared_cursor`: a cursor whose statements PostgreSQL keeps prepared (server-side binding),
for the few statements every request of a hot path runs (autosave).

`Statement`: a queryset compiled to SQL once and run again with other values of its open
parameters (`Slot`s: the ids of `InIds`, a moment given by `SlotValue`). Building and
compiling a query of several parts is milliseconds of Python; a page that runs the same query
on every request with other ids keeps the statement per process (`functools.lru_cache` keyed
by everything else the SQL depends on), as autosave keeps its locking read.

    @lru_cache(maxsize=64)
    def _statement(study_pk):
        return Statement(Report.objects.filter(InIds("organization_id", Slot.ids("ids")), ...))

    _statement(study.pk).rows(ids=[1, 2, 3])
"""

import json
from collections.abc import Callable
from functools import cache

from django.db import connections
from django.db.models import BooleanField, Expression, F, Func


def _ids_parameter(connection, ids) -> str:
    """The ids as the one parameter `InIds` compiles."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        # An array literal: psycopg adapts a list of ints element by element (~10 µs each).
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(ids)


def _as_is(connection, value):
    return value


class Slot:
    """A parameter of a `Statement` given its value at each run, adapted to the connection as
    Django adapts the value it stands for."""

    def __init__(self, name: str, adapt: Callable = _as_is):
        self.name = name
        self.adapt = adapt

    @classmethod
    def ids(cls, name: str) -> "Slot":
        """Ids for `InIds`."""
        return cls(name, _ids_parameter)

    @classmethod
    def moment(cls, name: str) -> "Slot":
        """An aware datetime compared with a DateTimeField (`SlotValue`)."""
        return cls(name, lambda connection, value: connection.ops.adapt_datetimefield_value(value))


class SlotValue(Expression):
    """A `Slot` on the right of a lookup: `Q(until__gt=SlotValue(Slot.moment("now"),
    DateTimeField()))`."""

    def __init__(self, slot: Slot, output_field):
        super().__init__(output_field=output_field)
        self.slot = slot

    def as_sql(self, compiler, connection):
        return "%s", [self.slot]


class InIds(Func):
    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, ids):
        super().__init__(F(field))
        self.ids = ids if isinstance(ids, Slot) else [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor in ("postgresql", "sqlite"):
            ids = self.ids if isinstance(self.ids, Slot) else _ids_parameter(connection, self.ids)
            if connection.vendor == "postgresql":
                return f"{column} = ANY(%s::bigint[])", [*params, ids]
            # The column is a compiled column name; the ids are a parameter.
            sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
            return sql, [*params, ids]
        if isinstance(self.ids, Slot):
            raise NotImplementedError("Slots of ids are compiled for PostgreSQL and SQLite only.")
        if not self.ids:
            return "1 = 0", params
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def prepared_cursor(connection):
    """A cursor whose statements PostgreSQL keeps prepared on the connection (named prepared
    statements, server-side binding): a statement is parsed and planned on its first run on a
    pooled connection, later runs skip parsing and, once PostgreSQL settles on a generic plan,
    planning. Django's own cursors bind on the client and prepare nothing (its settings turn
    psycopg's automatic preparation off for external poolers; the portal's pool is psycopg's,
    in the process, so a prepared statement lives as long as its connection). Only for SQL
    known to prepare — fixed text, typed parameters — run on every request of a hot path.
    Elsewhere Django's cursor. Goes through Django's wrappers (query logging, execute
    wrappers) like any cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


@cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=prepare is not False, binary=binary)

    return PreparingCursor


class Statement:
    """A queryset's SQL and parameters, compiled once; `rows(**values)` runs it with the
    values of its `Slot`s and returns its rows as the queryset's `values_list` would (the
    database's values converted by the columns' fields: dates on SQLite) — or, given
    `converted` (column positions), converts those columns only and returns the others as
    the database gave them: ids, counts and texts that the converters (`int()` of every count
    and integer constant) would only copy, row by row."""

    def __init__(
        self, queryset, *, converted: tuple[int, ...] | None = None, prepared: bool = False
    ):
        self.db = queryset.db
        self.prepared = prepared  # run through `prepared_cursor`: for SQL run on every request
        compiler = queryset.query.get_compiler(self.db)
        self.sql, self.params = compiler.as_sql()
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        self.columns = [
            (at, column)
            for at, column in enumerate(columns)
            if converted is None or at in converted
        ]

    def rows(self, **values) -> list[tuple]:
        connection = connections[self.db]
        params = [
            param.adapt(connection, values[param.name]) if isinstance(param, Slot) else param
            for param in self.params
        ]
        with prepared_cursor(connection) if self.prepared else connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        converters = [
            (at, column, functions)
            for at, column in self.columns
            if (
                functions := connection.ops.get_db_converters(column)
                + column.get_db_converters(connection)
            )
        ]
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for at, column, functions in converters:
                for convert in functions:
                    row[at] = convert(row[at], column, connection)
            converted.append(tuple(row))
        return converted
