"""Guards every request passes before any app sees it.

`RequestGuardMiddleware` refuses, with 400 and a Russian message, what no form or endpoint of
the portal can use and what would otherwise fail deep inside as a 500: a NUL character in the
path, in a query or form key or value, in an uploaded file's name, in a cookie or anywhere in a
JSON body (PostgreSQL refuses NUL in text), and a JSON body that is not JSON or is nested deeper
than any real payload (Python's parser raises RecursionError). Views parse JSON with
`core.http.json_body`, which returns the body this guard has already parsed.
"""

from http import HTTPStatus

from django.http import HttpResponse, JsonResponse
from django.template import loader

from .http import NUL, NUL_IN_REQUEST, BadRequest, json_body, wants_json

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def bad_request_response(request, message: str) -> HttpResponse:
    """400 with the message: JSON for scripts, otherwise a page that needs no database (the
    session may be what carries the bad byte)."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=HTTPStatus.BAD_REQUEST)
    page = loader.get_template("400.html").render({"message": message})
    return HttpResponse(page, status=HTTPStatus.BAD_REQUEST)


def _has_nul(query_dict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists()
    )


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = self.refusal(request)
        if message is not None:
            return bad_request_response(request, message)
        return self.get_response(request)

    @staticmethod
    def refusal(request) -> str | None:
        if NUL in request.path or _has_nul(request.GET):
            return NUL_IN_REQUEST
        if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
            return NUL_IN_REQUEST
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if request.content_type == "application/json":
            if request.body:
                try:
                    json_body(request)
                except BadRequest as error:
                    return error.message
        elif request.content_type in FORM_CONTENT_TYPES:
            if _has_nul(request.POST):
                return NUL_IN_REQUEST
            for key, files in request.FILES.lists():
                if NUL in key or any(NUL in (file.name or "") for file in files):
                    return NUL_IN_REQUEST
        return None
