"""The portal's URLs plus `/bench/bare/`: a login-protected view that only answers "ok" — the
baseline every benchmark divides by (session, user, middleware, nothing else). Loaded only by
`bench.settings`; `tests/test_bench_urls.py` checks the production URLconf does not serve it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


BARE_PATH = "/bench/bare/"

urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("fisoko.urls")),
]
