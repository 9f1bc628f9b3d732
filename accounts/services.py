"""Writes on accounts. Passwords are stored hashed only; a plain one-time password is returned
to the caller once, to be shown or written into a credentials sheet, and kept nowhere."""

import secrets

from django.db import transaction
from django.http import HttpRequest

from . import audit
from .models import Organization, User

# No look-alike characters (0/O, 1/l/I): passwords are read off paper and typed by hand.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 10


def generate_one_time_password() -> str:
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        # At least one digit and one letter, so the password validators never reject it.
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@transaction.atomic
def organization_password_reset(
    *, organization: Organization, actor: User, request: HttpRequest | None = None
) -> list[tuple[str, str]]:
    """Give every account of the organization a new one-time password.

    Returns (login, password) pairs. The caller has checked that `actor` may manage the
    organization (see `scoping.can_act_on_organizations`)."""
    credentials = []
    for user in organization.users.select_for_update().order_by("username"):
        password = generate_one_time_password()
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        credentials.append((user.username, password))
    audit.record(
        actor=actor,
        action="organization.password_reset",
        organization=organization,
        target=organization.login,
        request=request,
        logins=[login for login, _ in credentials],
    )
    return credentials


def user_password_changed(*, user: User, request: HttpRequest | None = None) -> None:
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit.record(
        actor=user,
        action="user.password_changed",
        organization=user.organization,
        target=user.username,
        request=request,
    )
