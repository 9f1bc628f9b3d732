"""The admin's estimated count: only for a large unfiltered table on PostgreSQL, marked
«около»; a filtered list and SQLite count exactly."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEvent
from fisoko import admin_paging

pytestmark = pytest.mark.django_db

URL = reverse("admin:accounts_auditevent_changelist")


@pytest.fixture
def journal(operator, org):
    for _ in range(30):
        audit.record(actor=operator, action="organization.viewed", organization=org)
    audit.record(actor=operator, action="collection.organizations_added")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_auditevent")  # counts this transaction's rows


def paginator_text(response) -> str:
    content = response.content.decode()
    start = content.index('<p class="paginator">')
    return " ".join(content[start : content.index("</p>", start)].split()[2:])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own estimate")
def test_a_large_unfiltered_table_shows_the_estimate(as_user, operator, journal, monkeypatch):
    monkeypatch.setattr(admin_paging, "ESTIMATE_FROM", 10)
    AuditEvent.objects.filter(action="collection.organizations_added").delete()  # not analyzed
    response = as_user(operator).get(URL)
    assert paginator_text(response) == "около 31 журнал действий"
    content = response.content.decode()
    assert "результатов (" not in content  # no «31 результатов (Показать все)» of the estimate
    assert "Показать счётчики" not in content


def test_a_filtered_list_and_a_small_table_are_counted_exactly(
    as_user, operator, journal, monkeypatch
):
    client = as_user(operator)
    assert paginator_text(client.get(URL)) == "31 журнал действий"  # under ESTIMATE_FROM
    monkeypatch.setattr(admin_paging, "ESTIMATE_FROM", 10)
    filtered = client.get(URL, {"action": "collection.organizations_added"})
    assert paginator_text(filtered) == "1 запись журнала"
    searched = client.get(URL, {"q": "collection"})
    assert "около" not in paginator_text(searched)
    if connection.vendor != "postgresql":
        assert paginator_text(client.get(URL)) == "31 журнал действий"


def test_the_grade_filter_lists_the_study_grades_and_filters(as_user, operator, org):
    from studies.models import ParticipantCode, SchoolClass
    from tests.factories import participating_study

    study = participating_study(org)
    for grade, codes in ((4, 2), (8, 3)):
        school_class = SchoolClass.objects.create(
            study=study, organization=org, grade=grade, letter="А", pupils=codes
        )
        for number in range(codes):
            ParticipantCode.objects.create(
                study=study,
                organization=org,
                school_class=school_class,
                grade=grade,
                number=number,
                code=f"{grade}{number:04d}",
            )
    client = as_user(operator)
    url = reverse("admin:studies_participantcode_changelist")
    page = client.get(url).content.decode()
    assert 'href="?grade=11"' in page and 'href="?grade=2"' in page
    assert paginator_text(client.get(url, {"grade": "8"})).startswith("3 ")
    assert paginator_text(client.get(url, {"grade": "oops"})).startswith("5 ")
    classes = reverse("admin:studies_schoolclass_changelist")
    assert paginator_text(client.get(classes, {"grade": "4"})).startswith("1 ")
