"""«Что сделать сейчас»: automatic items tick themselves when their event happens, manual ones
when the school ticks them; deadlines come from the calendar (a region's lines win); overdue is
marked; room lists and room protocols agree with the codes."""

from datetime import date, time, timedelta
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.files import UPLOAD_CONTENT_MESSAGE, UploadRefused
from datacollection import services as dc_services
from studies import services
from studies.models import ChecklistSettings, RoomProtocol, Stage, StageDate
from studies.readiness import (
    DONE,
    OVERDUE,
    PENDING,
    checklist_settings,
    column_sets,
    readiness,
)
from studies.services import checklist as checklist_rules
from studies.services import protocols as protocol_rules
from tests.factories import (
    PublicationFactory,
    ReportFactory,
    add_attachment,
    fill_valid,
    give_class,
    give_room,
    make_collection,
    move_codes,
    participating_study,
)

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def study(org, org_same_municipality):
    return participating_study(org, org_same_municipality)


def states(study, organization):
    organizations = type(organization).objects.filter(pk=organization.pk)
    rows, collections = readiness(study, organizations)
    (row,) = rows
    # The grid filters and counts whole regions by the same rule said as id sets
    # (`column_sets`): at every step of every scenario here the two agree, item by item and
    # form by form.
    sets = column_sets(
        study, organizations, settings=checklist_settings(study), collections=collections
    )
    states = {**row.items, **{f"form-{pk}": state for pk, state in row.forms.items()}}
    assert sets.ids == [organization.pk]
    assert {key: organization.pk in ids for key, ids in sets.done.items()} == {
        key: state.done for key, state in states.items()
    }
    assert {key: organization.pk in ids for key, ids in sets.behind.items()} == {
        key: state.behind for key, state in states.items()
    }
    return row.items


def scan(name="Протокол.pdf"):
    return SimpleUploadedFile(name, PDF)


def fill_protocol(user, room, present=None, **fields):
    codes = list(room.codes.values_list("pk", flat=True))
    return services.save_room_protocol(
        user=user,
        room=room,
        held_on=fields.pop("held_on", date(2026, 4, 15)),
        started_at=fields.pop("started_at", time(10, 0)),
        ended_at=fields.pop("ended_at", time(10, 45)),
        present_code_ids=codes if present is None else present,
        observer_present=True,
        **fields,
    )


def test_materials_tick_when_the_school_downloads_a_material_of_the_study(
    study, org, org_user, as_user
):
    attachment = add_attachment(PublicationFactory(study=study))
    add_attachment(PublicationFactory())  # a material of no study does not count
    assert states(study, org)["prep_materials"].status == PENDING
    response = as_user(org_user).get(
        reverse("publications:attachment_download", args=[attachment.pk])
    )
    assert response.status_code == HTTPStatus.OK
    assert states(study, org)["prep_materials"].status == DONE


def test_form_items_tick_when_the_watched_form_is_submitted(study, org, org_user):
    collection = make_collection(organizations=[org], study=study)
    ChecklistSettings.objects.create(study=study, registration_collection=collection)
    report = ReportFactory(collection=collection, organization=org)
    fill_valid(report, org_user)
    assert states(study, org)["prep_registration"].status == PENDING
    dc_services.report_submit(report=report, user=org_user)
    item = states(study, org)["prep_registration"]
    assert item.status == DONE and item.done_at is not None


def test_form_items_without_a_watched_form_are_left_out(study, org):
    assert "prep_registration" not in states(study, org)
    assert "completion_protocol" not in states(study, org)


def test_distribution_ticks_only_when_every_code_has_a_room(study, org, org_user):
    give_class(org_user, study, pupils=4)
    room = give_room(org_user, study, capacity=3)
    assert states(study, org)["prep_distribution"].status == PENDING
    with pytest.raises(services.StudyError):
        services.distribute_codes(user=org_user, study=study, organization=org)
    services.save_room(
        user=org_user, study=study, organization=org, number="101", capacity=4, room_id=room.pk
    )
    services.distribute_codes(user=org_user, study=study, organization=org)
    assert states(study, org)["prep_distribution"].status == DONE
    give_class(org_user, study, grade=4, pupils=1)  # a new pupil has no room yet
    assert states(study, org)["prep_distribution"].status == PENDING


def test_room_lists_tick_when_every_room_list_is_printed_by_the_school(
    study, org, org_user, regional, as_user
):
    give_class(org_user, study, pupils=4)
    first, second = give_room(org_user, study, number="1"), give_room(org_user, study, number="2")
    move_codes(
        org_user,
        study,
        {code: (first if code.number % 2 else second) for code in first.study.codes.all()},
    )
    as_user(org_user).get(reverse("studies:room_list", args=[first.pk]))
    assert states(study, org)["conduct_lists"].status == PENDING
    as_user(org_user).get(reverse("studies:room_list_xlsx", args=[second.pk]))
    assert states(study, org)["conduct_lists"].status == DONE


def test_room_protocols_tick_when_every_room_has_a_protocol_with_a_scan(study, org, org_user):
    give_class(org_user, study, pupils=4)
    first, second = (
        give_room(org_user, study, number="1", capacity=2),
        give_room(org_user, study, number="2", capacity=2),
    )
    services.distribute_codes(user=org_user, study=study, organization=org)
    fill_protocol(org_user, first, scan=scan())
    assert states(study, org)["completion_room_protocols"].status == PENDING
    fill_protocol(org_user, second)  # no scan yet
    assert states(study, org)["completion_room_protocols"].status == PENDING
    fill_protocol(org_user, second, scan=scan())
    assert states(study, org)["completion_room_protocols"].status == DONE


def test_the_statistical_report_ticks_when_the_school_opens_it(study, org, org_user, regional):
    services.statistical_report_opened(user=regional, study=study, organization=org)
    assert states(study, org)["completion_report"].status == PENDING
    services.statistical_report_opened(user=org_user, study=study, organization=org)
    assert states(study, org)["completion_report"].status == DONE


def test_manual_ticks_keep_date_and_who_and_can_be_taken_back(study, org, org_user, as_user):
    url = reverse("studies:checklist_tick", args=[study.pk, "conduct_briefing"])
    assert as_user(org_user).post(url).status_code == HTTPStatus.FOUND
    item = states(study, org)["conduct_briefing"]
    assert item.status == DONE and item.ticked_by == org_user.username
    as_user(org_user).post(url, {"action": "untick"})
    assert states(study, org)["conduct_briefing"].status == PENDING


def test_the_order_needs_a_scan_of_an_allowed_type(study, org, org_user):
    with pytest.raises(services.StudyError) as refused:
        services.tick_item(
            user=org_user, study=study, organization=org, item_key="prep_specialists"
        )
    assert refused.value.message == checklist_rules.SCAN_REQUIRED
    with pytest.raises(UploadRefused) as refused:
        services.tick_item(
            user=org_user,
            study=study,
            organization=org,
            item_key="prep_specialists",
            scan=SimpleUploadedFile("Приказ.pdf", b"<html>not a pdf"),
        )
    assert refused.value.message == UPLOAD_CONTENT_MESSAGE.format(name="Приказ.pdf")
    assert states(study, org)["prep_specialists"].status == PENDING
    services.tick_item(
        user=org_user,
        study=study,
        organization=org,
        item_key="prep_specialists",
        scan=scan("Приказ.pdf"),
    )
    assert states(study, org)["prep_specialists"].file_name == "Приказ.pdf"


def test_the_security_memo_is_confirmed_only_once_it_is_published(study, org, org_user):
    with pytest.raises(services.StudyError) as refused:
        services.tick_item(user=org_user, study=study, organization=org, item_key="prep_security")
    assert refused.value.message == checklist_rules.MEMO_REQUIRED
    ChecklistSettings.objects.create(study=study, security_memo=PublicationFactory(study=study))
    services.tick_item(user=org_user, study=study, organization=org, item_key="prep_security")
    assert states(study, org)["prep_security"].status == DONE


def test_automatic_items_cannot_be_ticked_by_hand(study, org, org_user):
    with pytest.raises(services.StudyError) as refused:
        services.tick_item(user=org_user, study=study, organization=org, item_key="prep_materials")
    assert refused.value.message == checklist_rules.NOT_MANUAL


def test_overdue_follows_the_calendar_and_a_regions_own_lines_win(study, org, other_region):
    today = date(2026, 4, 10)
    StageDate.objects.create(
        study=study,
        stage=Stage.PREPARATION,
        starts_on=today - timedelta(10),
        ends_on=today - timedelta(1),
    )
    rows, _ = readiness(study, type(org).objects.filter(pk=org.pk), today=today)
    assert rows[0].items["prep_documents"].status == OVERDUE
    assert rows[0].behind
    assert _behind(study, org, today)["prep_documents"]
    StageDate.objects.create(
        study=study,
        stage=Stage.PREPARATION,
        region=org.region,
        starts_on=today,
        ends_on=today + timedelta(5),
    )
    rows, _ = readiness(study, type(org).objects.filter(pk=org.pk), today=today)
    assert rows[0].items["prep_documents"].status == PENDING
    assert rows[0].items["prep_documents"].deadline == today + timedelta(5)
    assert not _behind(study, org, today)["prep_documents"]


def _behind(study, organization, today):
    """{column: behind} of one organization, as the grid's id sets decide it."""
    organizations = type(organization).objects.filter(pk=organization.pk)
    settings = checklist_settings(study)
    collections = readiness(study, organizations, settings=settings)[1]
    sets = column_sets(
        study, organizations, settings=settings, collections=collections, today=today
    )
    return {key: organization.pk in ids for key, ids in sets.behind.items()}


def test_the_school_page_shows_the_checklist_in_the_memos_words(study, org_user, as_user):
    response = as_user(org_user).get(reverse("studies:school_study", args=[study.pk]))
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    for words in (
        "Что сделать сейчас",
        "Подготовка к НИКО",
        "Проведение НИКО",
        "Завершение НИКО",
        "Назначение специалистов, ответственных за организацию и проведение НИКО в ОО.",
        "Распределение участников НИКО по аудиториям.",
        "Контроль за соблюдением установленного порядка проведения НИКО.",
    ):
        assert words in content


# Room protocols -------------------------------------------------------------------------


def test_present_plus_absent_equals_the_room_list_by_construction(study, org, org_user):
    give_class(org_user, study, pupils=5)
    room = give_room(org_user, study)
    services.distribute_codes(user=org_user, study=study, organization=org)
    codes = list(room.codes.order_by("number"))
    protocol = fill_protocol(org_user, room, present=[c.pk for c in codes[:3]])
    present = set(protocol.present_codes.values_list("code", flat=True))
    absent = set(room.codes.exclude(present_in=protocol).values_list("code", flat=True))
    assert present | absent == {c.code for c in codes} and not present & absent
    assert len(absent) == 2


def test_a_code_of_another_room_cannot_be_marked_present(study, org, org_user):
    give_class(org_user, study, pupils=2)
    first, second = (
        give_room(org_user, study, number="1", capacity=1),
        give_room(org_user, study, number="2", capacity=1),
    )
    services.distribute_codes(user=org_user, study=study, organization=org)
    with pytest.raises(services.StudyError) as refused:
        fill_protocol(org_user, first, present=list(second.codes.values_list("pk", flat=True)))
    assert refused.value.message == protocol_rules.NOT_IN_ROOM
    assert not RoomProtocol.objects.exists()


def test_protocol_times_must_be_in_order(study, org, org_user):
    give_class(org_user, study, pupils=1)
    room = give_room(org_user, study)
    services.distribute_codes(user=org_user, study=study, organization=org)
    with pytest.raises(services.StudyError) as refused:
        fill_protocol(org_user, room, started_at=time(11, 0), ended_at=time(10, 0))
    assert refused.value.message == protocol_rules.TIMES_ORDER


def test_a_room_with_a_protocol_keeps_its_list(study, org, org_user):
    give_class(org_user, study, pupils=2)
    room = give_room(org_user, study)
    other = give_room(org_user, study, number="2")
    services.distribute_codes(user=org_user, study=study, organization=org)
    fill_protocol(org_user, room)
    code = room.codes.first()
    with pytest.raises(services.StudyError):
        move_codes(org_user, study, {code: other})
    with pytest.raises(services.StudyError):
        give_class(org_user, study, pupils=1)  # withdrawing a code marked present
    assert room.codes.count() == 2


def test_the_protocol_form_saves_presence_from_the_room_list(study, org, org_user, as_user):
    give_class(org_user, study, pupils=3)
    room = give_room(org_user, study)
    services.distribute_codes(user=org_user, study=study, organization=org)
    first = room.codes.order_by("number").first()
    response = as_user(org_user).post(
        reverse("studies:room_protocol", args=[room.pk]),
        {
            "held_on": "2026-04-15",
            "started_at": "10:00",
            "ended_at": "10:45",
            "present": [first.pk],
            "observer_present": "on",
            "scan": scan(),
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    protocol = RoomProtocol.objects.get(room=room)
    assert list(protocol.present_codes.all()) == [first]
    assert protocol.observer_present and protocol.scan_name == "Протокол.pdf"


def test_the_operator_sets_the_calendar_in_the_admin(study, operator, org_user, as_user, region):
    response = as_user(operator).post(
        reverse("admin:studies_stagedate_add"),
        {
            "study": study.pk,
            "stage": Stage.CONDUCT,
            "grade": "8",
            "subject": "ОБЖ",
            "region": region.pk,
            "starts_on": "15.04.2026",
            "ends_on": "16.04.2026",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    line = StageDate.objects.get()
    assert (line.grade, line.subject, line.region) == (8, "ОБЖ", region)
    page = as_user(org_user).get(reverse("studies:school_study", args=[study.pk]))
    assert "ОБЖ" in page.content.decode()
