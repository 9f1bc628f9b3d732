"""The distribution's one save: the rooms page's form of selects (no script) and its
drag-and-drop module post the same fields here and meet the same rule (`services.assign_codes`)."""

from http import HTTPStatus

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from core.errors import AccessDenied, ServiceError

from .. import presenters, services
from ..selectors import placement_of, rooms_of
from .school import _school

SAVED = "Распределение сохранено."
SAVED_SHORT = "Сохранено"  # the status line beside the board
BAD_ASSIGNMENT = "Некорректный запрос: аудитория и участник указываются номерами."


def _room_or_none(value: str) -> int | None:
    """A room field: empty means «не распределен»; anything else must be a number."""
    if value.strip() == "":
        return None
    return int(value)


def _moves(post) -> list[services.CodeMove]:
    """`code-<id>`: the room chosen for the code, `seen-<id>`: the room the page showed it in."""
    moves = []
    for key, value in post.items():
        if key.startswith("code-"):
            code_id = int(key.removeprefix("code-"))
            seen = _room_or_none(post.get(f"seen-{code_id}", ""))
            moves.append(services.CodeMove(code_id, _room_or_none(value), seen))
    return moves


def _assign_status(error: ServiceError) -> HTTPStatus:
    if isinstance(error, services.UnknownObject):
        return HTTPStatus.NOT_FOUND
    if isinstance(error, AccessDenied):
        return HTTPStatus.FORBIDDEN
    if isinstance(error, services.DistributionChanged):
        return HTTPStatus.CONFLICT
    return HTTPStatus.BAD_REQUEST


def _state(request, study, organization) -> dict:
    """The distribution as it now is, and the parts of the rooms page that follow from it,
    rendered by the page's own partials: each room's «Протокол» cell and the totals."""
    rooms = list(rooms_of(study, organization).select_related("protocol"))
    state = presenters.distribution_state(placement_of(study, organization), rooms)
    for room in rooms:
        state["rooms"][str(room.pk)]["protocol"] = render_to_string(
            "studies/partials/room_protocol.html", {"room": room}, request
        ).strip()
    state["totals"] = render_to_string(
        "studies/partials/room_totals.html",
        {"totals": services.room_totals(study, organization)},
        request,
    ).strip()
    return state


@require_POST
def rooms_assign(request, study_pk):
    """The one save of the distribution. The form of selects (no script) gets a redirect with a
    message; the page's drag-and-drop module (`X-Requested-With: fetch`) gets JSON: the message
    and the distribution as it now is, whether the change was saved or refused."""
    study, organization = _school(request, study_pk)
    by_script = request.headers.get("X-Requested-With") == "fetch"
    error = None
    try:
        services.assign_codes(
            user=request.user,
            study=study,
            organization=organization,
            moves=_moves(request.POST),
            request=request,
        )
    except ValueError:
        error = ServiceError(BAD_ASSIGNMENT)
    except ServiceError as refusal:
        error = refusal
    if not by_script:
        if error is None:
            messages.success(request, SAVED)
        else:
            messages.error(request, error.message)
        return redirect("studies:rooms", study_pk=study.pk)
    state = _state(request, study, organization)
    if error is None:
        return JsonResponse({"message": SAVED_SHORT, **state})
    return JsonResponse({"error": error.message, **state}, status=_assign_status(error))
