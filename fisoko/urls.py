from django.contrib import admin
from django.urls import include, path
from django_tasks_db.models import DBTaskResult

from . import views

# The task queue's own admin is English-only and of no use to an operator: exports and mailings
# report their progress on the pages that start them.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("accounts/", include("accounts.urls")),
    path("publications/", include("publications.urls")),
    path("collections/", include("datacollection.urls")),
    path("studies/", include("studies.urls")),
    path("forum/", include("forum.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("surveys/", include("surveys.urls")),
    path("notifications/", include("notifications.urls")),
    path("results/", include("results.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "fisoko.views.permission_denied"
handler404 = "fisoko.views.page_not_found"
handler500 = "core.views.server_error"
