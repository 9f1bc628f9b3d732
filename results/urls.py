from django.urls import path

from . import views

app_name = "results"

XLSX = {"fmt": "xlsx"}

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.national, name="national"),
    path("<int:pk>/xlsx/", views.national, XLSX, name="national_xlsx"),
    path("<int:pk>/regions/<int:region_pk>/", views.region, name="region"),
    path("<int:pk>/regions/<int:region_pk>/xlsx/", views.region, XLSX, name="region_xlsx"),
    path(
        "<int:pk>/municipalities/<int:municipality_pk>/",
        views.municipality,
        name="municipality",
    ),
    path(
        "<int:pk>/municipalities/<int:municipality_pk>/xlsx/",
        views.municipality,
        XLSX,
        name="municipality_xlsx",
    ),
    path(
        "<int:pk>/organizations/<int:organization_pk>/",
        views.organization,
        name="organization",
    ),
    path(
        "<int:pk>/organizations/<int:organization_pk>/xlsx/",
        views.organization,
        XLSX,
        name="organization_xlsx",
    ),
]
