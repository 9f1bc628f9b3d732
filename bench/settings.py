"""Settings for the benchmarks only: the test settings (DEBUG off, no manifest static files)
with the bench URLconf, which adds a bare login-protected view in front of the portal's URLs.
Production (`fisoko.settings.production`) never loads this module or `bench.urls`."""

from fisoko.settings.test import *  # noqa: F403
from fisoko.settings.test import DATABASES

ROOT_URLCONF = "bench.urls"
# The benchmarks measure the real task backend's cost of enqueuing nothing; keep the portal's.

# The connection pool production has. The test settings drop it (the test runner creates and
# drops databases); without it every request would open a new PostgreSQL connection, a cost
# no production request pays, and the benchmarks would measure connection setup.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from fisoko.settings.base import DB_POOL

    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DB_POOL
