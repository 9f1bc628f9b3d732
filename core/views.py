"""The error pages that must work without the database."""

import sys
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

from .http import wants_json

DATABASE_UNAVAILABLE = (
    "Сервис временно недоступен: идут технические работы или перезапуск. "
    "Подождите минуту и обновите страницу."
)
# The table editor keeps the edits queued and sends them again; a browser may reload then.
RETRY_AFTER_SECONDS = 30


def database_unavailable(request) -> HttpResponse:
    """503 while the database is down or restarting: JSON for scripts (the table editor
    retries on it), a page for people. Renders nothing that needs the database."""
    if wants_json(request):
        response = JsonResponse(
            {"error": DATABASE_UNAVAILABLE}, status=HTTPStatus.SERVICE_UNAVAILABLE
        )
    else:
        page = loader.get_template("503.html").render({"message": DATABASE_UNAVAILABLE})
        response = HttpResponse(page, status=HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500. Django calls it while handling the exception, wherever it was raised (a
    view, a middleware, a context processor), so the exception is at hand: a database that
    cannot be reached is an outage to wait out (503), anything else is our error (500)."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    # No context processors here: the error may have come from one of them.
    return HttpResponse(
        loader.get_template("500.html").render(), status=HTTPStatus.INTERNAL_SERVER_ERROR
    )
