"""Writes on accounts. Passwords are stored hashed only; a plain one-time password is returned
to the caller once, to be shown or written into a credentials sheet, and kept nowhere."""

import secrets
from collections.abc import Iterable, Sequence

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from core.errors import ServiceError

from . import audit, importing
from .credentials import Credential
from .models import Organization, User

# No look-alike characters (0/O, 1/l/I): passwords are read off paper and typed by hand.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 10
# Hashing cost of an issued one-time password (see `one_time_password_hash`).
ONE_TIME_PASSWORD_ITERATIONS = 5_000
# Resetting is one full-cost hash per account: a few dozen organizations per request at most.
MAX_ORGANIZATIONS_PER_RESET = 50
TOO_MANY_FOR_RESET = "Новые пароли выдаются не больше чем {limit} организациям за один раз."


class TooManyOrganizations(ServiceError):
    """More organizations than one credentials sheet takes."""


IMPORT_RACE_MESSAGE = (
    "Часть логинов из файла заняли, пока шла запись. Ничего не записано: "
    "загрузите файл снова, чтобы увидеть, какие именно."
)


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
    organization (see `permissions.may_act_on_organizations`)."""
    credentials = []
    for user in organization.users.select_for_update().order_by("username"):
        password = generate_one_time_password()
        user.password = one_time_password_hash(password)
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


def one_time_password_hash(password: str) -> str:
    """The stored hash of an issued one-time password.

    The default PBKDF2 cost (1,000,000 iterations, about a second per password on a modest
    server) exists to slow down guessing of passwords people choose; an import of a region's
    2,500 organizations would take most of an hour. An issued password is 10 random characters
    of a 56-letter alphabet (about 58 bits), which no guessing reaches even at a small fraction
    of that cost; and Django re-hashes it at the full cost at the first successful login
    (`check_password` sees the lower iteration count), where the user must change it anyway.
    Any other configured hasher is used as it is."""
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=ONE_TIME_PASSWORD_ITERATIONS)
    return make_password(password)


def organizations_import(
    *,
    rows: Sequence[importing.SourceRow],
    actor: User | None,
    request: HttpRequest | None = None,
    source: str = "",
) -> list[Credential]:
    """Create the organizations of an import file and one account for each, all or nothing.

    The rows are validated again here, inside the transaction; any error raises
    `importing.ImportRejected` and nothing is written. Returns the login, name and one-time
    password of each new account, for the credentials sheet."""
    try:
        return _organizations_import(rows=rows, actor=actor, request=request, source=source)
    except IntegrityError:
        # Another import or an operator took one of the logins after the check above.
        raise importing.ImportRejected([IMPORT_RACE_MESSAGE]) from None


@transaction.atomic
def _organizations_import(*, rows, actor, request, source) -> list[Credential]:
    result = importing.validate_rows(rows)
    if not result.is_valid:
        raise importing.ImportRejected(result.errors)
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                login=row.login,
                name=row.name,
                kind=row.kind,
                region=row.region,
                municipality=row.municipality,
                email=row.email,
            )
            for row in result.rows
        ],
        batch_size=1000,
    )
    # bulk_create sets the primary keys on PostgreSQL and SQLite, the two supported databases.
    credentials = []
    users = []
    for organization in organizations:
        password = generate_one_time_password()
        users.append(
            User(
                username=organization.login,
                role=User.Role.ORGANIZATION,
                region=organization.region,
                municipality=organization.municipality,
                organization=organization,
                email=organization.email,
                must_change_password=True,
                password=one_time_password_hash(password),
            )
        )
        credentials.append(Credential(organization.login, organization.name, password))
    User.objects.bulk_create(users, batch_size=1000)
    audit.record(
        actor=actor,
        action="organizations.import",
        target=source,
        request=request,
        count=len(organizations),
        logins=[organization.login for organization in organizations],
    )
    return credentials


@transaction.atomic
def organizations_password_reset(
    *,
    organizations: Iterable[Organization],
    actor: User,
    request: HttpRequest | None = None,
) -> list[Credential]:
    """New one-time passwords for every account of several organizations, for a credentials
    sheet that replaces a lost one. All or nothing: a sheet is never missing a reset account."""
    organizations = list(organizations)
    if len(organizations) > MAX_ORGANIZATIONS_PER_RESET:
        raise TooManyOrganizations(TOO_MANY_FOR_RESET.format(limit=MAX_ORGANIZATIONS_PER_RESET))
    return [
        Credential(login, organization.name, password)
        for organization in organizations
        for login, password in organization_password_reset(
            organization=organization, actor=actor, request=request
        )
    ]
