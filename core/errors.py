"""The one error convention of the services: a refusal carries the Russian text a person reads.

Every app's errors derive from `ServiceError`, so a view translates any refusal the same way
(`error.message` into a message, a form error or a JSON answer) and never builds the text itself.
"""


class ServiceError(Exception):
    """A write or read refused for a reason the user can act on; `message` is shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AccessDenied(ServiceError):
    """The actor may not do this to this object. Views answer 403 (or 404 where even the
    object's existence is not theirs to know)."""
