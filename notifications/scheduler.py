"""Timed events: «сбор открыт», «скоро срок», a publication whose date has come.

The apps that own those things say what is due in a `notification_sources` module, registering
a function with `@source`; the scheduler autodiscovers the modules (like the admin), so
`notifications` never imports the apps. A source is given `now` and calls `notify` for what is
due *now* — never for what is over (a closed window, a passed deadline), so a scheduler that was
down catches up on what is still worth saying and nothing else.

Running two schedulers, or one twice, is safe: `notify` writes against unique
(event, recipient) keys with ON CONFLICT DO NOTHING.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

Source = Callable[..., int]
_sources: dict[str, Source] = {}


def source(function: Source) -> Source:
    """Register `function(*, now) -> number of notices created` as a scheduler source."""
    _sources[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def sources() -> dict[str, Source]:
    autodiscover_modules("notification_sources")
    return dict(_sources)


def run_pass(*, now: datetime | None = None) -> dict[str, int]:
    """One pass over every source; a failing source is logged and the others still run."""
    now = now or timezone.now()
    created = {}
    for name, function in sources().items():
        try:
            created[name] = function(now=now)
        except Exception:
            logger.exception("Источник уведомлений %s завершился с ошибкой", name)
            created[name] = 0
    return created


def run_forever(*, interval: float, stop: Callable[[], bool] = lambda: False) -> None:
    while not stop():
        started = time.monotonic()
        run_pass()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
