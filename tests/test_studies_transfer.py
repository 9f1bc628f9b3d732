"""The electronic protocol of the school is summed from its room protocols: the sums agree with
the room lists, the form's cross-check holds, and a room without a protocol stops the transfer."""

from datetime import date, time
from http import HTTPStatus

import pytest
from django.urls import reverse

from datacollection.demo import build_forms
from datacollection.models import Cell
from studies import services
from studies.models import ChecklistSettings, ParticipantCode
from studies.services import transfer
from tests.factories import CollectionFactory, give_class, give_room, participating_study


@pytest.fixture
def study(org):
    study = participating_study(org)
    collection = CollectionFactory(form=build_forms()["protocol"], study=study, organizations=[org])
    ChecklistSettings.objects.create(study=study, protocol_collection=collection)
    return study


def held(user, room, present_count, observer=False, incidents=""):
    codes = list(room.codes.order_by("number").values_list("pk", flat=True))
    services.save_room_protocol(
        user=user,
        room=room,
        held_on=date(2026, 4, 15),
        started_at=time(10),
        ended_at=time(11),
        present_code_ids=codes[:present_count],
        observer_present=observer,
        incidents=incidents,
    )


def cells(report, table):
    return {
        (c.row_key, c.column_key): c.value
        for c in Cell.objects.filter(report=report, table__key=table)
    }


def test_the_school_protocol_is_the_sum_of_its_rooms(study, org, org_user):
    give_class(org_user, study, grade=4, pupils=5)
    give_class(org_user, study, grade=8, pupils=4)
    first = give_room(org_user, study, number="101", capacity=5)
    second = give_room(org_user, study, number="204", capacity=4)
    services.distribute_codes(user=org_user, study=study, organization=org)
    held(org_user, first, 4, observer=True)
    held(org_user, second, 3, incidents="Задержка начала на 5 минут")
    report = services.protocol_from_rooms(user=org_user, study=study, organization=org)
    values = cells(report, "attendance")
    assert values[("grade4", "listed")] == "5" and values[("grade4", "present")] == "4"
    assert values[("grade4", "absent")] == "1"
    assert values[("grade8", "listed")] == "4" and values[("grade8", "present")] == "3"
    for grade in ("grade4", "grade8"):
        assert int(values[(grade, "present")]) + int(values[(grade, "absent")]) == int(
            values[(grade, "listed")]
        )
        listed = ParticipantCode.objects.filter(grade=int(grade[5:]), room__isnull=False).count()
        assert int(values[(grade, "listed")]) == listed
    conduct = cells(report, "conduct")
    assert conduct[("date", "value")] == "15.04.2026"
    assert conduct[("observers", "value")] == "да (аудитории 101)"
    assert conduct[("incidents", "value")] == "Ауд. 204: Задержка начала на 5 минут"


def test_a_room_without_a_protocol_stops_the_transfer(study, org, org_user):
    give_class(org_user, study, pupils=2)
    first = give_room(org_user, study, number="101", capacity=1)
    give_room(org_user, study, number="204", capacity=1)
    services.distribute_codes(user=org_user, study=study, organization=org)
    held(org_user, first, 1)
    with pytest.raises(services.StudyError) as refused:
        services.protocol_from_rooms(user=org_user, study=study, organization=org)
    assert refused.value.message == transfer.ROOMS_WITHOUT_PROTOCOL.format(rooms="204")
    assert not Cell.objects.exists()


def test_the_transfer_button_opens_the_filled_form(study, org, org_user, as_user):
    give_class(org_user, study, pupils=1)
    room = give_room(org_user, study)
    services.distribute_codes(user=org_user, study=study, organization=org)
    held(org_user, room, 1)
    response = as_user(org_user).post(
        reverse("studies:rooms", args=[study.pk]), {"action": "transfer"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "/collections/reports/" in response["Location"]


def test_the_transfer_button_refused_returns_to_the_rooms_with_the_reason(
    study, org, org_user, as_user
):
    give_class(org_user, study, pupils=1)
    give_room(org_user, study, number="204")
    services.distribute_codes(user=org_user, study=study, organization=org)
    response = as_user(org_user).post(
        reverse("studies:rooms", args=[study.pk]), {"action": "transfer"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("studies:rooms", args=[study.pk])
    assert transfer.ROOMS_WITHOUT_PROTOCOL.format(rooms="204") in response.content.decode()
    assert not Cell.objects.exists()
