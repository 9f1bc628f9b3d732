"""A realistic country for benchmarks (`manage.py seed_scale`): 89 regions of 20 municipalities,
their organizations with logins, a regional coordinator per region, a municipal coordinator per
municipality and an operator; the demo study's collections for every organization; two classes
of 25 participants with their codes in most schools; reports in every state (`reports.STATES`),
the results form holding exactly the school's codes, and the transfers with their snapshots.

Speed: the large tables (cells, added rows, transfers, codes, audit rows, logins) go in with
PostgreSQL COPY (`bulk`), the values as ready text laid out once per form and pattern
(`typed`); on SQLite the same rows go in with batched inserts. On PostgreSQL the indexes of
cells and rows are rebuilt once after the load and foreign-key triggers are skipped: the data
is consistent by construction. One password hash serves every generated login. Existing data
is kept: only what is missing is added.

Modules: `country` (geography, organizations, logins), `codes` (classes and participant codes),
`typed` (what was typed, as templates), `reports` (reports and everything hanging off them),
`bulk` (COPY and its portable twin)."""

import io
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Organization, User
from datacollection import demo
from datacollection.models import (
    Cell,
    Collection,
    Column,
    Report,
    ReportRow,
    Study,
    Submission,
)
from studies.demo import checklist_collections
from studies.models import ChecklistSettings, ParticipantCode, SchoolClass

from . import bulk, codes, country, reports

SCALE_PASSWORD = "niko2026"
OPERATOR_LOGIN = "operator_scale"
# Which collections of the demo study get reports (the others: nobody started yet).
FILLED_FORMS = ("niko_oo_info", "niko_survey", "niko_results")
# Their indexes are rebuilt once after the load (codes: eight indexes on two million rows).
BULK_TABLES = tuple(m._meta.db_table for m in (Cell, ReportRow, ParticipantCode))

# Per step of the last `build`: seconds of wall time, and of processor time of this process
# and of its PostgreSQL backend (when the server runs on this machine): on a shared machine
# the processor seconds say what a quiet one would take. Printed by the command.
PHASES: dict[str, float] = defaultdict(float)
CPU: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])


def server_cpu() -> float | None:
    """Processor seconds used so far by this connection's PostgreSQL backend, if it runs on
    this machine and /proc shows it; None otherwise."""
    if not bulk.is_postgresql():
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def phase(name: str):
    started, client, server = time.monotonic(), time.process_time(), server_cpu()
    try:
        yield
    finally:
        PHASES[name] += time.monotonic() - started
        CPU[name][0] += time.process_time() - client
        if server is not None:
            CPU[name][1] += (server_cpu() or server) - server


def demo_collections() -> list[Collection]:
    """The demo study's collections (created if missing), every organization taking part, and
    the study's checklist pointing at its results form (so the codes check applies)."""
    study = Study.objects.filter(code="niko2026").first()
    if study is None or not Collection.objects.filter(study=study).exists():
        demo.seed(stdout=io.StringIO())
        study = Study.objects.get(code="niko2026")
    collections = list(
        Collection.objects.filter(study=study).select_related("form", "study").order_by("pk")
    )
    ChecklistSettings.objects.get_or_create(study=study, defaults=checklist_collections(study))
    with connection.cursor() as cursor:
        for collection in collections:
            cursor.execute(
                "INSERT INTO datacollection_collection_organizations (collection_id,"
                " organization_id) SELECT %s, o.id FROM accounts_organization o WHERE NOT EXISTS"
                " (SELECT 1 FROM datacollection_collection_organizations m"
                " WHERE m.collection_id = %s AND m.organization_id = o.id) ORDER BY o.id",
                [collection.pk, collection.pk],
            )
    return collections


def _people(coordinators: dict[int, int]) -> reports.People:
    users, regions, logins = {}, {}, {}
    for pk, login, region in Organization.objects.values_list("pk", "login", "region_id"):
        regions[pk], logins[pk] = region, login
    for user, organization in User.objects.filter(organization__isnull=False).values_list(
        "pk", "organization_id"
    ):
        users[organization] = user
    return reports.People(users=users, coordinators=coordinators, regions=regions, logins=logins)


def build(total: int, coordinators) -> dict[str, int]:
    """Everything above, in order. `coordinators(regions, municipalities, password)` makes the
    coordinator and operator logins (the command's, since it names roles) and returns the
    regional coordinator's user id per region. Returns what was added."""
    PHASES.clear()
    CPU.clear()
    now = timezone.now()
    password = make_password(SCALE_PASSWORD)  # one hash for all: 45,000 would take minutes
    with phase("организации"):
        regions, municipalities = country.regions_and_municipalities()
        added = country.organizations(regions, municipalities, total)
    with phase("логины (COPY)"):
        country.organization_logins(password)
        regional = coordinators(regions, municipalities, password)
    with phase("сборы данных"):
        collections = demo_collections()
        people = _people(regional)
    results = [c for c in collections if c.form.code == "niko_results"]
    with bulk.BulkLoad(BULK_TABLES, phase):
        with phase("коды участников (COPY)"):
            issued = codes.issue(
                collections[0].study,
                [pk for pk in sorted(people.logins) if reports.typed_somewhere(pk)],
                people.users,
                at=min([c.opens_at for c in results] + [now]) - timedelta(days=7),
                code_length=Column.objects.filter(
                    table__form__in=[c.form for c in results], key="code"
                )
                .values_list("max_length", flat=True)
                .first(),
            )
        counts = {"organizations_added": added, "codes": sum(map(len, issued.values()))}
        for collection in collections:
            if collection.form.code in FILLED_FORMS:
                filled = reports.fill(collection, now=now, people=people, codes=issued, timer=phase)
                for key, value in filled.items():
                    counts[key] = counts.get(key, 0) + value
    with phase("счетчики id"):
        bulk.reset_sequences(m._meta.db_table for m in (Report, Submission, SchoolClass))
    return counts
