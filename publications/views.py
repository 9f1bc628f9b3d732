from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts import permissions
from core.files import download, stored_file_open

from . import selectors, services
from .forms import DownloadLogFilterForm, FeedFilterForm


def feed(request):
    """Раздел «НИКО»: publications, pinned first, newest first, collapsed to date and title."""
    form = FeedFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.feed_page(
        request.user,
        q=filters.get("q", ""),
        unread_only=filters.get("unread", False),
        study=filters.get("study"),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "publications/feed.html",
        {
            "form": form,
            "page": page,
            "can_view_download_log": permissions.may_monitor(request.user),
        },
    )


@require_POST
def mark_read(request, pk):
    """Called by publications.js when a publication is opened: it is no longer «Новое»."""
    publication = selectors.publication_for_user_or_404(request.user, pk)
    services.publication_mark_read(publication=publication, user=request.user)
    return HttpResponse(status=204)


def attachment_download(request, pk):
    attachment = selectors.attachment_for_user_or_404(request.user, pk)
    file = stored_file_open(attachment.file)
    services.attachment_download_record(attachment=attachment, user=request.user)
    return download(file, attachment.name, content_type=attachment.content_type)


def download_log(request):
    """Publications with materials, and how many organizations of the scope have them."""
    permissions.require(permissions.may_monitor(request.user))
    publications = selectors.publications_with_materials_visible_to(request.user).prefetch_related(
        "attachments"
    )
    page = Paginator(publications.order_by("-published_at", "-id"), 20).get_page(
        request.GET.get("page")
    )
    rows = []
    for publication in page:
        files = len(publication.attachments.all())
        summary = selectors.download_summary(request.user, publication, files=files)
        rows.append({"publication": publication, "files": files, **summary})
    return render(request, "publications/download_log.html", {"page": page, "rows": rows})


def download_log_detail(request, pk):
    """Which organizations of the scope downloaded the materials and which did not."""
    permissions.require(permissions.may_monitor(request.user))
    publication = selectors.publication_with_materials_for_user_or_404(request.user, pk)
    attachments = list(publication.attachments.all())
    form = DownloadLogFilterForm(request.GET)
    status = (form.cleaned_data["status"] if form.is_valid() else "") or "all"
    summary = selectors.download_summary(request.user, publication, files=len(attachments))
    rows = selectors.download_log_rows(
        request.user, publication, files=len(attachments), status=status
    )
    page = Paginator(rows, selectors.DOWNLOAD_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publications/download_log_detail.html",
        {
            "publication": publication,
            "attachments": attachments,
            "summary": summary,
            "form": form,
            "status": status,
            "page": page,
        },
    )
