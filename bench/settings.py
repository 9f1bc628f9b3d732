"""Settings for the benchmarks only: the test settings (DEBUG off, no manifest static files)
with the bench URLconf, which adds a bare login-protected view in front of the portal's URLs.
Production (`fisoko.settings.production`) never loads this module or `bench.urls`."""

from fisoko.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The benchmarks measure the real task backend's cost of enqueuing nothing; keep the portal's.
