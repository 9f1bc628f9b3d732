from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "ФИС ОКО · НИКО — администрирование"
admin.site.site_title = "ФИС ОКО · НИКО"
admin.site.index_title = "Управление"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("accounts/", include("accounts.urls")),
    path("publications/", include("publications.urls")),
    path("collections/", include("datacollection.urls")),
    path("forum/", include("forum.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "fisoko.views.permission_denied"
handler404 = "fisoko.views.page_not_found"
handler500 = "fisoko.views.server_error"
