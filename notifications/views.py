from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .models import Kind


@require_GET
def notification_list(request):
    page = selectors.notification_page(request.user, request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page})


@require_GET
def notification_open(request, pk):
    """Following a notice marks it read and leads straight to the thing it is about."""
    notification = selectors.notification_for_user_or_404(request.user, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@require_POST
def notification_mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, "Все уведомления отмечены как прочитанные.")
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        choices = {
            kind: (f"{kind}-cabinet" in request.POST, f"{kind}-email" in request.POST)
            for kind in Kind.values
        }
        services.preferences_save(user=request.user, choices=choices, request=request)
        messages.success(request, "Настройки уведомлений сохранены.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": selectors.preferences_for(request.user)},
    )
