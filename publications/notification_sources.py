"""What the notification scheduler asks of publications: a publication whose date has come
is announced to the users it is addressed to (organizations and the coordinators named in its
audience; operators write them). A publication dated in the future is announced at its time;
one that appeared while the scheduler was down, within CATCH_UP, when it comes back."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse

from accounts.models import Organization, User
from notifications.models import Kind
from notifications.scheduler import source
from notifications.services import notify

from .models import Publication

CATCH_UP = timedelta(days=3)


def addressees(publication: Publication):
    """(organizations, coordinators) the publication is addressed to."""
    audience = Publication.Audience
    coordinators = User.objects.filter(
        is_active=True, role__in=[User.Role.REGIONAL, User.Role.MUNICIPAL]
    )
    organizations = Organization.objects.all()
    match publication.audience:
        case audience.EVERYONE:
            return organizations, coordinators
        case audience.ROLES:
            roles = [
                role
                for role, field in Publication.ROLE_AUDIENCE_FIELDS.items()
                if getattr(publication, field) and role != User.Role.ORGANIZATION
            ]
            chosen = organizations if publication.for_organizations else organizations.none()
            return chosen, coordinators.filter(role__in=roles)
        case audience.REGIONS:
            regions = publication.regions.values("pk")
            return organizations.filter(region__in=regions), coordinators.filter(region__in=regions)
        case audience.ORGANIZATIONS:
            return publication.organizations.all(), coordinators.none()
        case audience.COLLECTION if publication.collection_id:
            return organizations.filter(collections=publication.collection_id), coordinators.none()
    return organizations.none(), coordinators.none()


@source
def publications_appeared(*, now: datetime) -> int:
    live = Publication.objects.filter(
        Q(is_published=True), published_at__lte=now, published_at__gt=now - CATCH_UP
    )
    created = 0
    for publication in live:
        organizations, coordinators = addressees(publication)
        created += notify(
            kind=Kind.PUBLICATION,
            text=f"Новая публикация: «{publication.title}».",
            link=reverse("publications:feed"),
            event_key=f"publication:{publication.pk}",
            organizations=organizations,
            users=coordinators,
            at=now,
        )
    return created
