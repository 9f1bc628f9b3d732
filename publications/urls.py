from django.urls import path

from . import views

app_name = "publications"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("materials/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("downloads/", views.download_log, name="download_log"),
    path("downloads/<int:pk>/", views.download_log_detail, name="download_log_detail"),
]
