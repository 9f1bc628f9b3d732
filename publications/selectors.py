"""Reads on publications. Every view asks `publications_visible_to` and nothing else, so the
feed, the mark-read call, downloads and the download log cannot disagree about who sees what.

Who is in a publication's audience:
- «Все пользователи»: everyone;
- «Выбранные роли»: users of the chosen roles; a publication for organizations is also seen by
  the coordinators, who watch that their schools have downloaded it;
- «Выбранные регионы»: every user of those regions (coordinators and organizations);
- «Выбранные организации»: the users of those organizations and the coordinators whose scope
  holds one of them (they make sure their schools have the materials);
- «Участники сбора данных»: the same, for the organizations participating in the collection.
Federal operators see every live publication. A publication is live when it is published and
its date has come.
"""

from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts import permissions
from accounts.models import Organization, User
from accounts.scoping import organizations_visible_to
from core.search import filter_by_words
from datacollection.models import Collection, Study

from .models import Attachment, AttachmentDownload, Publication, PublicationRead

FEED_PAGE_SIZE = 20
DOWNLOAD_LOG_PAGE_SIZE = 100
LATEST_COUNT = 5


def _audience_q(user: User) -> Q:
    audience = Publication.Audience
    q = Q(audience=audience.EVERYONE)
    role_field = Publication.ROLE_AUDIENCE_FIELDS.get(user.role)
    if role_field:
        q |= Q(audience=audience.ROLES, **{role_field: True})
    if permissions.is_coordinator_user(user):
        # Coordinators make sure their schools have the materials: what is addressed to
        # organizations is visible to them too (and appears in their download log).
        q |= Q(audience=audience.ROLES, for_organizations=True)
    if user.region_id:
        q |= Q(audience=audience.REGIONS) & Exists(
            Publication.regions.through.objects.filter(
                publication_id=OuterRef("pk"), region_id=user.region_id
            )
        )
    visible_organizations = organizations_visible_to(user).values("pk")
    q |= Q(audience=audience.ORGANIZATIONS) & Exists(
        Publication.organizations.through.objects.filter(
            publication_id=OuterRef("pk"), organization_id__in=visible_organizations
        )
    )
    q |= Q(audience=audience.COLLECTION) & Exists(
        Collection.organizations.through.objects.filter(
            collection_id=OuterRef("collection_id"), organization_id__in=visible_organizations
        )
    )
    return q


def publications_visible_to(user: User, at: datetime | None = None) -> QuerySet[Publication]:
    if not user.is_authenticated:
        return Publication.objects.none()
    live = Publication.objects.filter(is_published=True, published_at__lte=at or timezone.now())
    if permissions.may_see_all_regions(user):
        return live
    return live.filter(_audience_q(user))


def publication_for_user_or_404(user: User, pk) -> Publication:
    try:
        return publications_visible_to(user).get(pk=pk)
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise Http404("Публикация не найдена") from None


def attachment_for_user_or_404(user: User, pk) -> Attachment:
    try:
        return Attachment.objects.select_related("publication").get(
            pk=pk, publication__in=publications_visible_to(user).values("pk")
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("Файл не найден") from None


def _with_read_state_and_attachments(
    publications: QuerySet[Publication], user: User
) -> QuerySet[Publication]:
    return publications.annotate(
        is_read=Exists(PublicationRead.objects.filter(publication=OuterRef("pk"), user=user))
    ).prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))


def feed_for(
    user: User, *, q: str = "", unread_only: bool = False, study: Study | None = None
) -> QuerySet[Publication]:
    """The feed: pinned first, then newest first; each with `is_read` and its attachments."""
    publications = _with_read_state_and_attachments(publications_visible_to(user), user)
    if study is not None:
        publications = publications.filter(study=study)
    publications = filter_by_words(publications, q)
    if unread_only:
        publications = publications.filter(is_read=False)
    return publications.order_by("-pinned", "-published_at", "-id")


def feed_page(
    user: User, *, q: str = "", unread_only: bool = False, study: Study | None = None, page=None
) -> Page:
    publications = feed_for(user, q=q, unread_only=unread_only, study=study)
    return Paginator(publications, FEED_PAGE_SIZE).get_page(page)


def latest_publications_for(user: User) -> list[Publication]:
    """The block on the cabinet page: the same order as the feed, first few only."""
    return list(feed_for(user)[:LATEST_COUNT])


# Download log -----------------------------------------------------------------------------


def publications_with_materials_visible_to(user: User) -> QuerySet[Publication]:
    return publications_visible_to(user).filter(
        Exists(Attachment.objects.filter(publication=OuterRef("pk")))
    )


def publication_with_materials_for_user_or_404(user: User, pk) -> Publication:
    try:
        return publications_with_materials_visible_to(user).get(pk=pk)
    except (Publication.DoesNotExist, ValueError, TypeError):
        raise Http404("Публикация не найдена") from None


def organizations_in_audience(
    publication: Publication, within: QuerySet[Organization]
) -> QuerySet[Organization]:
    """The organizations (of `within`) whose users see the publication: the same rules as
    `_audience_q`, seen from the organization's side."""
    audience = Publication.Audience
    if publication.audience == audience.EVERYONE:
        return within
    if publication.audience == audience.ROLES:
        return within if publication.for_organizations else within.none()
    if publication.audience == audience.REGIONS:
        return within.filter(region_id__in=publication.regions.values("pk"))
    if publication.audience == audience.ORGANIZATIONS:
        return within.filter(pk__in=publication.organizations.values("pk"))
    if publication.audience == audience.COLLECTION:
        return within.filter(
            pk__in=Collection.organizations.through.objects.filter(
                collection_id=publication.collection_id
            ).values("organization_id")
        )
    return within.none()


def _annotate_downloads(
    organizations: QuerySet[Organization], publication: Publication
) -> QuerySet[Organization]:
    downloads = AttachmentDownload.objects.filter(
        organization=OuterRef("pk"), attachment__publication=publication
    ).values("organization")
    return organizations.annotate(
        files_downloaded=Coalesce(
            Subquery(
                downloads.annotate(n=Count("attachment", distinct=True)).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        first_downloaded_at=Subquery(
            downloads.annotate(first=Min("first_downloaded_at")).values("first")
        ),
    )


def download_summary(user: User, publication: Publication, *, files: int) -> dict[str, int]:
    """Всего / скачали все материалы / частично / не скачивали, for the user's scope: one
    query whatever the number of organizations."""
    organizations = _annotate_downloads(
        organizations_in_audience(publication, organizations_visible_to(user)), publication
    )
    summary = organizations.aggregate(
        total=Count("pk"),
        complete=Count("pk", filter=Q(files_downloaded__gte=files)),
        none=Count("pk", filter=Q(files_downloaded=0)),
    )
    summary["partial"] = summary["total"] - summary["complete"] - summary["none"]
    return summary


class DownloadStatus:
    ALL = "all"
    COMPLETE = "complete"
    MISSING = "missing"
    CHOICES = [(ALL, "Все"), (MISSING, "Не скачали все материалы"), (COMPLETE, "Скачали все")]


def download_log_rows(
    user: User, publication: Publication, *, files: int, status: str = DownloadStatus.ALL
) -> QuerySet[Organization]:
    """Organizations of the scope that should have the materials, each with
    `files_downloaded` and `first_downloaded_at`; those without all materials first."""
    organizations = _annotate_downloads(
        organizations_in_audience(publication, organizations_visible_to(user)), publication
    ).select_related("municipality")
    if status == DownloadStatus.COMPLETE:
        organizations = organizations.filter(files_downloaded__gte=files)
    elif status == DownloadStatus.MISSING:
        organizations = organizations.filter(files_downloaded__lt=files)
    return organizations.order_by("files_downloaded", "municipality__code", "login")
