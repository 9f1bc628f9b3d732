from django.core.management import call_command

from accounts.models import Municipality, Organization, Region, User
from datacollection.models import Cell


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


def test_seeded_headcounts_are_stored_in_number_columns(db):
    """The demo reports fill «Численность …» into the integer column, as whole numbers."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    headcounts = Cell.objects.filter(table__key="headcount", row_key__in=["pupils", "teachers"])
    assert headcounts.exists()
    assert set(headcounts.values_list("column_key", flat=True)) == {"count"}
    assert all(value.isdigit() for value in headcounts.values_list("value", flat=True))
    old_rows = Cell.objects.filter(table__key="general", row_key__in=["pupils", "teachers"])
    assert not old_rows.exists()
