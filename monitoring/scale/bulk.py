"""Writing many rows fast: PostgreSQL COPY (psycopg 3 `cursor.copy()`), or plain batched inserts
on SQLite (the small sizes of the tests). Rows are tuples in the order of the named columns;
the largest table (cells) is streamed as ready COPY text (`write_text`), built per report by
`typed.Block`. Ids are given by the seed itself (`next_id`), so nothing is read back after a
COPY; `reset_sequences` moves PostgreSQL's counters past them at the end.

`BulkLoad`: while loading, the big tables' indexes and unique constraints (the primary key when
nothing refers to the table) are dropped and foreign-key triggers are skipped (superuser only),
then rebuilt once inside the same transaction: a violation undoes the whole seed. Measured on
2.5 million cell rows: COPY with the indexes kept took about three times as long as COPY and
the rebuild after it."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection

BATCH_SIZE = 5000
COPY_CHUNK = 1 << 20  # characters of COPY text sent at once


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def stamp(moment: datetime | None) -> str:
    """A moment as the database's own text form, for `write_text` blocks."""
    if moment is None:
        return r"\N"
    if is_postgresql():
        return moment.isoformat()
    return connection.ops.adapt_datetimefield_value(moment)


def _portable(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def write(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` into `table`; returns how many."""
    count = 0
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (model tables)
        batch = []
        for row in rows:
            batch.append([_portable(value) for value in row])
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def write_text(table: str, columns: Sequence[str], blocks: Iterable[str]) -> int:
    """Insert rows given as COPY text (tab-separated columns, one row a line, `\\N` for NULL:
    values must hold no tab, newline or backslash). On SQLite the same text is split."""
    if not is_postgresql():
        return write(
            table,
            columns,
            (
                tuple(None if field == r"\N" else field for field in line.split("\t"))
                for block in blocks
                for line in block.splitlines()
            ),
        )
    count, pending, size = 0, [], 0
    names = ", ".join(f'"{c}"' for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for block in blocks:
            pending.append(block)
            size += len(block)
            count += block.count("\n")
            if size >= COPY_CHUNK:
                copy.write("".join(pending))
                pending, size = [], 0
        if pending:
            copy.write("".join(pending))
    return count


def write_models(model, objects: list) -> int:
    """Unsaved model instances (every field but the id set, `auto_now_add` filled in here):
    COPY on PostgreSQL, `bulk_create` elsewhere. Generated columns (`Organization.name_folded`)
    are left to the database, as `bulk_create` leaves them."""
    if not objects:
        return 0
    if not is_postgresql():
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return len(objects)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    return write(
        model._meta.db_table,
        [f.column for f in fields],
        (
            tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields)
            for obj in objects
        ),
    )


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequences(tables: Iterable[str]) -> None:
    """After rows with ids given by the seed: the next id PostgreSQL hands out is past them."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for table in tables:
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: E501, S608
            cursor.execute(sql)


class BulkLoad:
    """On PostgreSQL: drop the secondary indexes and unique constraints of `tables` and skip
    foreign-key triggers while loading; rebuild them once at the end (inside the same
    transaction, so a failure leaves the schema as it was). `timer(name)` times the rebuild."""

    def __init__(self, tables: Sequence[str], timer):
        self.tables = tables
        self.timer = timer

    def __enter__(self):
        self.restore: list[str] = []
        if not is_postgresql():
            return self
        with connection.cursor() as cursor:
            # Not a superuser: foreign keys are checked, only slower. No lz4 in this server:
            # snapshots are compressed the default way (lz4 took a fifth less processor time).
            for setting in (
                "session_replication_role = replica",
                "default_toast_compression = lz4",
            ):
                try:
                    cursor.execute("SAVEPOINT scale_setting")
                    cursor.execute(f"SET LOCAL {setting}")
                    cursor.execute("RELEASE SAVEPOINT scale_setting")
                except Exception:
                    cursor.execute("ROLLBACK TO SAVEPOINT scale_setting")
            for table in self.tables:
                # The primary key too when no foreign key points at the table: keeping it
                # during COPY cost a fifth more processor time than building it after.
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND (contype = 'u' OR contype = 'p'"
                    "  AND NOT EXISTS (SELECT 1 FROM pg_constraint f"
                    "   WHERE f.confrelid = %s::regclass AND f.contype = 'f'))",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    self.restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    self.restore.append(definition)
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None or not is_postgresql():
            return False
        with connection.cursor() as cursor:
            # Sorting the largest index (cells, 20+ million keys) in memory instead of on disk.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            with self.timer("индексы (пересоздание)"):
                for statement in self.restore:
                    cursor.execute(statement)
            cursor.execute("SET LOCAL session_replication_role = origin")
        return False
