from django.shortcuts import render

from datacollection.selectors import collection_cards_for_user
from publications.selectors import latest_publications_for
from studies.presenters import study_cards_for


def cabinet(request):
    """The «НИКО» section: the first page after login."""
    context = {
        "latest_publications": latest_publications_for(request.user),
        "collection_cards": collection_cards_for_user(request.user),
        "study_cards": study_cards_for(request.user),
    }
    return render(request, "cabinet.html", context)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
