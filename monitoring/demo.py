"""Demo progress for monitoring (a `seed_demo` step, idempotent): reports of region 47 in every
state — submitted on different days, in progress, with unsubmitted changes, returned for
corrections, submitted late with an extension — entered through the real services as the
organizations themselves, and e-mail addresses for all but a few organizations (so a reminder
shows who is skipped).

An (organization, collection) that already has a report is left alone, and edu470001/edu470002
keep a clean slate for the «Заполнить» walkthrough."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from datacollection import services
from datacollection.definitions import load_form
from datacollection.models import Collection, Report

KEEP_CLEAN = {"edu470001", "edu470002"}
WITHOUT_EMAIL = {"edu470005", "edu470013", "edu470027"}


def _values_for(form_code: str, number: int) -> dict[str, list[dict[str, str]]]:
    """Valid data for a demo form: {table key: [row values]} (fixed tables by row key)."""
    if form_code == "niko_oo_info":
        return {
            "general": {
                "location": {"value": "город" if number % 3 else "сельская местность"},
            },
            "headcount": {
                "pupils": {"count": str(300 + number * 17)},
                "teachers": {"count": str(20 + number)},
            },
            "classes": {
                "grade4": {"classes": str(1 + number % 3), "listed": str(25 + number % 20)},
                "grade8": {"classes": str(1 + number % 2), "listed": str(22 + number % 15)},
            },
        }
    if form_code == "niko_survey":
        answers = ["Да", "Скорее да", "Скорее нет", "Нет"]
        return {"answers": {f"q{q}": {"answer": answers[(number + q) % 4]} for q in range(1, 4)}}
    if form_code == "niko_rooms":
        return {
            "rooms": [
                {
                    "room": str(100 + room),
                    "grade": "4" if room == 1 else "8",
                    "participants": str(18 + number % 7),
                    "organizer": "да",
                }
                for room in range(1, 3)
            ]
        }
    if form_code == "niko_results":
        rows = []
        for participant in range(1, 3 + number % 4):
            row = {
                "code": f"{4 if participant % 2 else 8}{number:02d}{participant:02d}",
                "grade": "4" if participant % 2 else "8",
                "variant": str(1 + participant % 2),
            }
            for task in range(1, 11):
                row[f"task_{task}"] = "X" if (task + participant) % 7 == 0 else "1"
            rows.append(row)
        return {"results": rows}
    return {}


def _fill(report, user, definitions, data, at):
    tables = {definition.table.key: definition for definition in definitions}
    for table_key, rows in data.items():
        definition = tables[table_key]
        if definition.table.is_dynamic:
            keyed = []
            for values in rows:
                row = services.row_add(report=report, user=user, table=definition.table, at=at)
                keyed.append((row.key, values))
        else:
            keyed = list(rows.items())
        for row_key, values in keyed:
            for column_key, value in values.items():
                services.cell_save(
                    report=report,
                    user=user,
                    table=definition.table,
                    row=row_key,
                    column=definition.columns_by_key[column_key],
                    value=value,
                    base_version=0,
                    at=at,
                )


def _first_value(definitions) -> tuple:
    for definition in definitions:
        for column in definition.columns:
            if not column.is_computed and not definition.table.is_dynamic:
                return definition, definition.fixed_rows[0].key, column
    return None, None, None


@transaction.atomic
def seed(*, stdout) -> None:
    organizations = list(Organization.objects.filter(region__code="47").order_by("login"))
    for organization in organizations:
        if not organization.email and organization.login not in WITHOUT_EMAIL:
            organization.email = f"{organization.login}@niko-demo.example"
            organization.save(update_fields=["email"])
    coordinator = User.objects.filter(username="reg470000").first()
    users = {
        user.organization_id: user for user in User.objects.filter(organization__in=organizations)
    }
    now = timezone.now()
    made = 0
    plans = {
        # form code: (submitted numbers, in-progress numbers)
        "niko_oo_info": (range(3, 17), range(17, 27)),
        "niko_results": (range(3, 11), range(11, 16)),
        "niko_rooms": (range(3, 8), range(8, 12)),
    }
    for collection in (
        Collection.objects.select_related("form")
        .filter(organizations__region__code="47")
        .distinct()
    ):
        code = collection.form.code
        definitions = load_form(collection.form)
        existing = set(
            Report.objects.filter(collection=collection).values_list("organization_id", flat=True)
        )
        if code == "niko_survey":
            # Closed yesterday: two schools got an extension and submitted late.
            for number in (4, 5):
                organization = organizations[number - 1]
                if organization.pk in existing or coordinator is None:
                    continue
                services.extension_grant(
                    collection=collection,
                    organization=organization,
                    until=now + timedelta(days=3),
                    actor=coordinator,
                )
                made += _report(collection, organization, users, definitions, number, now, True)
            continue
        if code not in plans or not collection.is_open_for(organizations[0], at=now):
            continue
        submitted, in_progress = plans[code]
        span = max((now - collection.opens_at).days, 1)
        for number, organization in enumerate(organizations, 1):
            if organization.pk in existing or organization.login in KEEP_CLEAN:
                continue
            if number not in submitted and number not in in_progress:
                continue
            # Spread the work over the days since the collection opened, the most at the end.
            at = now - timedelta(days=span * (number % 5) / 6, hours=number % 7)
            at = max(at, collection.opens_at + timedelta(minutes=5))
            made += _report(
                collection, organization, users, definitions, number, at, number in submitted
            )
            if code == "niko_oo_info" and number == 6:
                _edit_after_submit(collection, organization, users, definitions, now)
            if code == "niko_oo_info" and number == 7 and coordinator is not None:
                services.report_return_for_corrections(
                    report=Report.objects.get(collection=collection, organization=organization),
                    actor=coordinator,
                    comment="Проверьте численность обучающихся 8 класса по списку.",
                )
    stdout.write(f"Мониторинг: отчетов ОО с данными добавлено {made}.")


def _report(collection, organization, users, definitions, number, at, submit) -> int:
    user = users[organization.pk]
    report = services.report_open(collection=collection, organization=organization)
    _fill(report, user, definitions, _values_for(collection.form.code, number), at)
    if submit:
        services.report_submit(report=report, user=user, at=at + timedelta(minutes=20))
    return 1


def _edit_after_submit(collection, organization, users, definitions, now):
    definition, row_key, column = _first_value(definitions)
    if definition is None:
        return
    report = Report.objects.get(collection=collection, organization=organization)
    version = report.cells.get(table=definition.table, row_key=row_key, column_key=column.key)
    services.cell_save(
        report=report,
        user=users[organization.pk],
        table=definition.table,
        row=row_key,
        column=column,
        value="поселок городского типа",
        base_version=version.version,
        at=now,
    )
