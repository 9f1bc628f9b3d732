"""The school's pages of the study: «Что сделать сейчас», participants and codes, rooms and the
distribution, room lists, room protocols. Only the organization itself opens them; everyone else
gets 404 (coordinators watch through the readiness grid)."""

from datetime import date, time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from core.errors import ServiceError
from core.files import download, stored_file_open

from .. import presenters, services
from ..models import ChecklistTick, RoomProtocol
from ..readiness import checklist_settings, readiness
from ..selectors import (
    classes_of,
    codes_of,
    room_codes,
    room_for_user_or_404,
    rooms_of,
    stage_calendar,
    study_for_user_or_404,
)


def _school(request, study_pk):
    permissions.require(
        permissions.is_organization_user(request.user), not_found="Исследование не найдено"
    )
    return study_for_user_or_404(request.user, study_pk), request.user.organization


def _school_room(request, pk):
    permissions.require(
        permissions.is_organization_user(request.user), not_found="Аудитория не найдена"
    )
    return room_for_user_or_404(request.user, pk)


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _run(request, write, success: str) -> bool:
    try:
        write()
    except ServiceError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@require_GET
def school_study(request, study_pk):
    study, organization = _school(request, study_pk)
    rows, _ = readiness(study, type(organization).objects.filter(pk=organization.pk))
    return render(
        request,
        "studies/school_study.html",
        {
            "study": study,
            "organization": organization,
            "stages": presenters.checklist_stages(rows[0]),
            "settings": checklist_settings(study),
            "calendar": stage_calendar(study, organization),
        },
    )


@require_POST
def checklist_tick(request, study_pk, item):
    study, organization = _school(request, study_pk)
    arguments = {"user": request.user, "study": study, "organization": organization}
    if request.POST.get("action") == "untick":
        _run(
            request,
            lambda: services.untick_item(**arguments, item_key=item, request=request),
            "Отметка снята.",
        )
    else:
        _run(
            request,
            lambda: services.tick_item(
                **arguments, item_key=item, scan=request.FILES.get("scan"), request=request
            ),
            "Пункт отмечен как выполненный.",
        )
    return redirect("studies:school_study", study_pk=study.pk)


@require_GET
def checklist_file(request, study_pk, item):
    study, organization = _school(request, study_pk)
    tick = (
        ChecklistTick.objects.filter(study=study, organization=organization, item=item)
        .exclude(file="")
        .first()
    )
    if tick is None:
        raise Http404("Файл не найден")
    return download(stored_file_open(tick.file), tick.file_name, content_type=None)


def _transfer(request, study, fill, back: str, done: str):
    """«Перенести в форму»: `fill` (a service) writes the school's report of the study from
    these pages; to the report with `done`, or back to the page `back` with the refusal."""
    try:
        report = fill(
            user=request.user, study=study, organization=request.user.organization, request=request
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(back, study_pk=study.pk)
    messages.success(request, done)
    return redirect("datacollection:report_detail", pk=report.pk)


@require_http_methods(["GET", "POST"])
def participants(request, study_pk):
    study, organization = _school(request, study_pk)
    if request.method == "POST" and request.POST.get("action") == "results":
        return _transfer(
            request,
            study,
            services.results_from_codes,
            "studies:participants",
            "В форму результатов внесены коды участников с классом и вариантом; отсутствовавшие "
            "отмечены «отсутствовал». Внесите баллы и нажмите «Сдать отчет».",
        )
    if request.method == "POST":
        arguments = {"user": request.user, "study": study, "organization": organization}
        if request.POST.get("action") == "remove":
            _run(
                request,
                lambda: services.remove_school_class(
                    **arguments,
                    school_class_id=_int(request.POST.get("class")),
                    request=request,
                ),
                "Класс удален, его коды отозваны.",
            )
        else:
            grade, pupils = _int(request.POST.get("grade")), _int(request.POST.get("pupils"))
            if grade is None or pupils is None:
                messages.error(request, "Укажите класс и число обучающихся целыми числами.")
            else:
                _run(
                    request,
                    lambda: services.save_school_class(
                        **arguments,
                        grade=grade,
                        letter=request.POST.get("letter", ""),
                        pupils=pupils,
                        request=request,
                    ),
                    "Класс сохранен, коды участников выданы.",
                )
        return redirect("studies:participants", study_pk=study.pk)
    return render(
        request,
        "studies/participants.html",
        {
            "study": study,
            "organization": organization,
            "classes": classes_of(study, organization),
            "codes": codes_of(study, organization),
        },
    )


@require_GET
def codes_print(request, study_pk):
    study, organization = _school(request, study_pk)
    return render(
        request,
        "studies/codes_print.html",
        {"study": study, "organization": organization, "codes": codes_of(study, organization)},
    )


def _rooms_post(request, study, organization):
    arguments = {"user": request.user, "study": study, "organization": organization}
    action = request.POST.get("action")
    if action == "distribute":
        return _run(
            request,
            lambda: services.distribute_codes(**arguments, request=request),
            "Участники распределены по аудиториям по числу мест.",
        )
    if action == "remove":
        return _run(
            request,
            lambda: services.remove_room(
                **arguments, room_id=_int(request.POST.get("room")), request=request
            ),
            "Аудитория удалена, ее участники ждут распределения.",
        )
    capacity = _int(request.POST.get("capacity"))
    if capacity is None:
        messages.error(request, "Число мест — целое число.")
        return False
    return _run(
        request,
        lambda: services.save_room(
            **arguments,
            number=request.POST.get("number", ""),
            capacity=capacity,
            room_id=_int(request.POST.get("room")),
            request=request,
        ),
        "Аудитория сохранена.",
    )


@require_http_methods(["GET", "POST"])
def rooms(request, study_pk):
    study, organization = _school(request, study_pk)
    if request.method == "POST" and request.POST.get("action") == "transfer":
        return _transfer(
            request,
            study,
            services.protocol_from_rooms,
            "studies:rooms",
            "Протокол проведения НИКО в ОО заполнен по протоколам аудиторий. Проверьте его, "
            "приложите скан и нажмите «Сдать отчет».",
        )
    if request.method == "POST":
        _rooms_post(request, study, organization)
        return redirect("studies:rooms", study_pk=study.pk)
    room_list = list(rooms_of(study, organization).select_related("protocol"))
    codes = list(codes_of(study, organization))
    return render(
        request,
        "studies/rooms.html",
        {
            "study": study,
            "organization": organization,
            "rooms": room_list,
            "codes": codes,
            "boxes": presenters.distribution_boxes(room_list, codes),
            "seats": sum(room.capacity for room in room_list),
            "totals": services.room_totals(study, organization),
        },
    )


@require_GET
def room_list(request, pk):
    room = _school_room(request, pk)
    services.room_list_issued(user=request.user, room=room)
    return render(
        request,
        "studies/room_list_print.html",
        {
            "room": room,
            "codes": room_codes(room),
        },
    )


@require_GET
def room_list_xlsx(request, pk):
    room = _school_room(request, pk)
    services.room_list_issued(user=request.user, room=room)
    data = presenters.room_list_workbook(room)
    return download(data, presenters.room_list_file_name(room))


def _parse_date(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _parse_time(value):
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def room_protocol(request, pk):
    room = _school_room(request, pk)
    protocol = RoomProtocol.objects.filter(room=room).first()
    if request.method == "POST":
        saved = _run(
            request,
            lambda: services.save_room_protocol(
                user=request.user,
                room=room,
                held_on=_parse_date(request.POST.get("held_on")),
                started_at=_parse_time(request.POST.get("started_at")),
                ended_at=_parse_time(request.POST.get("ended_at")),
                present_code_ids=[
                    pk for pk in map(_int, request.POST.getlist("present")) if pk is not None
                ],
                observer_present=request.POST.get("observer_present") == "on",
                incidents=request.POST.get("incidents", ""),
                scan=request.FILES.get("scan"),
                request=request,
            ),
            "Протокол аудитории сохранен.",
        )
        if saved:
            return redirect("studies:rooms", study_pk=room.study_id)
        return redirect("studies:room_protocol", pk=room.pk)
    present = set(protocol.present_codes.values_list("pk", flat=True)) if protocol else None
    return render(
        request,
        "studies/room_protocol.html",
        {
            "room": room,
            "protocol": protocol,
            "codes": room_codes(room),
            "present": present,
        },
    )


@require_GET
def room_protocol_scan(request, pk):
    room = _school_room(request, pk)
    protocol = RoomProtocol.objects.filter(room=room).exclude(scan="").first()
    if protocol is None:
        raise Http404("Файл не найден")
    return download(stored_file_open(protocol.scan), protocol.scan_name, content_type=None)
