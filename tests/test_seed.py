from django.core.management import call_command

from accounts.models import Municipality, Organization, Region, User
from datacollection.models import Cell, Collection, Extension, Report, ReportRow, Submission
from monitoring import selectors


def authenticate(*, username, password):
    user = User.objects.filter(username=username).first()
    return user if user is not None and user.check_password(password) else None


def test_seed_demo_is_idempotent_and_gives_working_logins(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Region.objects.count(), Municipality.objects.count(), Organization.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        Region.objects.count(),
        Municipality.objects.count(),
        Organization.objects.count(),
    )
    assert Region.objects.get().name == "Ленинградская область"
    assert Municipality.objects.count() == 18
    assert 35 <= Organization.objects.count() <= 45
    expected_roles = {
        "admin": User.Role.OPERATOR,
        "reg470000": User.Role.REGIONAL,
        "reg47_m001": User.Role.MUNICIPAL,
        "edu470001": User.Role.ORGANIZATION,
        "edu470002": User.Role.ORGANIZATION,
    }
    for login, role in expected_roles.items():
        user = authenticate(username=login, password="niko2026")
        assert user is not None, login
        assert user.role == role
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    municipal = User.objects.get(username="reg47_m001")
    assert Organization.objects.get(login="edu470001").municipality == municipal.municipality


def test_seed_scale_creates_regions_organizations_and_accounts(db):
    call_command("seed_scale", organizations=300, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Region.objects.count() == 89
    assert Organization.objects.count() == 300
    assert User.objects.filter(role=User.Role.ORGANIZATION).count() == 300
    assert not Organization.objects.filter(users__isnull=True).exists()
    login = Organization.objects.order_by("login").first().login
    assert authenticate(username=login, password="niko2026") is not None
    # A regional coordinator per region, a municipal one per municipality, an operator.
    assert User.objects.filter(role=User.Role.REGIONAL).count() == 89
    assert User.objects.filter(role=User.Role.MUNICIPAL).count() == Municipality.objects.count()
    assert authenticate(username="reg010000", password="niko2026").role == User.Role.REGIONAL
    assert authenticate(username="operator_scale", password="niko2026").is_staff
    counts = {
        model: model.objects.count() for model in (Report, Cell, ReportRow, Submission, Extension)
    }
    # Running again with the same total adds nothing.
    call_command("seed_scale", organizations=300, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Organization.objects.count() == 300
    assert counts == {model: model.objects.count() for model in counts}


def test_seed_scale_gives_every_state_and_consistent_transfers(db):
    call_command("seed_scale", organizations=200, stdout=open("/dev/null", "w"))  # noqa: SIM115
    operator = User.objects.get(username="operator_scale")
    collections = {c.form.code: c for c in Collection.objects.select_related("form")}
    for collection in collections.values():
        assert collection.organizations.count() == 200  # the demo study's collections, for all
    results = selectors.collection_counts(operator, collections["niko_results"])
    assert results.total == 200
    for state in ("not_started", "in_progress", "submitted", "changes", "returned"):
        assert getattr(results, state) > 0, state
    assert results.submitted > results.total / 2  # most schools transferred
    survey = selectors.collection_counts(operator, collections["niko_survey"])
    assert survey.late > 0  # closed collection: late transfers, with extensions
    assert Extension.objects.filter(collection=collections["niko_survey"]).count() == survey.late
    # A full transfer: two classes of 25 participants, computed totals included, and the
    # cells hold what was transferred.
    report = Report.objects.filter(
        collection=collections["niko_results"], status=Report.Status.SUBMITTED,
        has_unsubmitted_changes=False,
    ).select_related("organization").first()  # fmt: skip
    data = Submission.objects.get(report=report).data
    assert data["organization"] == report.organization.login
    rows = data["tables"][0]["rows"]
    assert len(rows) == 50
    assert {row["values"]["grade"] for row in rows} == {"4", "8"}
    assert all(row["values"]["total"] != "" for row in rows)
    cells = {
        (cell.row_key, cell.column_key): cell.value for cell in Cell.objects.filter(report=report)
    }
    transferred = {
        (row["key"], key): value
        for row in rows
        for key, value in row["values"].items()
        if key != "total"
    }
    assert cells == transferred
    assert ReportRow.objects.filter(report=report).count() == 50


def test_seeded_headcounts_are_stored_in_number_columns(db):
    """The demo reports fill «Численность …» into the integer column, as whole numbers."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    headcounts = Cell.objects.filter(table__key="headcount", row_key__in=["pupils", "teachers"])
    assert headcounts.exists()
    assert set(headcounts.values_list("column_key", flat=True)) == {"count"}
    assert all(value.isdigit() for value in headcounts.values_list("value", flat=True))
    old_rows = Cell.objects.filter(table__key="general", row_key__in=["pupils", "teachers"])
    assert not old_rows.exists()
