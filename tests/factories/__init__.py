"""Every factory and shared test helper, in one package: `from tests.factories import X`.
Test modules import from here, never from one another."""

from .accounts import *  # noqa: F403
from .admin_pages import *  # noqa: F403
from .concurrency import *  # noqa: F403
from .datacollection import *  # noqa: F403
from .files import *  # noqa: F403
from .forum import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .notifications import *  # noqa: F403
from .publications import *  # noqa: F403
from .results import *  # noqa: F403
from .studies import *  # noqa: F403
from .surveys import *  # noqa: F403
from .url_walk import *  # noqa: F403
