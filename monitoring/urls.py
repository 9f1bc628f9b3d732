from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("collections/<int:pk>/", views.collection_detail, name="collection_detail"),
    path(
        "collections/<int:pk>/regions/<int:region_pk>/",
        views.collection_region,
        name="collection_region",
    ),
    path("collections/<int:pk>/participants/", views.participant_list, name="participant_list"),
    path(
        "collections/<int:pk>/participants/<int:organization_pk>/",
        views.participant_data,
        name="participant_data",
    ),
    path(
        "collections/<int:pk>/participants/<int:organization_pk>/extension/",
        views.extension_grant,
        name="extension_grant",
    ),
    path(
        "collections/<int:pk>/participants/<int:organization_pk>/return/",
        views.report_return,
        name="report_return",
    ),
    path("collections/<int:pk>/remind/", views.remind, name="remind"),
    path("collections/<int:pk>/export/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", views.export_retry, name="export_retry"),
]
