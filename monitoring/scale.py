"""A realistic country for benchmarks (`manage.py seed_scale`): 89 regions of 20 municipalities,
their organizations with logins, a regional coordinator per region, a municipal coordinator per
municipality and an operator; the demo study's collections for every organization; reports in
every state, the results form filled for two classes of 25 participants in most schools, and
the transfers with their snapshots.

Speed: organizations and users go in with bulk inserts; reports, rows, cells, extensions are
set-based `INSERT … SELECT` statements joining small temporary tables (the states and the
values below), the same SQL on PostgreSQL and SQLite; snapshots go in with COPY on PostgreSQL.
On PostgreSQL the cell and row indexes are dropped during the load and built once after it,
and foreign-key triggers are skipped (`session_replication_role`, superuser only): the data is
consistent by construction. Existing data is kept: only what is missing is added.

Which state an organization gets is decided by its id (`id % 20`), which pattern of values it
types by `id % 7`; a state's transfer snapshot is built by the app's own `report_snapshot`
from the same values, so what monitoring shows and what the export writes agree.

Long module: one concern, the benchmark country, built in phases that share the temporary tables
and the bulk-load switches; split, each piece would be read only together with the others.
"""

import io
import json
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Municipality, Organization, Region, User
from datacollection import demo
from datacollection.definitions import TableDefinition, load_form
from datacollection.models import Collection, Column, Report, Study
from datacollection.validation import computed_values

REGION_COUNT = 89
MUNICIPALITIES_PER_REGION = 20
BATCH_SIZE = 5000
SCALE_PASSWORD = "niko2026"
OPERATOR_LOGIN = "operator_scale"
CLASS_SIZE = 25  # participants per class; two classes (4th and 8th grade) in a full report
PATTERNS = 7
S = Report.Status

# Twenty buckets of organizations (id % 20) → (state, status, result rows typed, days of the
# transfer relative to the collection's deadline or None, flags). «none»: no report at all.
STATES = (
    [("none", None, 0, None)] * 2
    + [("not_started", S.NOT_STARTED, 0, None)]
    + [("in_progress", S.IN_PROGRESS, CLASS_SIZE, None)] * 3
    + [("submitted", S.SUBMITTED, 2 * CLASS_SIZE, -1)] * 9
    + [("changes", S.SUBMITTED, 2 * CLASS_SIZE, -1)]
    + [("late", S.SUBMITTED, 2 * CLASS_SIZE, 2)] * 2
    + [("returned", S.IN_PROGRESS, 2 * CLASS_SIZE, -2)] * 2
)
assert len(STATES) == 20
# Which collections of the demo study get reports (the others: nobody started yet).
FILLED_FORMS = ("niko_oo_info", "niko_survey", "niko_results")


# Seconds spent per step of the last `build`, printed by the command.
PHASES: dict[str, float] = defaultdict(float)


@contextmanager
def phase(name: str):
    started = time.monotonic()
    try:
        yield
    finally:
        PHASES[name] += time.monotonic() - started


# ------------------------------------------------------------------ geography and accounts


def regions_and_municipalities() -> tuple[list[Region], dict[int, list[Municipality]]]:
    codes = [f"{n:02d}" for n in range(1, REGION_COUNT + 1)]
    existing = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    Region.objects.bulk_create(
        Region(code=code, name=f"Регион {code}") for code in codes if code not in existing
    )
    regions = list(Region.objects.filter(code__in=codes).order_by("code"))
    wanted = {
        f"reg{region.code}_m{n:03d}": region
        for region in regions
        for n in range(1, MUNICIPALITIES_PER_REGION + 1)
    }
    existing = set(Municipality.objects.values_list("code", flat=True))
    Municipality.objects.bulk_create(
        (
            Municipality(code=code, region=region, name=f"Муниципалитет {code[-3:]}")
            for code, region in wanted.items()
            if code not in existing
        ),
        batch_size=BATCH_SIZE,
    )
    by_region: dict[int, list[Municipality]] = {}
    for municipality in Municipality.objects.filter(code__in=wanted).order_by("code"):
        by_region.setdefault(municipality.region_id, []).append(municipality)
    return regions, by_region


def organizations(regions, municipalities, total: int, password: str) -> int:
    missing = total - Organization.objects.count()
    created = []
    if missing > 0:
        taken = set(Organization.objects.values_list("login", flat=True))
        per_region = -(-missing // len(regions))
        for region in regions:
            number, made = 0, 0
            region_municipalities = municipalities[region.pk]
            while made < per_region and len(created) < missing and number < 9999:
                number += 1
                login = f"edu{region.code}{number:04d}"
                if login in taken:
                    continue
                created.append(
                    Organization(
                        login=login,
                        name=f"Образовательная организация № {number} ({region.name})",
                        kind=Organization.Kind.COLLEGE if number % 9 == 0 else "school",
                        region=region,
                        municipality=region_municipalities[number % len(region_municipalities)],
                    )
                )
                made += 1
        Organization.objects.bulk_create(created, batch_size=BATCH_SIZE)
    # Every organization gets its account; an organization that has one keeps it.
    User.objects.bulk_create(
        (
            User(
                username=org.login,
                password=password,
                role=User.Role.ORGANIZATION,
                region_id=org.region_id,
                municipality_id=org.municipality_id,
                organization_id=org.pk,
            )
            for org in Organization.objects.filter(users__isnull=True)
            .only("pk", "login", "region_id", "municipality_id")
            .iterator(chunk_size=BATCH_SIZE)
        ),
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return len(created)


# ------------------------------------------------------------------ values typed into forms


def _value(column: Column, table_key: str, row: int, pattern: int) -> str:
    """What an organization of `pattern` typed into `column` of row `row` (1-based)."""
    if table_key == "results":
        grade = 4 if row <= CLASS_SIZE else 8
        if column.key == "code":
            return str(grade * 10000 + (row - 1) % CLASS_SIZE + 1)
        if column.key == "grade":
            return str(grade)
        if column.key == "variant":
            return str(1 + row % 2)
        if (row + pattern) % 31 == 0:
            return demo.ABSENT
        task = int(column.key.removeprefix("task_") or 0)
        if (row * 3 + task + pattern) % 17 == 0:
            return "X"
        return str((row * task + pattern) % (int(column.max_value or 0) + 1))
    if column.type == Column.Type.CHOICE:
        return column.choice_list[(row + pattern) % len(column.choice_list)]
    if column.type in Column.NUMERIC_TYPES:
        low = int(column.min_value or 0)
        return str(low + (row * 7 + pattern * 3) % 40 + 1)
    if column.type == Column.Type.YES_NO:
        return "да"
    return f"Сведения {row}.{pattern}"


def pattern_rows(
    definition: TableDefinition, pattern: int, rows: int
) -> list[tuple[int, str, str, dict[str, str]]]:
    """(number, key, label, typed values) of a table's rows: the fixed rows (number 0: every
    started report has them), or `rows` added rows of a dynamic table."""
    columns = [c for c in definition.columns if not c.is_computed and c.type != Column.Type.FILE]
    key = definition.table.key
    if definition.table.is_dynamic:
        listed = [(n, f"r{1000 + n}", str(n)) for n in range(1, rows + 1)]
    else:
        listed = [(0, row.key, row.label) for row in definition.fixed_rows]
    return [
        (number, row_key, label, {c.key: _value(c, key, number or i, pattern) for c in columns})
        for i, (number, row_key, label) in enumerate(listed, 1)
    ]


def snapshot_template(collection: Collection, definitions, pattern: int) -> str:
    """The JSON a full transfer of `pattern` stores, as `report_snapshot` lays it out (computed
    totals included), with a placeholder for the organization's login."""
    tables = []
    for definition in definitions:
        table_rows = []
        for _number, row_key, label, values in pattern_rows(definition, pattern, 2 * CLASS_SIZE):
            values = {**values, **computed_values(definition.columns, values)}
            table_rows.append(
                {
                    "key": row_key,
                    "label": label,
                    "values": {c.key: values.get(c.key, "") for c in definition.columns},
                }
            )
        tables.append(
            {"key": definition.table.key, "title": definition.table.title, "rows": table_rows}
        )
    data = {
        "collection": collection.pk,
        "form": collection.form.code,
        "organization": "\x00LOGIN\x00",
        "tables": tables,
    }
    return json.dumps(data, ensure_ascii=False)


# ------------------------------------------------------------------ reports and their data


def _deadline_shift(collection: Collection, days: int | None) -> datetime | None:
    if days is None:
        return None
    # A transfer before the deadline happens in the window (and not in the future).
    moment = collection.closes_at + timedelta(days=days)
    return min(moment, timezone.now() - timedelta(hours=1)) if days < 0 else moment


def fill_collection(collection: Collection, *, now: datetime) -> dict[str, int]:
    """Reports in every state, their rows, cells, extensions and transfers for one collection;
    only organizations without a report in it are touched."""
    definitions = load_form(collection.form)
    is_closed = collection.closes_at < now
    with connection.cursor() as cursor:
        first_new = _max_report_id(cursor) + 1
        cursor.execute("DELETE FROM scale_state")
        cursor.execute("DELETE FROM scale_value")
        for bucket, (state, status, rows, transfer_days) in enumerate(STATES):
            if status is None:
                continue
            if state == "late" and not is_closed:
                state, status, transfer_days = "submitted", S.SUBMITTED, -1
            submitted = _deadline_shift(collection, transfer_days)
            started = (submitted or now) - timedelta(days=3)
            saved = started + timedelta(days=1) if status != S.NOT_STARTED else None
            if state == "changes":
                saved = submitted + timedelta(hours=5)
            returned = submitted + timedelta(hours=20) if state == "returned" else None
            cursor.execute(
                "INSERT INTO scale_state (bucket, status, result_rows, started_at, last_saved_at,"
                " submitted_at, has_changes, returned_at, returned_comment, extension_until)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    bucket,
                    status,
                    rows,
                    started if status != S.NOT_STARTED else None,
                    saved or (submitted if submitted else None),
                    submitted,
                    state == "changes",
                    returned,
                    "Проверьте результаты 8 класса." if returned else "",
                    submitted + timedelta(days=1) if state == "late" else None,
                ],
            )
        values = [
            (pattern, definition.table.pk, number, row_key, column_key, value)
            for pattern in range(PATTERNS)
            for definition in definitions
            for number, row_key, _label, row in pattern_rows(definition, pattern, 2 * CLASS_SIZE)
            for column_key, value in row.items()
        ]
        cursor.executemany(
            "INSERT INTO scale_value (pattern, table_id, row_number, row_key, column_key, value)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            values,
        )
        _run(
            cursor,
            "отчеты",
            "INSERT INTO datacollection_report (collection_id, organization_id, status,"
            " started_at, last_saved_at, submitted_at, has_unsubmitted_changes, returned_at,"
            " returned_comment)"
            " SELECT m.collection_id, m.organization_id, s.status, s.started_at,"
            " s.last_saved_at, s.submitted_at, s.has_changes, s.returned_at, s.returned_comment"
            " FROM datacollection_collection_organizations m"
            " JOIN scale_state s ON s.bucket = m.organization_id %% 20"
            " WHERE m.collection_id = %s AND NOT EXISTS (SELECT 1 FROM datacollection_report r"
            "  WHERE r.collection_id = m.collection_id AND r.organization_id = m.organization_id)"
            " ORDER BY m.organization_id",
            [collection.pk],
        )
        joined = (
            " FROM datacollection_report r"
            " JOIN scale_state s ON s.bucket = r.organization_id %% 20"
            f" JOIN scale_value v ON v.pattern = r.organization_id %% {PATTERNS}"
            "  AND v.row_number <= s.result_rows"
            " WHERE r.collection_id = %s AND r.id >= %s AND s.status <> %s"
        )
        dynamic = [d.table.pk for d in definitions if d.table.is_dynamic]
        if dynamic:
            _run(
                cursor,
                "строки таблиц",
                'INSERT INTO datacollection_reportrow (report_id, table_id, "key", created_at)'
                " SELECT DISTINCT r.id, v.table_id, v.row_key, r.started_at"
                + joined
                + f" AND v.row_number > 0 AND v.table_id IN ({', '.join(['%s'] * len(dynamic))})",
                [collection.pk, first_new, S.NOT_STARTED, *dynamic],
            )
        _run(
            cursor,
            "значения",
            "INSERT INTO datacollection_cell (report_id, table_id, row_key, column_key, value,"
            " version, updated_at)"
            " SELECT r.id, v.table_id, v.row_key, v.column_key, v.value, 1, r.last_saved_at"
            + joined,
            [collection.pk, first_new, S.NOT_STARTED],
        )
        _run(
            cursor,
            "продления",
            "INSERT INTO datacollection_extension (collection_id, organization_id, until,"
            " granted_at)"
            " SELECT r.collection_id, r.organization_id, s.extension_until, r.started_at"
            " FROM datacollection_report r JOIN scale_state s ON s.bucket = r.organization_id %% 20"
            " WHERE r.collection_id = %s AND r.id >= %s AND s.extension_until IS NOT NULL",
            [collection.pk, first_new],
        )
        cursor.execute(
            "SELECT r.id, r.organization_id, o.login, r.submitted_at FROM datacollection_report r"
            " JOIN accounts_organization o ON o.id = r.organization_id"
            " WHERE r.collection_id = %s AND r.id >= %s AND r.submitted_at IS NOT NULL"
            " ORDER BY r.id",
            [collection.pk, first_new],
        )
        transfers = cursor.fetchall()
    templates = [snapshot_template(collection, definitions, p) for p in range(PATTERNS)]
    with phase("передачи (COPY)"):
        _insert_submissions(
            (
                report_id,
                submitted_at,
                templates[organization_id % PATTERNS].replace("\\u0000LOGIN\\u0000", login),
            )
            for report_id, organization_id, login, submitted_at in transfers
        )
    return {"submissions": len(transfers)}


def _run(cursor, name: str, sql: str, params=None) -> None:
    with phase(name):
        cursor.execute(sql, params)


def _insert_submissions(rows) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(
                "COPY datacollection_submission (report_id, submitted_at, data) FROM STDIN"
            ) as copy:
                for report_id, submitted_at, data in rows:
                    copy.write_row((report_id, submitted_at, data))
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO datacollection_submission (report_id, submitted_at, data)"
            " VALUES (%s, %s, %s)",
            list(rows),
        )


def _max_report_id(cursor) -> int:
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM datacollection_report")
    return cursor.fetchone()[0]


TEMPORARY_TABLES = (
    "CREATE TEMPORARY TABLE scale_state (bucket integer, status varchar(12),"
    " result_rows integer, started_at timestamp with time zone,"
    " last_saved_at timestamp with time zone, submitted_at timestamp with time zone,"
    " has_changes boolean, returned_at timestamp with time zone, returned_comment text,"
    " extension_until timestamp with time zone)",
    "CREATE TEMPORARY TABLE scale_value (pattern integer, table_id integer,"
    " row_number integer, row_key varchar(40), column_key varchar(40), value text)",
)


# ------------------------------------------------------------------ PostgreSQL bulk loading

BULK_TABLES = ("datacollection_cell", "datacollection_reportrow")


class BulkLoad:
    """On PostgreSQL: drop the secondary indexes and unique constraints of the large tables and
    skip foreign-key triggers while loading; rebuild them once at the end (inside the same
    transaction, so a failure leaves the schema as it was)."""

    def __enter__(self):
        self.restore: list[str] = []
        if connection.vendor != "postgresql":
            return self
        with connection.cursor() as cursor:
            try:
                cursor.execute("SAVEPOINT scale_role")
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("RELEASE SAVEPOINT scale_role")
            except Exception:  # not a superuser: foreign keys are checked, only slower
                cursor.execute("ROLLBACK TO SAVEPOINT scale_role")
            for table in BULK_TABLES:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'u'",
                    [table],
                )
                constraints = cursor.fetchall()
                for name, definition in constraints:
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
        if kind is not None or connection.vendor != "postgresql":
            return False
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            with phase("индексы"):
                for statement in self.restore:
                    cursor.execute(statement)
            cursor.execute("SET LOCAL session_replication_role = origin")
        return False


def demo_collections() -> list[Collection]:
    """The demo study's collections (created if missing), every organization taking part."""
    study = Study.objects.filter(code="niko2026").first()
    if study is None or not Collection.objects.filter(study=study).exists():
        demo.seed(stdout=io.StringIO())
    collections = list(
        Collection.objects.filter(study__code="niko2026").select_related("form").order_by("pk")
    )
    with connection.cursor() as cursor:
        for collection in collections:
            cursor.execute(
                "INSERT INTO datacollection_collection_organizations (collection_id,"
                " organization_id) SELECT %s, o.id FROM accounts_organization o WHERE NOT EXISTS"
                " (SELECT 1 FROM datacollection_collection_organizations m"
                " WHERE m.collection_id = %s"
                " AND m.organization_id = o.id)",
                [collection.pk, collection.pk],
            )
    return collections


def build(total: int, coordinators) -> dict[str, int]:
    """Everything above, in order; `coordinators(regions, municipalities, password)` makes the
    coordinator and operator logins (the command's, since it names roles). Returns organizations
    added."""
    PHASES.clear()
    password = make_password(SCALE_PASSWORD)  # one hash for all: 45,000 would take minutes
    with phase("организации и логины"):
        regions, municipalities = regions_and_municipalities()
        added = organizations(regions, municipalities, total, password)
        coordinators(regions, municipalities, password)  # the command's (it names roles)
    with phase("сборы данных"):
        collections = demo_collections()
    now = timezone.now()
    with connection.cursor() as cursor:
        for statement in TEMPORARY_TABLES:
            cursor.execute(statement)
    try:
        with BulkLoad():
            for collection in collections:
                if collection.form.code in FILLED_FORMS:
                    fill_collection(collection, now=now)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE scale_state")
            cursor.execute("DROP TABLE scale_value")
    return {"organizations_added": added}
