"""What a request carries, read one way everywhere: the client's address behind a proxy, a JSON
body, and whether the request asks for JSON back."""

import json

from axes.helpers import get_client_ip_address
from django.http import HttpRequest
from django.http.request import RawPostDataException

from .errors import ServiceError

NUL = "\x00"
BAD_JSON = "Некорректный запрос: тело запроса не является правильным JSON."
NUL_IN_REQUEST = (
    "Некорректный запрос: в нем есть нулевой символ (\\0), который нельзя сохранить. "
    "Уберите его из текста и отправьте еще раз."
)
# Far deeper than any real payload of the portal, far shallower than Python's recursion limit.
MAX_JSON_DEPTH = 32
TOO_DEEP_JSON = "Некорректный запрос: JSON вложен слишком глубоко."


class BadRequest(ServiceError):
    """The request itself is malformed; views and the guard middleware answer 400 with it."""


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as django-axes sees it: behind `PROXY_COUNT` reverse proxies it is
    taken from X-Forwarded-For (django-ipware), otherwise it is REMOTE_ADDR. The audit log and
    the login lockout therefore always name the same address."""
    if request is None:
        return None
    return get_client_ip_address(request) or None


def wants_json(request: HttpRequest) -> bool:
    """A script's request (the table editor, the status pollers): answer errors in JSON."""
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def contains_nul(value) -> bool:
    """Whether a NUL character is anywhere in a parsed JSON value, keys included (PostgreSQL
    refuses it in text, so it must never reach a query)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if NUL in key:
                    return True
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def json_body(request: HttpRequest):
    """The request's JSON body, parsed once per request, or BadRequest with a Russian message:
    not UTF-8, not JSON, nested too deeply (Python would raise RecursionError) or holding a NUL
    character in any key or value."""
    cached = getattr(request, "_niko_json", None)
    if cached is not None:
        return cached[0]
    try:
        payload = json.loads(request.body.decode("utf-8"))
    # RawPostDataException: a form was posted (its fields were read already), not JSON.
    except (ValueError, UnicodeDecodeError, RecursionError, RawPostDataException):
        raise BadRequest(BAD_JSON) from None
    if _depth(payload) > MAX_JSON_DEPTH:
        raise BadRequest(TOO_DEEP_JSON)
    if contains_nul(payload):
        raise BadRequest(NUL_IN_REQUEST)
    request._niko_json = (payload,)
    return payload
