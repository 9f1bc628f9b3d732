"""Participant codes: issued per class, unique within the study, never renamed; rooms and the
distribution of codes across them."""

import pytest

from core.errors import AccessDenied
from studies import services
from studies.models import ParticipantCode
from studies.services import codes as code_rules
from studies.services import rooms as room_rules
from tests.factories import (
    OrganizationUserFactory,
    give_class,
    give_room,
    move_codes,
    participating_study,
)


@pytest.fixture
def study(org, org_same_municipality, org_other_region):
    return participating_study(org, org_same_municipality, org_other_region)


def codes(study, organization):
    return list(
        ParticipantCode.objects.filter(study=study, organization=organization)
        .order_by("grade", "number")
        .values_list("code", flat=True)
    )


def test_codes_are_grade_and_sequence_unique_across_organizations(
    study, org_user, org_same_municipality
):
    other_user = OrganizationUserFactory(organization=org_same_municipality)
    give_class(org_user, study, grade=8, letter="А", pupils=3)
    give_class(other_user, study, grade=8, letter="А", pupils=2)
    give_class(org_user, study, grade=4, letter="Б", pupils=2)
    assert codes(study, org_user.organization) == ["40001", "40002", "80001", "80002", "80003"]
    assert codes(study, org_same_municipality) == ["80004", "80005"]
    assert ParticipantCode.objects.values("code").distinct().count() == 7


def test_codes_alternate_variants_within_a_class(study, org_user):
    give_class(org_user, study, pupils=4)
    assert list(ParticipantCode.objects.order_by("number").values_list("variant", flat=True)) == [
        1,
        2,
        1,
        2,
    ]


def test_more_pupils_add_codes_and_keep_the_old_ones(study, org_user):
    give_class(org_user, study, pupils=2)
    before = codes(study, org_user.organization)
    give_class(org_user, study, pupils=4)
    assert codes(study, org_user.organization)[:2] == before
    assert len(codes(study, org_user.organization)) == 4


def test_fewer_pupils_withdraw_the_last_codes_and_never_reissue_their_numbers(study, org_user):
    give_class(org_user, study, pupils=3)
    give_class(org_user, study, pupils=1)
    assert codes(study, org_user.organization) == ["80001"]
    give_class(org_user, study, pupils=2)
    assert codes(study, org_user.organization) == ["80001", "80004"]


def test_redistribution_never_renames_a_code(study, org_user):
    give_class(org_user, study, pupils=5)
    give_class(org_user, study, grade=4, pupils=3)
    first = give_room(org_user, study, number="101", capacity=4)
    give_room(org_user, study, number="102", capacity=10)
    before = set(codes(study, org_user.organization))
    services.distribute_codes(user=org_user, study=study, organization=org_user.organization)
    assert first.codes.count() == 4
    services.save_room(
        user=org_user,
        study=study,
        organization=org_user.organization,
        number="101",
        capacity=8,
        room_id=first.pk,
    )
    services.distribute_codes(user=org_user, study=study, organization=org_user.organization)
    assert first.codes.count() == 8
    assert set(codes(study, org_user.organization)) == before
    assert not ParticipantCode.objects.filter(room__isnull=True).exists()


def test_distribution_refuses_too_few_seats_and_changes_nothing(study, org_user):
    give_class(org_user, study, pupils=5)
    room = give_room(org_user, study, capacity=3)
    with pytest.raises(services.StudyError) as refused:
        services.distribute_codes(user=org_user, study=study, organization=org_user.organization)
    assert refused.value.message == room_rules.NOT_ENOUGH_SEATS.format(seats=3, codes=5)
    assert room.codes.count() == 0


def test_assigning_by_selects_moves_codes_and_checks_capacity(study, org_user):
    give_class(org_user, study, pupils=3)
    small = give_room(org_user, study, number="101", capacity=1)
    big = give_room(org_user, study, number="102", capacity=5)
    services.distribute_codes(user=org_user, study=study, organization=org_user.organization)
    moved = ParticipantCode.objects.get(code="80001")
    assert moved.room == small
    move_codes(org_user, study, {moved: big})
    moved.refresh_from_db()
    assert moved.room == big and moved.code == "80001"
    with pytest.raises(services.StudyError) as refused:
        move_codes(org_user, study, dict.fromkeys(ParticipantCode.objects.all(), small))
    assert refused.value.message == room_rules.ROOM_OVERFULL.format(
        number="101", capacity=1, count=3
    )
    assert small.codes.count() == 0


def test_assigning_a_code_of_another_organization_is_refused(study, org_user, other_org_user):
    give_class(other_org_user, study, pupils=1)
    room = give_room(org_user, study)
    foreign = ParticipantCode.objects.get()
    with pytest.raises(services.StudyError) as refused:
        move_codes(org_user, study, {foreign: room})
    assert refused.value.message == room_rules.UNKNOWN_CODE
    foreign.refresh_from_db()
    assert foreign.room is None


def test_only_the_school_itself_issues_codes(study, org, regional, operator, other_org_user):
    for user in (regional, operator, other_org_user):
        with pytest.raises(AccessDenied):
            services.save_school_class(user=user, study=study, organization=org, grade=8, pupils=3)
    assert not ParticipantCode.objects.exists()


def test_an_organization_outside_the_study_gets_no_codes(org_user, org_same_municipality):
    study = participating_study(org_same_municipality)
    with pytest.raises(AccessDenied):
        give_class(org_user, study)


@pytest.mark.parametrize(
    ("grade", "pupils", "message"),
    [
        (1, 3, code_rules.GRADE_OUT_OF_RANGE),
        (12, 3, code_rules.GRADE_OUT_OF_RANGE),
        (8, 61, code_rules.PUPILS_OUT_OF_RANGE),
    ],
)
def test_bad_class_input_is_refused(study, org_user, grade, pupils, message):
    with pytest.raises(services.StudyError) as refused:
        give_class(org_user, study, grade=grade, pupils=pupils)
    assert refused.value.message == message
    assert not ParticipantCode.objects.exists()


def test_room_numbers_are_unique_per_school(study, org_user):
    give_room(org_user, study, number="101")
    with pytest.raises(services.StudyError) as refused:
        give_room(org_user, study, number=" 101 ")
    assert refused.value.message == room_rules.NUMBER_TAKEN.format(number="101")
