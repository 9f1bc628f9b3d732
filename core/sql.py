"""`InIds`: «column is one of these ids» with the ids as ONE query parameter —
`= ANY(%s::bigint[])` with an array literal on PostgreSQL, `IN (SELECT value FROM
json_each(%s))` on SQLite — instead of `__in`'s one placeholder per id. For an id list already
read (a scope of thousands of organizations) that several parts of a query filter by again:
Django compiles one parameter instead of thousands and PostgreSQL plans a constant array
instead of re-running the scope's subquery in every part.

    Report.objects.filter(InIds("organization_id", ids))
"""

import json

from django.db.models import BooleanField, F, Func


class InIds(Func):
    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, ids):
        super().__init__(F(field))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            # An array literal: psycopg adapts a list of ints element by element (~10 µs each).
            literal = "{" + ",".join(map(str, self.ids)) + "}"
            return f"{column} = ANY(%s::bigint[])", [*params, literal]
        if connection.vendor == "sqlite":
            # The column is a compiled column name; the ids are a parameter.
            sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
            return sql, [*params, json.dumps(self.ids)]
        if not self.ids:
            return "1 = 0", params
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]
