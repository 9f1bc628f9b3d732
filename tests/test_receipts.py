"""«Квитанция о сдаче отчета»: after «Сдать отчет» the school opens and prints it; the
coordinator sees the same number in «Список участников»; nobody else reaches it."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from datacollection import receipts
from datacollection.models import Submission
from tests.factories import ReportFactory, make_collection


@pytest.fixture
def submission(org, org_user):
    collection = make_collection(organizations=[org])
    report = ReportFactory(collection=collection, organization=org, status="submitted")
    return Submission.objects.create(
        report=report,
        submitted_by=org_user,
        data={"organization": org.login, "tables": [{"key": "t", "rows": [{"v": "Иванов"}]}]},
    )


def test_checksum_is_the_first_8_hex_of_sha256_of_canonical_json():
    import hashlib

    data = {"b": 1, "a": "Ж"}
    expected = hashlib.sha256('{"a":"Ж","b":1}'.encode()).hexdigest()[:8]
    assert receipts.checksum(data) == expected
    assert receipts.checksum({"a": "Ж", "b": 1}) == expected  # key order does not matter
    assert receipts.checksum({"a": "Ж", "b": 2}) != expected


def test_number_has_seven_digits():
    assert receipts.receipt_number(42) == "0000042"


def test_the_school_opens_its_receipt(as_user, org_user, org, submission):
    response = as_user(org_user).get(
        reverse("datacollection:submission_receipt", args=[submission.pk])
    )
    page = response.content.decode()
    assert "Квитанция о сдаче отчета №" in page
    assert receipts.receipt_number(submission.pk) in page
    assert receipts.checksum(submission.data) in page
    assert org.name in page and org.login in page
    assert "(МСК)" in page
    assert org_user.username in page
    assert 'class="btn btn-outline-primary js-print no-print"' in page


def test_another_school_gets_404(as_user, other_org_user, submission):
    response = as_user(other_org_user).get(
        reverse("datacollection:submission_receipt", args=[submission.pk])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_coordinator_sees_the_same_number_in_the_participant_list(
    as_user, regional, submission
):
    collection = submission.report.collection
    response = as_user(regional).get(reverse("monitoring:participant_list", args=[collection.pk]))
    assert f"квитанция № {receipts.receipt_number(submission.pk)}" in response.content.decode()


def test_the_list_shows_each_participants_latest_receipt_only(
    as_user, regional, submission, org_same_municipality, org_user
):
    """The latest transfer of the school's report in this collection: the newest moment,
    then the larger number; a transfer of another collection's report and a participant
    without a report show none of theirs."""
    from datetime import timedelta

    collection = submission.report.collection
    collection.organizations.add(org_same_municipality)
    later = Submission.objects.create(
        report=submission.report,
        submitted_by=org_user,
        data={},
        submitted_at=submission.submitted_at + timedelta(minutes=5),
    )
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=submission.submitted_at + timedelta(minutes=5)
    )
    other = ReportFactory(
        collection=make_collection(organizations=[submission.report.organization]),
        organization=submission.report.organization,
    )
    elsewhere = Submission.objects.create(report=other, submitted_by=org_user, data={})
    response = as_user(regional).get(reverse("monitoring:participant_list", args=[collection.pk]))
    receipts_shown = {row.login: row.receipt for row in response.context["rows"]}
    assert receipts_shown == {
        submission.report.organization.login: receipts.receipt_number(later.pk),
        org_same_municipality.login: "",
    }
    assert receipts.receipt_number(elsewhere.pk) not in response.content.decode()


def test_an_older_version_says_so(as_user, org_user, submission):
    newer = Submission.objects.create(
        report=submission.report, submitted_by=org_user, data={"tables": []}
    )
    old_page = as_user(org_user).get(
        reverse("datacollection:submission_receipt", args=[submission.pk])
    )
    assert "одной из прежних версий" in old_page.content.decode()
    new_page = as_user(org_user).get(reverse("datacollection:submission_receipt", args=[newer.pk]))
    assert "одной из прежних версий" not in new_page.content.decode()
