"""Participating organizations of a collection (the federal operator, in the admin)."""

from django.db import transaction
from django.http import HttpRequest

from accounts import audit
from accounts.models import Organization, Region, User

from .. import status
from ..errors import DataCollectionError, UnknownLoginsError
from ..login_lists import NO_LOGINS_MESSAGE
from ..models import Collection


@transaction.atomic
def collection_add_organizations(
    *,
    collection: Collection,
    actor: User,
    logins: list[str] | None = None,
    region: Region | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Add participating organizations by a list of logins (all must exist, else nothing is
    added) or all organizations of a region. Returns how many were not yet participating."""
    if region is not None:
        organizations = Organization.objects.filter(region=region)
        source = f"region:{region.code}"
    else:
        wanted = sorted(set(logins or []))
        if not wanted:
            raise DataCollectionError(NO_LOGINS_MESSAGE)
        organizations = Organization.objects.filter(login__in=wanted)
        found = set(organizations.values_list("login", flat=True))
        unknown = [login for login in wanted if login not in found]
        if unknown:
            raise UnknownLoginsError(unknown)
        source = f"logins:{len(wanted)}"
    already = set(collection.organizations.values_list("pk", flat=True))
    new_ids = [pk for pk in organizations.values_list("pk", flat=True) if pk not in already]
    Through = Collection.organizations.through
    Through.objects.bulk_create(
        [Through(collection_id=collection.pk, organization_id=pk) for pk in new_ids],
        batch_size=1000,
    )
    status.counts_changed(collection)
    audit.record(
        actor=actor,
        action="collection.organizations_added",
        target=f"collection:{collection.pk}",
        request=request,
        source=source,
        count=len(new_ids),
    )
    return len(new_ids)
