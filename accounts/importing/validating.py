"""Checking every row against the database with a fixed number of queries per 1,000 rows."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..models import Municipality, Organization, Region, User
from .rows import (
    EMAIL_INVALID,
    EMAIL_MAX_LENGTH,
    KIND_UNKNOWN,
    KINDS,
    LOGIN_DUPLICATE,
    LOGIN_FORMAT,
    LOGIN_MISSING,
    LOGIN_OTHER_REGION,
    LOGIN_PATTERN,
    LOGIN_TAKEN,
    MUNICIPALITY_MISSING,
    MUNICIPALITY_NOT_FOUND,
    MUNICIPALITY_OTHER_REGION,
    NAME_MAX_LENGTH,
    NAME_MISSING,
    NAME_TOO_LONG,
    NO_ROWS,
    QUERY_CHUNK,
    REGION_MISSING,
    REGION_NOT_FOUND,
    REGION_PATTERN,
    ImportResult,
    OrganizationRow,
    SourceRow,
    short,
)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), QUERY_CHUNK):
        yield values[start : start + QUERY_CHUNK]


def region_code(value: str) -> str | None:
    """The two-digit region code of «47», «7» or «reg470000»."""
    match = REGION_PATTERN.match(value.lower())
    if match is None:
        return None
    return (match.group(1) or match.group(2)).zfill(2)


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded with a fixed number of queries per 1,000 rows."""

    regions: dict[str, Region]
    municipalities: dict[str, Municipality]
    taken_logins: set[str]
    first_line_of_login: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: Sequence[SourceRow]) -> "_Lookups":
        codes = {row["municipality"].lower() for row in rows} - {""}
        logins = {row["login"].lower() for row in rows} - {""}
        municipalities = {}
        taken = set()
        for chunk in _chunks(codes):
            municipalities.update(
                (m.code, m)
                for m in Municipality.objects.select_related("region").filter(code__in=chunk)
            )
        for chunk in _chunks(logins):
            # A login is taken by an organization or by any account (a coordinator's too).
            taken.update(
                Organization.objects.filter(login__in=chunk).values_list("login", flat=True)
            )
            taken.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
        return cls(
            regions={region.code: region for region in Region.objects.all()},
            municipalities=municipalities,
            taken_logins=taken,
        )


def validate_rows(rows: Sequence[SourceRow]) -> ImportResult:
    """Check every row against the file and the database; no writes."""
    result = ImportResult(source_rows=list(rows))
    if not rows:
        result.errors.append(NO_ROWS)
        return result
    lookups = _Lookups.load(rows)
    for row in rows:
        errors: list[str] = []
        organization_row = _validate_row(row, lookups, errors)
        if errors:
            result.errors += errors
        else:
            result.rows.append(organization_row)
    return result


def _validate_row(row: SourceRow, lookups: _Lookups, errors: list[str]) -> OrganizationRow | None:
    line = row.line
    region = _row_region(row, lookups, errors)
    municipality = _row_municipality(row, region, lookups, errors)
    login = _row_login(row, region, lookups, errors)

    name = row["name"]
    if not name:
        errors.append(NAME_MISSING.format(line=line))
    elif len(name) > NAME_MAX_LENGTH:
        errors.append(NAME_TOO_LONG.format(line=line, limit=NAME_MAX_LENGTH))

    kind = KINDS.get(row["kind"].lower())
    if kind is None:
        errors.append(KIND_UNKNOWN.format(line=line, value=short(row["kind"])))

    email = row["email"]
    if email:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.append(EMAIL_INVALID.format(line=line, value=short(email)))

    if errors:
        return None
    return OrganizationRow(
        line=line,
        region=region,
        municipality=municipality,
        login=login,
        name=name,
        kind=kind,
        email=email,
    )


def _row_region(row: SourceRow, lookups: _Lookups, errors: list[str]) -> Region | None:
    value = row["region"]
    if not value:
        errors.append(REGION_MISSING.format(line=row.line))
        return None
    region = lookups.regions.get(region_code(value) or "")
    if region is None:
        errors.append(REGION_NOT_FOUND.format(line=row.line, value=short(value)))
    return region


def _row_municipality(
    row: SourceRow, region: Region | None, lookups: _Lookups, errors: list[str]
) -> Municipality | None:
    value = row["municipality"]
    if not value:
        errors.append(MUNICIPALITY_MISSING.format(line=row.line))
        return None
    municipality = lookups.municipalities.get(value.lower())
    if municipality is None:
        errors.append(MUNICIPALITY_NOT_FOUND.format(line=row.line, value=short(value)))
    elif region is not None and municipality.region_id != region.pk:
        errors.append(
            MUNICIPALITY_OTHER_REGION.format(
                line=row.line,
                value=municipality.code,
                actual=municipality.region.code,
                region=region.code,
            )
        )
    return municipality


def _row_login(
    row: SourceRow, region: Region | None, lookups: _Lookups, errors: list[str]
) -> str | None:
    login = row["login"].lower()
    if not login:
        errors.append(LOGIN_MISSING.format(line=row.line))
        return None
    match = LOGIN_PATTERN.match(login)
    if match is None:
        errors.append(LOGIN_FORMAT.format(line=row.line, value=short(login)))
        return login
    if region is not None and match.group(1) != region.code:
        errors.append(LOGIN_OTHER_REGION.format(line=row.line, value=login, region=region.code))
    first = lookups.first_line_of_login.setdefault(login, row.line)
    if first != row.line:
        errors.append(LOGIN_DUPLICATE.format(line=row.line, value=login, first=first))
    elif login in lookups.taken_logins:
        errors.append(LOGIN_TAKEN.format(line=row.line, value=login))
    return login
