"""An organization's folded name (`Organization.name_folded`, what the search compares): every
way a name is written keeps it equal to the name in lower case, and the search finds what it
found when it folded every name on each request. SQLite and, with DATABASE_URL, PostgreSQL
(the COPY of seed_scale, the trigram index)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from accounts import importing, services
from accounts.models import Organization
from accounts.scoping import search_organizations
from core.search import fold
from datacollection.models import Report
from monitoring.scale import bulk
from tests.factories import OrganizationFactory, ReportFactory, make_collection

from .conftest import client_for

NAMES = [
    "МБОУ «Лицей № 1»",
    "ГБПОУ «Тихвинский КОЛЛЕДЖ»",
    "Школа им. Ё. Ёлкина",
    "School No. 5 (English)",
    "ооо «Ёлочка»",
    "Образовательная организация № 17 (Регион 01)",
]


def folded_in_database() -> dict[str, str]:
    return dict(Organization.objects.values_list("name", "name_folded"))


def assert_in_step():
    found = folded_in_database()
    assert found, "no organizations to check"
    assert found == {name: name.lower() for name in found}


def test_a_saved_organization_has_its_name_folded_and_refolded_on_every_change(municipality):
    school = OrganizationFactory(municipality=municipality, name="МБОУ «Лицей № 1»")
    assert folded_in_database()["МБОУ «Лицей № 1»"] == "мбоу «лицей № 1»"

    school.name = "МБОУ «ГИМНАЗИЯ № 2»"
    school.save()
    school.refresh_from_db()
    assert school.name_folded == "мбоу «гимназия № 2»"

    school.name = "Школа им. Ё. Ёлкина"
    school.save(update_fields=["name"])
    school.refresh_from_db()
    # Folded as the search folds a query: lower case, ё stays ё.
    assert school.name_folded == "школа им. ё. ёлкина"


def test_bulk_writes_and_updates_keep_the_folded_name(municipality):
    Organization.objects.bulk_create(unsaved_schools(municipality, start=7001))
    assert_in_step()

    Organization.objects.filter(login="edu477001").update(name="Новое ИМЯ")
    assert_in_step()

    schools = list(Organization.objects.order_by("login"))
    for school in schools:
        school.name = school.name.upper()
    Organization.objects.bulk_update(schools, ["name"])
    assert_in_step()
    assert folded_in_database()["НОВОЕ ИМЯ"] == "новое имя"


def test_seed_scale_writes_the_folded_name(municipality):
    """`bulk.write_models`: COPY on PostgreSQL (the generated column left to the database),
    `bulk_create` on SQLite."""
    written = bulk.write_models(Organization, unsaved_schools(municipality, start=8001))
    assert written == len(NAMES)
    assert_in_step()


def test_the_import_writes_the_folded_name(region, municipality, operator):
    rows = [
        importing.SourceRow(
            line=2,
            values={
                "region": "47",
                "municipality": "reg47_m001",
                "login": "edu470101",
                "name": "МБОУ «Средняя ШКОЛА № 101»",
                "kind": "школа",
            },
        )
    ]
    services.organizations_import(rows=rows, actor=operator, source="Организации.xlsx")
    assert folded_in_database() == {"МБОУ «Средняя ШКОЛА № 101»": "мбоу «средняя школа № 101»"}


def test_the_admin_change_form_refolds_the_name(org, operator):
    response = client_for(operator).post(
        reverse("admin:accounts_organization_change", args=[org.pk]),
        {
            "login": org.login,
            "name": "ГБОУ «ЛИЦЕЙ № 239»",
            "kind": org.kind,
            "region": org.region_id,
            "municipality": org.municipality_id,
            "email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert (org.name, org.name_folded) == ("ГБОУ «ЛИЦЕЙ № 239»", "гбоу «лицей № 239»")


QUERIES = [
    "лицей",
    "ЛИЦЕЙ",
    "Ёлкина",
    "ёлочка",
    "елочка",
    "english",
    "№ 1",
    "edu47",
    "EDU470003",
    "",
]


@pytest.mark.parametrize("q", QUERIES)
def test_the_search_finds_what_folding_every_name_found(municipality, q):
    """The old search (LOWER(name) on each request) and the new (the stored fold) agree, by
    organization and through a relation (the reports of «Список участников»)."""
    schools = [
        OrganizationFactory(municipality=municipality, login=f"edu47{number:04d}", name=name)
        for number, name in enumerate(NAMES, start=1)
    ]
    collection = make_collection(organizations=schools)
    for school in schools:
        ReportFactory(collection=collection, organization=school)
    folded = fold(q.strip())

    def folding_every_name(rows, via=""):
        if not folded:
            return rows
        return rows.alias(name_lower=Lower(f"{via}name")).filter(
            Q(**{f"{via}login__contains": folded}) | Q(name_lower__contains=folded)
        )

    everyone = Organization.objects.all()
    found = set(search_organizations(everyone, q))
    assert found == set(folding_every_name(everyone))
    assert found == {
        school for school in schools if folded in school.login or folded in school.name.lower()
    }
    reports = Report.objects.all()
    assert set(search_organizations(reports, q, via="organization__")) == set(
        folding_every_name(reports, via="organization__")
    )


def test_the_search_folds_no_stored_value(municipality):
    query = str(search_organizations(Organization.objects.all(), "Лицей").query)
    assert "LOWER(" not in query.upper()
    assert '"accounts_organization"."name_folded"' in query


@pytest.mark.django_db(transaction=True)
def test_the_migration_folds_the_names_already_there(municipality):
    """accounts migration 0006 on a database with organizations: the column is computed for
    the rows already there, and unmigrating gives the old column set back."""
    call_command("migrate", "accounts", "0005", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_organization (login, name, kind, region_id, municipality_id,"
            " email) VALUES (%s, %s, 'school', %s, %s, '')",
            ["edu479001", "МБОУ «Лицей № 1»", municipality.region_id, municipality.pk],
        )
    call_command("migrate", "accounts", verbosity=0)
    assert folded_in_database() == {"МБОУ «Лицей № 1»": "мбоу «лицей № 1»"}
    assert list(search_organizations(Organization.objects.all(), "ЛИЦЕЙ")) == [
        Organization.objects.get(login="edu479001")
    ]


def unsaved_schools(municipality, *, start: int) -> list[Organization]:
    """One school of the municipality per name of NAMES, not saved yet (logins from `start`)."""
    return [
        Organization(
            login=f"edu47{number:04d}",
            name=name,
            region=municipality.region,
            municipality=municipality,
        )
        for number, name in enumerate(NAMES, start=start)
    ]
