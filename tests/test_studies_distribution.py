"""The distribution's one save (`studies:rooms_assign`): the form of selects and the page's
dragging post the same fields to it and meet the same rule. A refusal changes nothing; the
script's answer (JSON) always carries where every code now is."""

from datetime import date, time
from http import HTTPStatus

import pytest
from django.urls import reverse

from studies import services
from studies.models import ParticipantCode
from studies.services import rooms as room_rules
from studies.views import distribution as distribution_views
from tests.factories import (
    OrganizationUserFactory,
    give_class,
    give_room,
    move_codes,
    participating_study,
)

BY_SCRIPT = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def study(org, org_same_municipality):
    return participating_study(org, org_same_municipality)


@pytest.fixture
def neighbour(org_same_municipality):
    """A school of the same study and municipality: its ids are real, just not `org`'s."""
    return OrganizationUserFactory(organization=org_same_municipality)


@pytest.fixture
def two_rooms(study, org_user):
    """Three codes of 8 А: 80001 and 80002 in room 101 (2 seats), 80003 in room 102 (2 seats)."""
    give_class(org_user, study, pupils=3)
    first = give_room(org_user, study, number="101", capacity=2)
    second = give_room(org_user, study, number="102", capacity=2)
    codes = {code.code: code for code in ParticipantCode.objects.order_by("number")}
    move_codes(
        org_user, study, {codes["80001"]: first, codes["80002"]: first, codes["80003"]: second}
    )
    return first, second


def code(value):
    return ParticipantCode.objects.get(code=value)


def counts(answer):
    """The answer's rooms without their rendered «Протокол» cells."""
    return {
        room: {key: value for key, value in fields.items() if key != "protocol"}
        for room, fields in answer["rooms"].items()
    }


def placement():
    return dict(ParticipantCode.objects.values_list("code", "room__number"))


def post_move(client, study, moved, room, *, seen="same", **extra):
    """Post one move as the page would: the chosen room and the room the page showed."""
    seen_room = moved.room_id if seen == "same" else seen
    return client.post(
        reverse("studies:rooms_assign", args=[study.pk]),
        {
            f"code-{moved.pk}": "" if room is None else room.pk,
            f"seen-{moved.pk}": "" if seen_room is None else seen_room,
        },
        **extra,
    )


def test_a_dragged_code_is_saved_and_the_answer_is_the_distribution_now(
    study, org_user, as_user, two_rooms
):
    first, second = two_rooms
    response = post_move(as_user(org_user), study, code("80001"), second, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.OK
    answer = response.json()
    assert answer["message"] == "Сохранено"
    assert answer["codes"][str(code("80001").pk)] == second.pk
    assert counts(answer) == {
        str(first.pk): {"listed": 1, "capacity": 2},
        str(second.pk): {"listed": 2, "capacity": 2},
    }
    assert placement() == {"80001": "102", "80002": "101", "80003": "102"}


def test_the_answer_brings_the_rooms_table_as_the_page_would_render_it_now(
    study, org_user, as_user, two_rooms
):
    """The «Протокол» cell follows the room's list (an emptied room has nothing to protocol)
    and the totals follow the codes in rooms, without a reload."""
    first, second = two_rooms
    client = as_user(org_user)
    answer = post_move(client, study, code("80003"), None, **BY_SCRIPT).json()
    assert answer["rooms"][str(second.pk)]["protocol"] == "—"
    assert "Заполнить протокол" in answer["rooms"][str(first.pk)]["protocol"]
    assert (
        reverse("studies:room_protocol", args=[first.pk])
        in answer["rooms"][str(first.pk)]["protocol"]
    )
    assert '<tr data-grade="8"><td>8 класс</td><td class="text-end">2</td>' in answer["totals"]

    answer = post_move(client, study, code("80003"), second, **BY_SCRIPT).json()
    assert "Заполнить протокол" in answer["rooms"][str(second.pk)]["protocol"]
    assert '<td class="text-end">3</td>' in answer["totals"]
    page = client.get(reverse("studies:rooms", args=[study.pk])).content.decode()
    assert answer["rooms"][str(second.pk)]["protocol"] in page  # the same partial

    for moved in ("80001", "80002", "80003"):
        answer = post_move(client, study, code(moved), None, **BY_SCRIPT).json()
    assert answer["totals"] == ""  # no code in a room: no totals section


@pytest.mark.usefixtures("two_rooms")
def test_the_form_of_selects_saves_through_the_same_address(study, org_user, as_user):
    response = post_move(as_user(org_user), study, code("80001"), None, follow=True)
    assert response.redirect_chain == [(reverse("studies:rooms", args=[study.pk]), 302)]
    assert distribution_views.SAVED in response.content.decode()
    assert placement()["80001"] is None


def test_a_room_beyond_its_capacity_is_refused_in_russian_and_nothing_changes(
    study, org_user, as_user, two_rooms
):
    _, second = two_rooms
    post_move(as_user(org_user), study, code("80001"), second)  # 102 is full now
    before = placement()
    response = post_move(as_user(org_user), study, code("80002"), second, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    message = room_rules.ROOM_OVERFULL.format(number="102", capacity=2, count=3)
    assert response.json()["error"] == message
    assert counts(response.json())[str(second.pk)] == {"listed": 2, "capacity": 2}
    assert placement() == before
    form = post_move(as_user(org_user), study, code("80002"), second, follow=True)
    assert message in form.content.decode()
    assert placement() == before


def test_codes_of_another_school_are_not_found_and_nothing_changes(
    study, org_user, neighbour, as_user, two_rooms
):
    first, _ = two_rooms
    give_class(neighbour, study, grade=4, pupils=1)
    theirs = give_room(neighbour, study, number="201", capacity=5)
    foreign = ParticipantCode.objects.get(organization=neighbour.organization)
    before = dict(ParticipantCode.objects.values_list("pk", "room_id"))

    response = post_move(as_user(org_user), study, foreign, first, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"] == room_rules.UNKNOWN_CODE
    assert str(foreign.pk) not in response.json()["codes"]  # their codes are not told either

    response = post_move(as_user(org_user), study, code("80001"), theirs, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"] == room_rules.UNKNOWN_ROOM

    response = post_move(as_user(neighbour), study, code("80001"), theirs, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert dict(ParticipantCode.objects.values_list("pk", "room_id")) == before


def test_a_school_outside_the_study_does_not_find_it(study, other_org_user, as_user, two_rooms):
    _, second = two_rooms
    response = post_move(as_user(other_org_user), study, code("80001"), second, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert placement()["80001"] == "101"


def test_a_move_from_where_the_code_no_longer_is_is_refused_as_stale(
    study, org_user, as_user, two_rooms
):
    _, second = two_rooms
    page_saw = code("80001").room_id  # 101, as a page opened earlier showed it
    move_codes(org_user, study, {code("80001"): None})  # meanwhile, in another tab
    response = post_move(
        as_user(org_user), study, code("80001"), second, seen=page_saw, **BY_SCRIPT
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"] == room_rules.DISTRIBUTION_CHANGED.format(
        code="80001", where="не распределен"
    )
    assert response.json()["codes"][str(code("80001").pk)] is None  # the page redraws from it
    assert placement()["80001"] is None


@pytest.mark.usefixtures("two_rooms")
def test_a_stale_form_of_selects_does_not_undo_changes_made_meanwhile(study, org_user, as_user):
    shown = {c.pk: c.room_id for c in ParticipantCode.objects.all()}  # the page as rendered
    move_codes(org_user, study, {code("80003"): None})  # meanwhile, in another tab
    form = {f"code-{pk}": room or "" for pk, room in shown.items()}
    form |= {f"seen-{pk}": room or "" for pk, room in shown.items()}
    form[f"code-{code('80002').pk}"] = ""  # the one select this person changed
    response = as_user(org_user).post(reverse("studies:rooms_assign", args=[study.pk]), form)
    assert response.status_code == HTTPStatus.FOUND
    assert placement() == {"80001": "101", "80002": None, "80003": None}


def test_a_room_with_a_filled_protocol_keeps_its_list(study, org_user, as_user, two_rooms):
    first, second = two_rooms
    services.save_room_protocol(
        user=org_user,
        room=second,
        held_on=date(2026, 4, 15),
        started_at=time(10, 0),
        ended_at=time(10, 45),
        present_code_ids=[code("80003").pk],
        observer_present=False,
    )
    response = post_move(as_user(org_user), study, code("80003"), first, **BY_SCRIPT)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == room_rules.ROOM_FROZEN.format(number="102")
    assert placement()["80003"] == "102"


@pytest.mark.parametrize("value", ["сто один", "1.5"])
def test_a_room_that_is_not_a_number_is_refused(study, org_user, as_user, two_rooms, value):
    moved = code("80001")
    response = as_user(org_user).post(
        reverse("studies:rooms_assign", args=[study.pk]),
        {f"code-{moved.pk}": value, f"seen-{moved.pk}": moved.room_id},
        **BY_SCRIPT,
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == distribution_views.BAD_ASSIGNMENT
    assert placement()["80001"] == "101"
