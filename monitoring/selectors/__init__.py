"""Reads for monitoring, by concern: `participants` (scope, status, the list, read-only data),
`statistics` (the numbers) and `exports` (jobs and the rows of a file); all re-exported here,
so callers write `selectors.X`.

Everything starts from `participants(user, collection)`: the organizations taking part in the
collection that the user may see (`accounts.scoping`), each with its report joined in and its
status annotated by the one rule of `datacollection.status` (the school's card reads the same
rule in Python). The statistics, the «Список участников», the reminder, the read-only data and
the export all ask it, so they cannot disagree about whom they count or how.
"""

from .exports import *  # noqa: F403
from .participants import *  # noqa: F403
from .statistics import *  # noqa: F403
